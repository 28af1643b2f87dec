// The URL conf vocabulary a site writes: path() for a route, include() to mount another list under a prefix.
import type { ConverterValue } from './converters.js';
import type { ViewFunction, ViewLike } from './resolver.js';

/** The parameters a route string declares: `'<int:id>/<slug:slug>/'` → `{ id: number; slug: string }`. */
export type RouteParams<R extends string> =
  R extends `${string}<${infer Inner}>${infer Rest}`
    ? (Inner extends `${infer C}:${infer N}` ? { [K in N]: ConverterValue<C> } : { [K in Inner]: string }) & RouteParams<Rest>
    : Record<never, never>;

export interface PathOptions {
  name?: string;
  /** Extra values passed to the view alongside the URL's own parameters. */
  kwargs?: Record<string, unknown>;
}

export interface URLPattern {
  readonly kind: 'pattern';
  readonly route: string;
  readonly view: ViewLike;
  readonly name: string | undefined;
  readonly kwargs: Record<string, unknown> | undefined;
}

export interface URLInclude {
  readonly kind: 'include';
  readonly prefix: string;
  readonly patterns: readonly URLEntry[];
  readonly namespace: string | undefined;
  /** Set by i18nPatterns(): the patterns answer under a language prefix ('fr/about/'). */
  readonly locale?: { readonly prefixDefaultLanguage: boolean } | undefined;
}

export type URLEntry = URLPattern | URLInclude;

export function path<R extends string>(
  route: R,
  view: ViewFunction<RouteParams<R>> | { asView(): ViewFunction },
  opts: PathOptions = {},
): URLPattern {
  if (route.startsWith('/')) {
    throw new TypeError(`URL patterns do not start with '/': write '${route.slice(1)}' instead of '${route}'.`);
  }
  return { kind: 'pattern', route, view: view as ViewLike, name: opts.name, kwargs: opts.kwargs };
}

export function include(prefix: string, patterns: readonly URLEntry[] | { default: readonly URLEntry[] }, opts: { namespace?: string } = {}): URLInclude {
  if (prefix.startsWith('/')) {
    throw new TypeError(`include() prefixes do not start with '/': write '${prefix.slice(1)}' instead of '${prefix}'.`);
  }
  const list = Array.isArray(patterns) ? patterns : (patterns as { default: readonly URLEntry[] }).default;
  return { kind: 'include', prefix, patterns: list, namespace: opts.namespace };
}
