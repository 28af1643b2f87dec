// What `paddock-runtime makemessages` and `compilemessages` do. makemessages finds the messages marked in a folder's
// TypeScript and JavaScript (calls of gettext, ngettext, pgettext, npgettext, their Lazy forms, gettextNoop and _)
// and templates ({% trans %}, {% blocktrans %}, _() ...), and brings each language's messages.po up to date: new
// messages come in untranslated, translations are kept, messages no longer marked become obsolete (#~).
// compilemessages turns each messages.po into the messages.json the runtime loads, checking every translation.
// .po files are read and written by gettext-parser.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { po, type GetTextTranslation, type GetTextTranslations } from 'gettext-parser';
import { CommandError } from '../errors.js';
import type { TemplateMessage } from '../templates/engine.js';
import { CONTEXT_SEPARATOR, DOMAIN, clearCatalogs, pluralFunction, sourceHash, type CompiledCatalog } from './catalog.js';
import { normalizeLanguage, toLocaleName } from './languages.js';

/** One catalogue to keep up to date: where it lives and what is scanned for it. */
export interface CatalogTarget {
  /** A name for output lines (an app label). */
  label: string;
  /** The locale folder: <localeDir>/<lang>/LC_MESSAGES/messages.po. */
  localeDir: string;
  /** Folders whose .ts/.tsx/.mts/.js/.mjs files are scanned (node_modules, dist, locale and static are skipped). */
  sourceDirs: readonly string[];
  /** Single source files scanned as well (a site's site.ts). */
  sourceFiles?: readonly string[];
  /** Template folders. */
  templateDirs: readonly string[];
  /** Folders left out of the scan (other apps inside this one's folder). */
  exclude?: readonly string[];
  /** References (#: path:line) are relative to this folder. */
  root: string;
}

export interface MakeMessagesOptions {
  targets: readonly CatalogTarget[];
  /** Languages to write (e.g. ['fr', 'de']); with `all`, every language the target's locale folder has already. */
  languages?: readonly string[];
  all?: boolean;
  /** The template engine's message finder (TemplateEngine.messages). */
  templateMessages?: (source: string, file: string) => TemplateMessage[];
  /** What the #: references say: 'full' (file:line, the default), 'file' (fewer changes as code moves), 'never'. */
  addLocation?: 'full' | 'file' | 'never';
  log?: (line: string) => void;
}

interface Found {
  msgid: string;
  plural?: string | undefined;
  context?: string | undefined;
  references: string[];
  comments: string[];
}

const SOURCE_EXT = new Set(['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.jsx']);
const TEMPLATE_EXT = new Set(['.html', '.htm', '.txt', '.xml', '.njk', '.j2', '.jinja', '.svg', '.md']);
const SKIP_DIRS = new Set(['node_modules', 'dist', 'locale', 'static', 'staticfiles', 'migrations']);

