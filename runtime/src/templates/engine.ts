// The template engine interface (Nunjucks is built in; another engine plugs in through TEMPLATES.BACKEND) and context processors.
import type { Request } from '../http/request.js';

export interface TemplateEngine {
  /** Renders a template found in the engine's folders; throws TemplateDoesNotExist when no folder holds it. */
  render(name: string, context: Record<string, unknown>): Promise<string>;
  renderString(source: string, context: Record<string, unknown>): Promise<string>;
  /** Whether some folder holds the template (for error pages and system checks). */
  has(name: string): boolean;
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

/** Adds variables to every template rendered with a request (render(req, ...)). */
export type ContextProcessor = (req: Request) => Record<string, unknown>;

/** {{ request }} */
export const requestProcessor: ContextProcessor = (req) => ({ request: req });

/**
 * {{ csrf_token }}: created only when a template prints it, so pages without forms set no cookie.
 * `{% csrf_token %}` prints the whole hidden input.
 */
export const csrfProcessor: ContextProcessor = (req) => ({
  csrf_token: { toString: () => req.csrfToken() },
});

export const ANONYMOUS_USER = Object.freeze({ isAuthenticated: false, isAnonymous: true, username: '' });

/** {{ user }}: the signed-in user set by auth middleware, or an anonymous user. */
export const authProcessor: ContextProcessor = (req) => ({ user: req.user ?? ANONYMOUS_USER });

/** {{ messages }}: flash messages set by messages middleware. */
export const messagesProcessor: ContextProcessor = (req) => ({ messages: req.messages ?? [] });

export const defaultContextProcessors: ContextProcessor[] = [requestProcessor, csrfProcessor, authProcessor, messagesProcessor];
