// Message catalogues: the compiled form (messages.json, written by `paddock-runtime compilemessages` from each
// messages.po) of every locale folder the site has, merged per language in priority order: LOCALE_PATHS, then the
// apps' locale/ folders in the order the site lists its apps, then the runtime's own. Loaded on first use of a
// language and kept; a specific language ('de-at') falls back to its generic one ('de'), and a language other than
// English falls back to LANGUAGE_CODE's catalogue, as in Django.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pluralForms from '@tannin/plural-forms';
import { ImproperlyConfigured } from '../errors.js';
import { normalizeLanguage, toLocaleName } from './languages.js';

/** The domain of every catalogue: locale/<lang>/LC_MESSAGES/messages.po. */
export const DOMAIN = 'messages';

/** gettext's separator between a message's context and its id. */
export const CONTEXT_SEPARATOR = '\u0004';

/** What compilemessages writes beside each messages.po: translated, non-fuzzy messages only. */
export interface CompiledCatalog {
  language: string;
  /** The catalogue's Plural-Forms header, e.g. 'nplurals=2; plural=(n > 1);'. */
  pluralForms: string;
  /** By id ('context\u0004id' with a context): the translation, or its plural forms in the header's order. */
  messages: Record<string, string | string[]>;
  /** SHA-256 of the messages.po it was compiled from, so `check` can tell a catalogue changed since. */
  source?: string;
}

/** The hash a compiled catalogue keeps of its .po. */
export function sourceHash(po: Buffer | string): string {
  return createHash('sha256').update(po).digest('hex');
}

type PluralFn = (n: number) => number;

interface Entry { value: string | string[]; plural: PluralFn }

/** The merged messages of one language. */
export class Translation {
  readonly #entries: Map<string, Entry>;
  constructor(readonly language: string, entries: Map<string, Entry>) { this.#entries = entries; }

  get size(): number { return this.#entries.size; }

  /** The translation of `key` ('context\u0004id' with a context), or undefined. */
  singular(key: string): string | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const v = typeof e.value === 'string' ? e.value : e.value[0];
    return v ? v : undefined;
  }

  /** The plural form of `key` for `n`, or undefined. */
  plural(key: string, n: number): string | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (typeof e.value === 'string') return e.value || undefined;
    const v = e.value[e.plural(Math.abs(Math.trunc(Number.isFinite(n) ? n : 0)))];
    return v ? v : undefined;
  }
}

type Compile = (expression: string) => (n: number) => unknown;
// The package is CommonJS whose module.exports is the function; its types describe an ES default export.
const compilePlural: Compile = typeof pluralForms === 'function'
  ? pluralForms as unknown as Compile : (pluralForms as unknown as { default: Compile }).default;

const pluralCache = new Map<string, PluralFn>();

/** The plural function of a Plural-Forms header (Germanic n != 1 when there is none). */
export function pluralFunction(header: string | undefined): PluralFn {
  const expr = /plural\s*=\s*([^;]+)/.exec(header ?? '')?.[1]?.trim() ?? 'n != 1';
  let fn = pluralCache.get(expr);
  if (!fn) {
    try {
      const compiled = compilePlural(expr);
      fn = (n) => Number(compiled(n)) || 0;
    } catch {
      throw new ImproperlyConfigured(`The Plural-Forms header '${header}' has an expression that cannot be read. Copy the one gettext gives for the language.`);
    }
    pluralCache.set(expr, fn);
  }
  return fn;
}

/** The runtime's own catalogues (forms' messages and the core's pages): src/locale, or dist/locale once built. */
export const RUNTIME_LOCALE_DIR = fileURLToPath(new URL('../locale/', import.meta.url));

/** Where a language's compiled catalogue sits under a locale folder. */
export function catalogFile(localeDir: string, language: string, ext: 'po' | 'json'): string {
  return join(localeDir, toLocaleName(language), 'LC_MESSAGES', `${DOMAIN}.${ext}`);
}

function readCompiled(file: string): CompiledCatalog | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CompiledCatalog;
  } catch (err) {
    throw new ImproperlyConfigured(`${file} is not a compiled catalogue (${(err as Error).message}). Run \`paddock-runtime compilemessages\` again.`);
  }
}

/** The catalogues of a set of locale folders (highest priority first), loaded language by language on first use. */
export class CatalogSet {
  readonly #translations = new Map<string, Translation>();
  constructor(readonly localeDirs: readonly string[], readonly defaultLanguage: string) {}

  /** Drops the loaded languages: they are read again on next use. */
  clear(): void {
    this.#translations.clear();
  }

  translation(language: string): Translation {
    const lang = normalizeLanguage(language);
    let t = this.#translations.get(lang);
    if (!t) {
      t = new Translation(lang, this.#load(lang));
      this.#translations.set(lang, t);
    }
    return t;
  }

  #load(lang: string): Map<string, Entry> {
    const entries = new Map<string, Entry>();
    const generic = lang.split('-')[0] as string;
    const chain = [lang, generic];
    // Django's fallback: untranslated messages of another language come from LANGUAGE_CODE's catalogue (English
    // variants have none worth falling back on: their msgids are the text).
    const def = normalizeLanguage(this.defaultLanguage);
    if (lang !== def && !lang.startsWith('en')) chain.push(def, def.split('-')[0] as string);
    for (const code of [...new Set(chain)]) {
      for (const dir of this.localeDirs) {
        const cat = readCompiled(catalogFile(dir, code, 'json'));
        if (!cat) continue;
        const plural = pluralFunction(cat.pluralForms);
        for (const [k, v] of Object.entries(cat.messages)) if (!entries.has(k)) entries.set(k, { value: v, plural });
      }
    }
    return entries;
  }
}

const sets = new Map<string, CatalogSet>();

/** The catalogues for these folders and default language, shared by every caller asking for the same ones. */
export function catalogSet(localeDirs: readonly string[], defaultLanguage: string): CatalogSet {
  const key = `${defaultLanguage}\n${localeDirs.join('\n')}`;
  let set = sets.get(key);
  if (!set) {
    set = new CatalogSet(localeDirs, defaultLanguage);
    sets.set(key, set);
  }
  return set;
}

/** Forgets every loaded catalogue (after compilemessages in the same process, and in tests). */
export function clearCatalogs(): void {
  for (const set of sets.values()) set.clear();
}
