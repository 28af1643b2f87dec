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
  /** The full route with include prefixes, e.g. `'blog/<slug:slug>/'` (`'<language>/about/'` under i18nPatterns). */
  readonly route: string;
  /** Under i18nPatterns: the language the path names (the default language for an unprefixed path). */
  readonly language?: string | undefined;
}

/** What the resolver needs to know for i18nPatterns: the site's LANGUAGES and which one is active. */
export interface ResolverLanguages {
  /** Codes as in LANGUAGES ('en', 'fr', 'pt-br'). */
  languages: readonly string[];
  /** LANGUAGE_CODE; its closest entry in `languages` is the default language. */
  defaultLanguage: string;
  /** The active language, whose prefix reverse() writes. */
  current?: () => string;
}

interface Segment { literal: string; param?: { name: string; converter: Converter; whole: RegExp }; locale?: true }

/** Where i18nPatterns' language prefix goes in a route while it is compiled. */
const LOCALE_MARK = '\u0000';

interface CompiledRoute {
  index: number;
  route: string;
  name: string | undefined;
  view: ViewFunction;
  kwargs: Record<string, unknown> | undefined;
  regex: RegExp;
  segments: Segment[];
  params: { name: string; converter: Converter }[];
  /** Under i18nPatterns: whether the default language is prefixed too. */
  locale: { prefixDefaultLanguage: boolean } | undefined;
}

const PARAM = /<(?:([a-zA-Z_][a-zA-Z0-9_]*):)?([a-zA-Z_][a-zA-Z0-9_]*)>/g;

function escapeRegex(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

export function toViewFunction(view: ViewLike): ViewFunction {
  if (typeof view === 'function' && !('asView' in view && typeof view.asView === 'function')) return view;
  const fn = (view as ViewProvider).asView();
  if (typeof fn !== 'function') throw new ImproperlyConfigured('asView() must return a view function.');
  return fn;
}

function compile(route: string, languageRegex = ''): { regex: RegExp; segments: Segment[]; params: CompiledRoute['params'] } {
  const segments: Segment[] = [];
  const params: CompiledRoute['params'] = [];
  let src = '^';
  let last = 0;
  const mark = route.indexOf(LOCALE_MARK);
  if (mark >= 0) {
    // Only at the start (i18nPatterns is top-level only), so the language is the regex's first group.
    src += languageRegex;
    segments.push({ literal: '', locale: true });
    route = route.slice(mark + LOCALE_MARK.length);
  }
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
  private readonly languages: readonly string[];
  private readonly defaultLanguage: string;
  private readonly currentLanguage: () => string;

  constructor(entries: readonly URLEntry[], languages?: ResolverLanguages) {
    this.languages = (languages?.languages ?? []).map((c) => c.toLowerCase());
    const def = (languages?.defaultLanguage ?? this.languages[0] ?? 'en').toLowerCase();
    // LANGUAGE_CODE 'en-us' with LANGUAGES ['en', ...]: the default language's URLs use 'en'.
    this.defaultLanguage = this.languages.includes(def) ? def : this.languages.find((c) => c === def.split('-')[0])
      ?? this.languages.find((c) => c.split('-')[0] === def.split('-')[0]) ?? def;
    this.currentLanguage = languages?.current ?? (() => this.defaultLanguage);
    this.add(entries, '', '', undefined);
  }

  private languageRegex(locale: { prefixDefaultLanguage: boolean }): string {
    const codes = this.languages.filter((c) => locale.prefixDefaultLanguage || c !== this.defaultLanguage)
      .sort((a, b) => b.length - a.length).map(escapeRegex);
    if (!codes.length) return locale.prefixDefaultLanguage ? '()(?!)' : '()?';
    return locale.prefixDefaultLanguage ? `(${codes.join('|')})/` : `(?:(${codes.join('|')})/)?`;
  }

  private add(entries: readonly URLEntry[], prefix: string, ns: string, locale: CompiledRoute['locale']): void {
    for (const e of entries) {
      if (e.kind === 'include') {
        if (e.locale && (locale || prefix !== '')) {
          throw new ImproperlyConfigured('i18nPatterns() must be used in the site\'s own URL list, not inside include() or another i18nPatterns().');
        }
        this.add(e.patterns, e.locale ? LOCALE_MARK + e.prefix : prefix + e.prefix, e.namespace ? `${ns}${e.namespace}:` : ns, e.locale ?? locale);
        continue;
      }
      const full = prefix + e.route;
      const { regex, segments, params } = compile(full, locale ? this.languageRegex(locale) : '');
      const route = full.replace(LOCALE_MARK, '<language>/');
      const name = e.name === undefined ? undefined : ns + e.name;
      const r: CompiledRoute = {
        index: this.routes.length, route, name, view: toViewFunction(e.view), kwargs: e.kwargs, regex, segments, params, locale,
      };
      this.routes.push(r);
      if (params.length === 0 && !locale) {
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
      const first = r.locale ? 2 : 1;
      for (let i = 0; i < r.params.length; i++) {
        const spec = r.params[i] as CompiledRoute['params'][number];
        try { params[spec.name] = spec.converter.toValue(m[i + first] as string); } catch { params.__failed = true; }
      }
      // A converter that rejects its value (throws) means "this pattern does not match", as in Django.
      if (params.__failed) continue;
      if (r.locale) return { view: r.view, params, name: r.name, route: r.route, language: m[1] ?? this.defaultLanguage };
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
        if (s.locale) out += this.languagePrefix(r.locale as NonNullable<CompiledRoute['locale']>);
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

  /** The active language's URL prefix ('fr/'); '' for the default language when it is not prefixed. */
  private languagePrefix(locale: { prefixDefaultLanguage: boolean }): string {
    const wanted = this.currentLanguage().toLowerCase();
    const lang = this.languages.includes(wanted) ? wanted
      : this.languages.find((c) => c === wanted.split('-')[0]) ?? this.defaultLanguage;
    return !locale.prefixDefaultLanguage && lang === this.defaultLanguage ? '' : `${lang}/`;
  }

  /** Whether some pattern is under i18nPatterns (the locale middleware then reads the language from the path). */
  get usesLanguagePrefix(): boolean { return this.routes.some((r) => r.locale !== undefined); }

  /** Every named route, for system checks. */
  get names(): string[] { return this.routes.flatMap((r) => (r.name ? [r.name] : [])); }
  get routeList(): readonly { route: string; name: string | undefined }[] { return this.routes; }
}