function walk(dir: string, exts: Set<string>, skip: (path: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name) && !skip(p)) walk(p, exts, skip, out);
    } else if (exts.has(extname(name)) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Each marking function: where its context, message and plural are among its arguments. */
const CALLS: Record<string, { context?: number; msgid: number; plural?: number }> = {
  _: { msgid: 0 }, gettext: { msgid: 0 }, gettextLazy: { msgid: 0 }, gettextNoop: { msgid: 0 },
  ngettext: { msgid: 0, plural: 1 }, ngettextLazy: { msgid: 0, plural: 1 },
  pgettext: { context: 0, msgid: 1 }, pgettextLazy: { context: 0, msgid: 1 },
  npgettext: { context: 0, msgid: 1, plural: 2 }, npgettextLazy: { context: 0, msgid: 1, plural: 2 },
};

type TS = typeof import('typescript');

async function loadTypeScript(): Promise<TS> {
  try {
    const mod = await import('typescript');
    return ((mod as unknown as { default?: TS }).default ?? mod) as TS;
  } catch {
    throw new CommandError('makemessages reads TypeScript and JavaScript with the `typescript` package, which is not installed. '
      + 'Run `npm install --save-dev typescript` in the site, then makemessages again.');
  }
}

/** The messages a TypeScript or JavaScript source marks, with translator comments (`// Translators: ...`). */
export function sourceMessages(ts: TS, file: string, text: string): Array<Omit<Found, 'references' | 'comments'> & { line: number; comment?: string }> {
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : /\.(m|c)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const out: Array<Omit<Found, 'references' | 'comments'> & { line: number; comment?: string }> = [];
  const str = (node: import('typescript').Node | undefined): string | null => {
    if (!node) return null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isParenthesizedExpression(node)) return str(node.expression);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const a = str(node.left);
      const b = str(node.right);
      return a !== null && b !== null ? a + b : null;
    }
    return null;
  };
  const translatorComment = (node: import('typescript').Node): string | undefined => {
    for (let n: import('typescript').Node | undefined = node; n && n !== sf; n = n.parent) {
      const ranges = ts.getLeadingCommentRanges(text, n.getFullStart()) ?? [];
      const found = ranges.map((r) => text.slice(r.pos, r.end)).reverse().find((c) => /Translators:/i.test(c));
      if (found) return found.replace(/^\/\/\s?|^\/\*+\s?|\s*\*+\/$/g, '').replace(/\n\s*\*?\s?/g, ' ').trim();
      if (ts.isStatement(n) || ts.isPropertyAssignment(n) || ts.isClassElement(n)) break;
    }
    return undefined;
  };
  const visit = (node: import('typescript').Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const spec = Object.hasOwn(CALLS, name) ? CALLS[name] : undefined;
      if (spec) {
        const msgid = str(node.arguments[spec.msgid]);
        const plural = spec.plural === undefined ? undefined : str(node.arguments[spec.plural]);
        const context = spec.context === undefined ? undefined : str(node.arguments[spec.context]);
        if (msgid !== null && plural !== null && context !== null) {
          const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
          out.push({ msgid, plural, context, line, comment: translatorComment(node) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The messages of one target, in file order. */
async function collect(target: CatalogTarget, options: MakeMessagesOptions, ts: TS | null): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  const excluded = (p: string) => (target.exclude ?? []).some((x) => p === x || p.startsWith(x + sep));
  const add = (m: { msgid: string; plural?: string | undefined; context?: string | undefined; comment?: string | undefined }, file: string, line: number) => {
    if (m.msgid === '') return;
    const key = m.context === undefined ? m.msgid : `${m.context}${CONTEXT_SEPARATOR}${m.msgid}`;
    let f = found.get(key);
    if (!f) {
      f = { msgid: m.msgid, plural: m.plural, context: m.context, references: [], comments: [] };
      found.set(key, f);
    }
    if (m.plural && !f.plural) f.plural = m.plural;
    const where = options.addLocation ?? 'full';
    const ref = `${relative(target.root, file).split(sep).join('/')}${where === 'full' ? `:${line}` : ''}`;
    if (where !== 'never' && !f.references.includes(ref)) f.references.push(ref);
    if (m.comment && !f.comments.includes(m.comment)) f.comments.push(m.comment);
  };
  const sources = [...(target.sourceFiles ?? []), ...target.sourceDirs.flatMap((d) => walk(d, SOURCE_EXT, excluded))];
  for (const file of [...new Set(sources)]) {
    const text = readFileSync(file, 'utf8');
    if (!/\b(?:_|[np]{0,2}gettext(?:Lazy|Noop)?)\s*\(/.test(text)) continue;
    ts ??= await loadTypeScript();
    for (const m of sourceMessages(ts, file, text)) add(m, file, m.line);
  }
  for (const dir of target.templateDirs) {
    for (const file of walk(dir, TEMPLATE_EXT, excluded)) {
      if (!options.templateMessages) continue;
      let list: TemplateMessage[];
      try {
        list = options.templateMessages(readFileSync(file, 'utf8'), file);
      } catch (err) {
        throw new CommandError(`makemessages could not read the template ${file}: ${(err as Error).message}`);
      }
      for (const m of list) add(m, file, m.line);
    }
  }
  return found;
}

/** Plural-Forms of common languages, for a new catalogue (the same as gettext's msginit). */
const PLURAL_FORMS: Record<string, string> = {
  ar: 'nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);',
  cs: 'nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;',
  fr: 'nplurals=2; plural=(n > 1);', 'pt-br': 'nplurals=2; plural=(n > 1);', tr: 'nplurals=2; plural=(n > 1);',
  ja: 'nplurals=1; plural=0;', ko: 'nplurals=1; plural=0;', zh: 'nplurals=1; plural=0;', vi: 'nplurals=1; plural=0;', id: 'nplurals=1; plural=0;',
  pl: 'nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);',
  ru: 'nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);',
  uk: 'nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);',
  sk: 'nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;',
  ro: 'nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);',
  he: 'nplurals=2; plural=(n != 1);',
};

export function pluralFormsFor(language: string): string {
  const code = normalizeLanguage(language);
  return PLURAL_FORMS[code] ?? PLURAL_FORMS[code.split('-')[0] as string] ?? 'nplurals=2; plural=(n != 1);';
}

function nplurals(header: string): number {
  return Number(/nplurals\s*=\s*(\d+)/.exec(header)?.[1] ?? 2);
}

function languagesOf(localeDir: string): string[] {
  if (!existsSync(localeDir)) return [];
  return readdirSync(localeDir).filter((n) => existsSync(join(localeDir, n, 'LC_MESSAGES', `${DOMAIN}.po`))).sort();
}

function keyOf(t: GetTextTranslation): string {
  return t.msgctxt ? `${t.msgctxt}${CONTEXT_SEPARATOR}${t.msgid}` : t.msgid;
}

/** The catalogue for `language` brought up to date with `found`; returns the counts for the output line. */
function updateCatalog(file: string, language: string, found: Map<string, Found>): { total: number; added: number; obsolete: number; changed: boolean } {
  const existing: GetTextTranslations | null = existsSync(file) ? po.parse(readFileSync(file)) : null;
  const headers = existing?.headers ?? {
    'Project-Id-Version': 'PACKAGE VERSION',
    Language: toLocaleName(language),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Transfer-Encoding': '8bit',
    'Plural-Forms': pluralFormsFor(language),
  };
  const n = nplurals(headers['Plural-Forms'] ?? '');
  const old = new Map<string, GetTextTranslation>();
  for (const section of [existing?.translations ?? {}, existing?.obsolete ?? {}]) {
    for (const msgs of Object.values(section)) for (const t of Object.values(msgs)) if (t.msgid) old.set(keyOf(t), t);
  }
  const translations: GetTextTranslations['translations'] = { '': { '': { msgid: '', msgstr: [''] } } };
  let added = 0;
  for (const [key, f] of found) {
    const prev = old.get(key);
    old.delete(key);
    if (!prev) added++;
    const msgstr = prev?.msgstr?.length ? [...prev.msgstr] : [];
    const size = f.plural ? n : 1;
    while (msgstr.length < size) msgstr.push('');
    msgstr.length = size;
    const flags = (prev?.comments?.flag ?? '').split(',').map((x) => x.trim()).filter((x) => x && x !== 'brace-format');
    const entry: GetTextTranslation = {
      msgid: f.msgid, msgstr,
      comments: {
        ...(prev?.comments?.translator ? { translator: prev.comments.translator } : {}),
        ...(f.comments.length ? { extracted: f.comments.join('\n') } : {}),
        ...(f.references.length ? { reference: f.references.join('\n') } : {}),
        ...(flags.length ? { flag: flags.join(', ') } : {}),
      },
    };
    if (f.context !== undefined) entry.msgctxt = f.context;
    if (f.plural) entry.msgid_plural = f.plural;
    ((translations[f.context ?? ''] ??= {}) as Record<string, GetTextTranslation>)[f.msgid] = entry;
  }
  // Messages no longer marked stay at the end as #~ lines while they hold a translation (gettext's msgmerge does the same).
  const obsolete: GetTextTranslations['translations'] = {};
  let obsoleteCount = 0;
  for (const t of old.values()) {
    if (!t.msgstr.some((s) => s)) continue;
    obsoleteCount++;
    const { comments: _c, ...rest } = t;
    ((obsolete[t.msgctxt ?? ''] ??= {}) as Record<string, GetTextTranslation>)[t.msgid] = { ...rest, ...(t.comments?.translator ? { comments: { translator: t.comments.translator } } : {}) };
  }
  const out = po.compile({ charset: 'utf-8', headers, translations, obsolete }, { foldLength: 79 });
  const before = existsSync(file) ? readFileSync(file) : null;
  const changed = !before || !before.equals(out);
  if (changed) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, out);
  }
  return { total: found.size, added, obsolete: obsoleteCount, changed };
}

/** Brings the catalogues of each target up to date; returns the .po files written. */
export async function makeMessages(options: MakeMessagesOptions): Promise<string[]> {
  const log = options.log ?? (() => {});
  if (!options.all && !options.languages?.length) {
    throw new CommandError('makemessages needs the languages to write: -l fr (repeat for more), or --all for every language the catalogues have.', { usage: true });
  }
  for (const l of options.languages ?? []) {
    if (!/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/.test(l)) throw new CommandError(`'${l}' is not a language code. Use codes such as fr, de, pt_BR.`, { usage: true });
  }
  const written: string[] = [];
  for (const target of options.targets) {
    const found = await collect(target, options, null);
    const languages = options.all ? languagesOf(target.localeDir) : (options.languages ?? []).map(normalizeLanguage);
    for (const language of languages) {
      const file = join(target.localeDir, toLocaleName(language), 'LC_MESSAGES', `${DOMAIN}.po`);
      // A folder that marks nothing gets no catalogue (a site without messages of its own, say).
      if (!found.size && !existsSync(file)) continue;
      const r = updateCatalog(file, language, found);
      log(`${target.label}: ${relative(target.root, file).split(sep).join('/')}: ${r.total} message${r.total === 1 ? '' : 's'}, ${r.added} new, ${r.obsolete} obsolete${r.changed ? '' : ' (unchanged)'}`);
      if (r.changed) written.push(file);
    }
  }
  return written;
}

export interface CompileMessagesOptions {
  /** Locale folders whose <lang>/LC_MESSAGES/messages.po are compiled. */
  localeDirs: readonly string[];
  /** Only these languages (default: every one found). */
  languages?: readonly string[];
  log?: (line: string) => void;
}

function placeholders(text: string): string {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
}

/** One compiled catalogue, or the problems that keep it from compiling. */
export function compileCatalog(file: string, language: string): { catalog: CompiledCatalog; problems: string[] } {
  let parsed: GetTextTranslations;
  const raw = readFileSync(file);
  try {
    parsed = po.parse(raw);
  } catch (err) {
    return { catalog: { language, pluralForms: '', messages: {} }, problems: [`${file}: ${(err as Error).message}`] };
  }
  const pluralForms = parsed.headers['Plural-Forms'] ?? 'nplurals=2; plural=(n != 1);';
  const problems: string[] = [];
  try { pluralFunction(pluralForms); } catch (err) { problems.push(`${file}: ${(err as Error).message}`); }
  const n = nplurals(pluralForms);
  const messages: Record<string, string | string[]> = {};
  for (const msgs of Object.values(parsed.translations)) {
    for (const t of Object.values(msgs)) {
      if (!t.msgid) continue;
      if ((t.comments?.flag ?? '').split(',').some((f) => f.trim() === 'fuzzy')) continue;
      if (!t.msgstr.some((s) => s)) continue;
      const where = `${file}: "${t.msgid.length > 60 ? `${t.msgid.slice(0, 57)}...` : t.msgid}"`;
      // A translation must use the placeholders of its original, no more and no fewer: {name} is filled from code.
      const expected = placeholders(t.msgid);
      const expectedPlural = t.msgid_plural ? placeholders(t.msgid_plural) : expected;
      t.msgstr.forEach((s, i) => {
        if (!s) return;
        const wanted = t.msgid_plural && i > 0 ? expectedPlural : expected;
        const got = placeholders(s);
        // A singular form may leave out the count (« une page » for {count} page).
        if (got !== wanted && !(t.msgid_plural && got === wanted.split(',').filter((p) => p !== 'count').join(','))) {
          problems.push(`${where}: the translation${t.msgid_plural ? ` (form ${i})` : ''} uses {${got.split(',').join('}, {')}} where the original uses {${wanted.split(',').join('}, {')}}.`);
        }
      });
      if (t.msgid_plural && t.msgstr.length !== n) problems.push(`${where}: ${t.msgstr.length} plural forms where Plural-Forms says ${n}.`);
      messages[keyOf(t)] = t.msgid_plural ? t.msgstr : (t.msgstr[0] as string);
    }
  }
  return { catalog: { language, pluralForms, messages, source: sourceHash(raw) }, problems };
}

/** Compiles every messages.po under the folders into messages.json; CommandError listing every problem found. */
export function compileMessages(options: CompileMessagesOptions): string[] {
  const log = options.log ?? (() => {});
  const only = options.languages?.map((l) => toLocaleName(l));
  const written: string[] = [];
  const problems: string[] = [];
  for (const dir of options.localeDirs) {
    for (const name of languagesOf(dir)) {
      if (only && !only.includes(name)) continue;
      const file = join(dir, name, 'LC_MESSAGES', `${DOMAIN}.po`);
      const { catalog, problems: p } = compileCatalog(file, normalizeLanguage(name));
      if (p.length) { problems.push(...p); continue; }
      const target = join(dir, name, 'LC_MESSAGES', `${DOMAIN}.json`);
      writeFileSync(target, `${JSON.stringify(catalog, null, 1)}\n`);
      written.push(target);
      const shown = relative(process.cwd(), file);
      log(`compiled ${shown.startsWith('..') ? file : shown.split(sep).join('/')} (${Object.keys(catalog.messages).length} translated)`);
    }
  }
  clearCatalogs();
  if (problems.length) throw new CommandError(`compilemessages found ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix the .po files and run it again:\n${problems.join('\n')}`);
  return written;
}
