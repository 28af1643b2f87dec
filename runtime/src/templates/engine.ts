// The template engine interface (Nunjucks is built in; another engine plugs in through TEMPLATES.BACKEND), context
// processors, and the "template rendered" notice that tests read (Django's template_rendered signal).
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

/** A template an engine rendered: its name and the context it got (the outer template's, for ones it extends or includes). */
export interface TemplateRendered {
  readonly name: string;
  readonly context: Record<string, unknown>;
}

const renderedListeners = new Set<(event: TemplateRendered) => void>();

/**
 * Calls `listener` for every template rendered until the returned function is called: the top-level one and those it
 * extends or includes (the test client records them on its responses). Engines call templateRendered().
 */
export function onTemplateRendered(listener: (event: TemplateRendered) => void): () => void {
  renderedListeners.add(listener);
  return () => { renderedListeners.delete(listener); };
}

/** Whether anything listens (engines skip the bookkeeping when nothing does). */
export function templateRenderedListened(): boolean {
  return renderedListeners.size > 0;
}

/** What an engine calls for each template it renders (a custom TEMPLATES.BACKEND should too, for assertTemplateUsed). */
export function templateRendered(event: TemplateRendered): void {
  for (const listener of renderedListeners) listener(event);
}

/** One configured engine of TEMPLATES: the engine, its settings entry and the folders it searches. */
export interface ConfiguredEngine {
  readonly engine: TemplateEngine;
  readonly contextProcessors: readonly ContextProcessor[];
  readonly dirs: readonly string[];
}

/**
 * The site's engines tried in order (Django's TEMPLATES list): a template is rendered by the first engine that has
 * it, with that engine's context processors; renderString uses the first engine.
 */
export class TemplateEngines implements TemplateEngine {
  /**
   * Which engine had each template found so far: looking a template up asks each engine's folders on disk, twice per
   * render (context processors, then the render). Only found names are kept (names on disk, a bounded set), and only
   * with `cacheLookups` (the site sets it when DEBUG is off: engines then keep a loaded template for the life of the
   * process too); with DEBUG on, templates added or removed while the site runs are seen at once.
   */
  readonly #found = new Map<string, ConfiguredEngine>();
  readonly #cacheLookups: boolean;

  constructor(readonly engines: readonly ConfiguredEngine[], private readonly notFound: (name: string, dirs: string[]) => Error,
    options: { cacheLookups?: boolean } = {}) {
    this.#cacheLookups = options.cacheLookups ?? false;
  }

  /** The engine that renders `name`, or undefined when none has it. */
  find(name: string): ConfiguredEngine | undefined {
    const known = this.#found.get(name);
    if (known) return known;
    const found = this.engines.find((e) => e.engine.has(name));
    if (found && this.#cacheLookups) this.#found.set(name, found);
    return found;
  }

  has(name: string): boolean { return this.find(name) !== undefined; }

  processorsFor(name: string): readonly ContextProcessor[] {
    return (this.find(name) ?? this.engines[0])?.contextProcessors ?? [];
  }

  render(name: string, context: Record<string, unknown>): Promise<string> {
    const found = this.find(name);
    if (!found) return Promise.reject(this.notFound(name, this.engines.flatMap((e) => e.dirs)));
    return found.engine.render(name, context);
  }

  /** makemessages' view of templates: the first engine that can find translatable messages (Nunjucks). */
  get messages(): ((source: string) => TemplateMessage[]) | undefined {
    const withMessages = this.engines.find((e) => e.engine.messages)?.engine;
    return withMessages?.messages ? (source) => (withMessages.messages as (s: string) => TemplateMessage[])(source) : undefined;
  }

  renderString(source: string, context: Record<string, unknown>): Promise<string> {
    const first = this.engines[0];
    if (!first) return Promise.reject(new Error('No template engine is configured.'));
    return first.engine.renderString(source, context);
  }
}
