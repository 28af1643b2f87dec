// Compiles a site's URL conf once at boot into a resolver: path → view + typed params, and name + params → path.
import { ImproperlyConfigured, NoReverseMatch } from '../errors.js';
import type { Request } from '../http/request.js';
import type { Response } from '../http/response.js';
import { getConverter, type Converter } from './converters.js';
import type { URLEntry } from './patterns.js';

// Params default to a loose record so that views written as `(req, { slug }: { slug: string })` can be stored together.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ViewFunction<P = any> = ((req: Request, params: P) => Response | Promise<Response>) & ViewFlags;

export interface ViewFlags {
  csrfExempt?: boolean;
  xframeOptionsExempt?: boolean;
}

/** Anything with asView(): class-based views (the class itself), feeds and sitemaps (instances). */
export interface ViewProvider { asView(): ViewFunction }
export type ViewLike = ViewFunction | ViewProvider;

export interface ResolverMatch {
  readonly view: ViewFunction;
  readonly params: Record<string, unknown>;
  /** Fully namespaced name ('blog:detail'), or undefined for unnamed patterns. */
  readonly name: string | undefined;
  /** The full route with include prefixes, e.g. 'blog/<slug:slug>/'. */
  readonly route: string;
}

interface Segment { literal: string; param?: { name: string; converter: Converter; whole: RegExp } }

interface CompiledRoute {
  index: number;
  route: string;
  name: string | undefined;
  view: ViewFunction;
  kwargs: Record<string, unknown> | undefined;
  regex: RegExp;
  segments: Segment[];
  params: { name: string; converter: Converter }[];
}

const PARAM = /<(?:([a-zA-Z_][a-zA-Z0-9_]*):)?([a-zA-Z_][a-zA-Z0-9_]*)>/g;

function escapeRegex(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

export function toViewFunction(view: ViewLike): ViewFunction {
  if (typeof view === 'function' && !('asView' in view && typeof view.asView === 'function')) return view;
  const fn = (view as ViewProvider).asView();
  if (typeof fn !== 'function') throw new ImproperlyConfigured('asView() must return a view function.');
  return fn;
}

function compile(route: string): { regex: RegExp; segments: Segment[]; params: CompiledRoute['params'] } {
  const segments: Segment[] = [];
  const params: CompiledRoute['params'] = [];
  let src = '^';
  let last = 0;
  for (const m of route.matchAll(PARAM)) {
    const literal = route.slice(last, m.index);
    const convName = m[1] ?? 'str';
    const name = m[2] as string;
    const converter = getConverter(convName);
    if (!converter) {
      throw new ImproperlyConfigured(`URL route '${route}' uses unknown converter '${convName}'. Use int, slug, str, uuid, path or registerConverter().`);
    }
    if (params.some((p) => p.name === name)) throw new ImproperlyConfigured(`URL route '${route}' names '${name}' twice.`);
    src += `${escapeRegex(literal)}(${converter.regex})`;
    segments.push({ literal, param: { name, converter, whole: new RegExp(`^(?:${converter.regex})$`) } });
    params.push({ name, converter });
    last = m.index + m[0].length;
  }
  const tail = route.slice(last);
  if (tail.includes('<') || tail.includes('>')) throw new ImproperlyConfigured(`URL route '${route}' has a malformed <param>.`);
  src += `${escapeRegex(tail)}$`;
  segments.push({ literal: tail });
  return { regex: new RegExp(src), segments, params };
}

export class URLResolver {
  private readonly routes: CompiledRoute[] = [];
  private readonly staticRoutes = new Map<string, CompiledRoute>();
  private readonly dynamicRoutes: CompiledRoute[] = [];
  private readonly byName = new Map<string, CompiledRoute[]>();

  constructor(entries: readonly URLEntry[]) {
    this.add(entries, '', '');
  }

  private add(entries: readonly URLEntry[], prefix: string, ns: string): void {
    for (const e of entries) {
      if (e.kind === 'include') {
        this.add(e.patterns, prefix + e.prefix, e.namespace ? `${ns}${e.namespace}:` : ns);
        continue;
      }
      const route = prefix + e.route;
      const { regex, segments, params } = compile(route);
      const name = e.name === undefined ? undefined : ns + e.name;
      const r: CompiledRoute = {
        index: this.routes.length, route, name, view: toViewFunction(e.view), kwargs: e.kwargs, regex, segments, params,
      };
      this.routes.push(r);
      if (params.length === 0) {
        if (!this.staticRoutes.has(route)) this.staticRoutes.set(route, r);
      } else this.dynamicRoutes.push(r);
      if (name !== undefined) {
        const list = this.byName.get(name);
        if (list) list.push(r); else this.byName.set(name, [r]);
      }
    }
  }

  /** Matches a request path (starting with '/'); the first pattern in URL-conf order wins. */
  resolve(path: string): ResolverMatch | null {
    const p = path.length > 0 && path.charCodeAt(0) === 47 ? path.slice(1) : path;
    const hit = this.staticRoutes.get(p);
    const limit = hit ? hit.index : Infinity;
    for (const r of this.dynamicRoutes) {
      if (r.index > limit) break;
      const m = r.regex.exec(p);
      if (!m) continue;
      const params: Record<string, unknown> = r.kwargs ? { ...r.kwargs } : {};
      for (let i = 0; i < r.params.length; i++) {
        const spec = r.params[i] as CompiledRoute['params'][number];
        try { params[spec.name] = spec.converter.toValue(m[i + 1] as string); } catch { params.__failed = true; }
      }
      // A converter that rejects its value (throws) means "this pattern does not match", as in Django.
      if (params.__failed) continue;
      return { view: r.view, params, name: r.name, route: r.route };
    }
    if (hit) return { view: hit.view, params: hit.kwargs ? { ...hit.kwargs } : {}, name: hit.name, route: hit.route };
    return null;
  }

  reverse(name: string, params: Record<string, unknown> = {}): string {
    const candidates = this.byName.get(name);
    if (!candidates) {
      throw new NoReverseMatch(`No URL pattern is named '${name}'. Check the name (and its namespace, e.g. 'blog:detail') in your urls.`);
    }
    const given = Object.keys(params).filter((k) => params[k] !== undefined);
    for (const r of candidates) {
      if (r.params.length !== given.length || !r.params.every((p) => given.includes(p.name))) continue;
      let out = '';
      let ok = true;
      for (const s of r.segments) {
        out += s.literal;
        if (!s.param) continue;
        const text = s.param.converter.toUrl(params[s.param.name]);
        if (!s.param.whole.test(text)) { ok = false; break; }
        out += s.param.converter.regex === '.+' ? encodeURI(text) : encodeURIComponent(text);
      }
      if (ok) return `/${out}`;
    }
    const wants = candidates.map((r) => `(${r.params.map((p) => p.name).join(', ')})`).join(' or ');
    throw new NoReverseMatch(`Reverse for '${name}' with params ${JSON.stringify(params)} not found. It takes ${wants}, each matching its converter.`);
  }

  /** Every named route, for system checks. */
  get names(): string[] { return this.routes.flatMap((r) => (r.name ? [r.name] : [])); }
  get routeList(): readonly { route: string; name: string | undefined }[] { return this.routes; }
}
