// Shortcuts views use most: render a template with the request's context, and turn "not found" into 404.
import { Http404 } from '../errors.js';
import type { Request } from '../http/request.js';
import { Response, type ResponseInit } from '../http/response.js';

/** Renders `template` with the context processors' variables (request, csrf_token, user, messages) plus `context`. */
export async function render(req: Request, template: string, context: Record<string, unknown> = {}, init?: ResponseInit): Promise<Response> {
  const html = await renderToString(req, template, context);
  return new Response(html, init);
}

/** Like render(), but returns the HTML instead of a Response. */
export function renderToString(req: Request, template: string, context: Record<string, unknown> = {}): Promise<string> {
  const full: Record<string, unknown> = {};
  // The processors of the engine that renders this template (each TEMPLATES entry has its own).
  const processors = req.site.templates.processorsFor?.(template) ?? req.site.settings.TEMPLATES[0]?.CONTEXT_PROCESSORS ?? [];
  for (const p of processors) Object.assign(full, p(req));
  Object.assign(full, context);
  return req.site.templates.render(template, full);
}

/** Whether an error means "no such row" (the ORM's DoesNotExist, or anything already a 404). */
export function isNotFound(err: unknown): boolean {
  if (err instanceof Http404) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; status?: unknown };
  return (typeof e.name === 'string' && e.name.endsWith('DoesNotExist'))
    || e.code === 'PDK_DOES_NOT_EXIST' || e.code === 'PDK_OBJECT_DOES_NOT_EXIST' || e.status === 404;
}

/**
 * Awaits a lookup (`Post.objects.get({ slug })`, a function returning one, or a value that may be null)
 * and raises Http404 when nothing is found.
 */
export async function get404<T>(lookup: PromiseLike<T | null | undefined> | (() => PromiseLike<T | null | undefined>), message?: string): Promise<T> {
  let value: T | null | undefined;
  try {
    value = await (typeof lookup === 'function' ? lookup() : lookup);
  } catch (err) {
    if (isNotFound(err)) throw new Http404(message);
    throw err;
  }
  if (value === null || value === undefined) throw new Http404(message);
  return value;
}

/** Awaits a list lookup and raises Http404 when it is empty. */
export async function getList404<T>(lookup: PromiseLike<readonly T[]>, message?: string): Promise<readonly T[]> {
  const list = await lookup;
  if (list.length === 0) throw new Http404(message);
  return list;
}
