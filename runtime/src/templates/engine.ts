// The template engine interface (Nunjucks is built in; another engine plugs in through TEMPLATES.BACKEND) and context processors.
import type { Request } from '../http/request.js';

export interface TemplateEngine {
  /** Renders a template found in the engine's folders; throws TemplateDoesNotExist when no folder holds it. */
  render(name: string, context: Record<string, unknown>): Promise<string>;
  renderString(source: string, context: Record<string, unknown>): Promise<string>;
  /** Whether some folder holds the template (for error pages and system checks). */
  has(name: string): boolean;
  /** The messages a template's source marks for translation (for makemessages); engines without i18n leave it out. */
  messages?(source: string): TemplateMessage[];
}

/** What the site gives an engine at boot. */
export interface TemplateEngineOptions {
  /** Folders to search, in order: TEMPLATES.DIRS first, then each app's templates/. */
  dirs: string[];
  debug: boolean;
  reverse(name: string, params?: Record<string, unknown>): string;
  staticUrl(path: string): string;
  /** Engine-specific options from TEMPLATES.OPTIONS. */
  options: Record<string, unknown>;
}

export type TemplateEngineFactory = (opts: TemplateEngineOptions) => TemplateEngine;

/**
 * Adds variables to every template rendered with a request (render(req, ...)). The site runs the runtime's own
 * (requestProcessor, csrfProcessor, then i18nProcessor) and then each app's (AppConfig.contextProcessors: auth's {{ user }},
 * messages' {{ messages }}), unless TEMPLATES.CONTEXT_PROCESSORS lists them itself.
 */
export type ContextProcessor = (req: Request) => Record<string, unknown>;

/** {{ request }} */
export const requestProcessor: ContextProcessor = (req) => ({ request: req });

/** A message a template marks for translation, as makemessages collects it. */
export interface TemplateMessage {
  msgid: string;
  plural?: string | undefined;
  context?: string | undefined;
  /** 1-based line in the template. */
  line: number;
}
