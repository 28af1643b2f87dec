// Translation and localisation in Nunjucks templates (Django's {% load i18n %} and {% load tz %}, always loaded):
//   {% trans "Log in" %}  {% trans "May" context "month name" %}  {{ _("Log in") }}
//   {% blocktrans name=user.username count=n %}{{ name }} has one post.{% plural %}{{ name }} has {{ count }} posts.{% endblocktrans %}
//   {% language "fr" %}...{% endlanguage %}  {% timezone "Asia/Tokyo" %}...{% endtimezone %}
//   {{ when | date('long', 'short') }}  {{ amount | number(2) }}  {{ when | localtime }} {{ when | utc }} {{ when | timezone('Europe/Paris') }}
// and how makemessages finds the messages a template marks.
import nunjucks from 'nunjucks';
import { escapeHtml } from '../forms/html.js';
import { formatDate, formatNumber, toDate, ZonedDate, type DateFormat, type DateStyle } from '../i18n/formats.js';
import { languageInfo } from '../i18n/languages.js';
import { interpolate } from '../i18n/lazy.js';
import { gettext, getLanguage, getLanguageBidi, ngettext, npgettext, override, pgettext } from '../i18n/translation.js';
import { activeSite } from '../i18n/context.js';
import { checkTimezone, getCurrentTimezone, overrideTimezone } from '../timezone/timezone.js';
import type { TemplateMessage } from './engine.js';

interface NodeLike {
  lineno: number; colno: number; value?: unknown; children: NodeLike[]; fields?: readonly string[];
  typename?: string; addChild(n: NodeLike): void; [k: string]: unknown;
}
interface Token { type: string; value: string; lineno: number; colno: number }
interface ParserLike {
  nextToken(): Token;
  peekToken(): Token;
  parseExpression(): NodeLike;
  parseUntilBlocks(...names: string[]): NodeLike;
  skipSymbol(name: string): boolean;
  skipValue(type: string, value: string): boolean;
  advanceAfterBlockEnd(name?: string): void;
  fail(message: string, lineno?: number, colno?: number): never;
}
type Ctor = new (lineno: number, colno: number, ...rest: unknown[]) => NodeLike;
interface Nodes {
  CallExtension: new (ext: object, method: string, args: NodeLike, body?: unknown[]) => NodeLike;
  NodeList: Ctor; KeywordArgs: Ctor; Pair: Ctor; Literal: Ctor; Symbol: Ctor; Output: Ctor; TemplateData: Ctor;
}
interface Lexer { TOKEN_BLOCK_END: string; TOKEN_COMMA: string; TOKEN_OPERATOR: string; TOKEN_SYMBOL: string }
type Body = () => string;

const { SafeString } = nunjucks.runtime;

/** Where the message a tag marks is kept on its node, for makemessages. */
const MESSAGE = '__paddockMessage';

function kwargsOf(args: unknown[]): Record<string, unknown> {
  const last = args[args.length - 1] as { __keywords?: boolean } | undefined;
  if (!last || typeof last !== 'object' || !last.__keywords) return {};
  const { __keywords: _k, ...rest } = last as Record<string, unknown>;
  return rest;
}

function literal(nodes: Nodes, at: Token, value: unknown): NodeLike {
  return new nodes.Literal(at.lineno, at.colno, value);
}

/** {% trans "text" [context "ctx"] %}: a literal is template text (not escaped); a variable's translation is. */
const trans = {
  tags: ['trans', 'translate'],
  parse(parser: ParserLike, nodes: Nodes) {
    const tok = parser.nextToken();
    const message = parser.parseExpression();
    let context: NodeLike | null = null;
    if (parser.skipSymbol('context')) context = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    const isLiteral = message.typename === 'Literal' && typeof message.value === 'string';
    const args = new nodes.NodeList(tok.lineno, tok.colno);
    args.addChild(message);
    args.addChild(context ?? literal(nodes, tok, null));
    const call = new nodes.CallExtension(trans, isLiteral ? 'literal' : 'variable', args);
    if (isLiteral && (!context || context.typename === 'Literal')) {
      call[MESSAGE] = { msgid: message.value as string, context: context ? String(context.value) : undefined, line: tok.lineno + 1 } satisfies TemplateMessage;
    }
    return call;
  },
  literal(_ctx: unknown, message: string, context: unknown) {
    return new SafeString(context == null ? gettext(message) : pgettext(String(context), message));
  },
  variable(_ctx: unknown, message: unknown, context: unknown) {
    if (message instanceof SafeString) return new SafeString(context == null ? gettext(String(message)) : pgettext(String(context), String(message)));
    return message == null ? '' : context == null ? gettext(String(message)) : pgettext(String(context), String(message));
  },
};

/** The text of a {% blocktrans %} body: template text with `{name}` for each {{ name }}, and the names used. */
function bodyMessage(parser: ParserLike, body: NodeLike, names: Set<string>): string {
  let text = '';
  for (const out of body.children) {
    if (out.typename !== 'Output') parser.fail('{% blocktrans %} may hold only text and {{ variable }} (no other tags).', out.lineno, out.colno);
    for (const child of out.children) {
      if (child.typename === 'TemplateData') text += String(child.value);
      else if (child.typename === 'Symbol') {
        names.add(String(child.value));
        text += `{${String(child.value)}}`;
      } else {
        parser.fail('{% blocktrans %} may print only plain variables: give the value a name, as in {% blocktrans name=user.username %}{{ name }}...',
          child.lineno, child.colno);
      }
    }
  }
  return text;
}

/** {% blocktrans [count=n] [context="ctx"] [trimmed] name=value ... %}text {{ name }}{% plural %}...{% endblocktrans %} */
const blocktrans = {
  tags: ['blocktrans', 'blocktranslate'],
  parse(parser: ParserLike, nodes: Nodes, lexer: Lexer) {
    const tok = parser.nextToken();
    const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
    const given = new Set<string>();
    let trimmed = false;
    let context: NodeLike | null = null;
    let hasCount = false;
    for (;;) {
      const next = parser.peekToken();
      if (!next || next.type === lexer.TOKEN_BLOCK_END) break;
      if (next.type === lexer.TOKEN_COMMA) { parser.nextToken(); continue; }
      const key = parser.parseExpression();
      if (!parser.skipValue(lexer.TOKEN_OPERATOR, '=')) {
        if (key.typename === 'Symbol' && key.value === 'trimmed') { trimmed = true; continue; }
        parser.fail('{% blocktrans %} takes name=value pairs (count=..., context=..., any name the text prints) and `trimmed`.', key.lineno, key.colno);
      }
      const value = parser.parseExpression();
      if (key.typename !== 'Symbol') parser.fail('{% blocktrans %}: the name before = must be a plain name.', key.lineno, key.colno);
      const name = String(key.value);
      if (name === 'context') { context = value; continue; }
      if (name === 'count') hasCount = true;
      given.add(name);
      kwargs.addChild(new nodes.Pair(key.lineno, key.colno, key, value));
    }
    parser.advanceAfterBlockEnd(tok.value);
    const names = new Set<string>();
    let singular = bodyMessage(parser, parser.parseUntilBlocks('plural', 'endblocktrans', 'endblocktranslate'), names);
    let plural: string | null = null;
    if (parser.skipSymbol('plural')) {
      if (!hasCount) parser.fail('{% plural %} needs count=... on its {% blocktrans %}.', tok.lineno, tok.colno);
      parser.advanceAfterBlockEnd('plural');
      plural = bodyMessage(parser, parser.parseUntilBlocks('endblocktrans', 'endblocktranslate'), names);
    } else if (hasCount) {
      parser.fail('{% blocktrans count=... %} needs a {% plural %} form.', tok.lineno, tok.colno);
    }
    parser.advanceAfterBlockEnd();
    if (trimmed) {
      singular = trim(singular);
      if (plural !== null) plural = trim(plural);
    }
    // Names the text prints but the tag does not set are read where the tag stands (loop variables included).
    for (const name of names) {
      if (!given.has(name)) kwargs.addChild(new nodes.Pair(tok.lineno, tok.colno, new nodes.Symbol(tok.lineno, tok.colno, name), new nodes.Symbol(tok.lineno, tok.colno, name)));
    }
    const args = new nodes.NodeList(tok.lineno, tok.colno);
    args.addChild(literal(nodes, tok, singular));
    args.addChild(literal(nodes, tok, plural));
    args.addChild(context ?? literal(nodes, tok, null));
    if (kwargs.children.length) args.addChild(kwargs);
    const call = new nodes.CallExtension(blocktrans, 'run', args);
    if (!context || context.typename === 'Literal') {
      call[MESSAGE] = { msgid: singular, plural: plural ?? undefined, context: context ? String(context.value) : undefined, line: tok.lineno + 1 } satisfies TemplateMessage;
    }
    return call;
  },
  run(_ctx: unknown, singular: string, plural: string | null, context: unknown, ...rest: unknown[]) {
    const vars = kwargsOf(rest);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) params[k] = escapeHtml(v);
    const ctx = context == null ? null : String(context);
    let text: string;
    if (plural !== null) {
      const n = Number(vars.count);
      text = ctx === null ? ngettext(singular, plural, n, params) : npgettext(ctx, singular, plural, n, params);
    } else {
      text = interpolate(ctx === null ? gettext(singular) : pgettext(ctx, singular), params);
    }
    return new SafeString(text);
  },
};

function trim(s: string): string {
  return s.trim().replace(/\s*\n\s*/g, ' ');
}

/** A block tag `{% name value %}...{% endname %}` that renders its body with `wrap`. */
function scopeTag(name: string, wrap: (value: unknown, body: Body) => string) {
  const ext = {
    tags: [name],
    parse(parser: ParserLike, nodes: Nodes) {
      const tok = parser.nextToken();
      const args = new nodes.NodeList(tok.lineno, tok.colno);
      args.addChild(parser.parseExpression());
      parser.advanceAfterBlockEnd(tok.value);
      const body = parser.parseUntilBlocks(`end${name}`);
      parser.advanceAfterBlockEnd();
      return new nodes.CallExtension(ext, 'run', args, [body]);
    },
    run(_ctx: unknown, value: unknown, body: Body) {
      return new SafeString(wrap(value, body));
    },
  };
  return ext;
}

const languageTag = scopeTag('language', (value, body) => override(value == null || value === '' ? null : String(value), body));
const timezoneTag = scopeTag('timezone', (value, body) => overrideTimezone(value == null || value === '' ? null : String(value), body));

/** The i18n tags by name, for Environment.addExtension. */
export const i18nExtensions: Readonly<Record<string, nunjucks.Extension>> = {
  trans: trans as unknown as nunjucks.Extension,
  blocktrans: blocktrans as unknown as nunjucks.Extension,
  language: languageTag as unknown as nunjucks.Extension,
  timezone: timezoneTag as unknown as nunjucks.Extension,
};

/** Adds the i18n and time zone tags, filters and globals to a Nunjucks environment. */
export function addI18n(env: nunjucks.Environment): void {
  for (const [name, ext] of Object.entries(i18nExtensions)) env.addExtension(name, ext);
  env.addGlobal('_', (m: unknown, params?: Record<string, unknown>) => gettext(String(m ?? ''), params));
  env.addGlobal('gettext', (m: unknown, params?: Record<string, unknown>) => gettext(String(m ?? ''), params));
  env.addGlobal('ngettext', (s: string, p: string, n: number, params?: Record<string, unknown>) => ngettext(s, p, Number(n), params));
  env.addGlobal('pgettext', (c: string, m: string, params?: Record<string, unknown>) => pgettext(c, m, params));
  env.addGlobal('npgettext', (c: string, s: string, p: string, n: number, params?: Record<string, unknown>) => npgettext(c, s, p, Number(n), params));
  env.addGlobal('get_current_language', getLanguage);
  env.addGlobal('get_current_language_bidi', getLanguageBidi);
  env.addGlobal('get_current_timezone', getCurrentTimezone);
  env.addGlobal('language_info', (code: string) => languageInfo(String(code), activeSite()?.settings.LANGUAGES ?? []));
  env.addFilter('date', (d: unknown, format?: DateFormat, timeStyle?: DateStyle) => formatDate(d, format ?? 'iso', timeStyle));
  env.addFilter('number', (n: unknown, digits?: number, options?: Intl.NumberFormatOptions) => formatNumber(n, digits, options));
  env.addFilter('localtime', (d: unknown) => zoned(d, getCurrentTimezone()));
  env.addFilter('utc', (d: unknown) => zoned(d, 'UTC'));
  env.addFilter('timezone', (d: unknown, zone: string) => zoned(d, checkTimezone(String(zone), 'The timezone filter\'s zone')));
}

function zoned(value: unknown, zone: string): ZonedDate | '' {
  const d = toDate(value);
  return d ? new ZonedDate(d.date, zone) : '';
}

const CALLS: Record<string, { plural: boolean; context: boolean }> = {
  _: { plural: false, context: false },
  gettext: { plural: false, context: false },
  ngettext: { plural: true, context: false },
  pgettext: { plural: false, context: true },
  npgettext: { plural: true, context: true },
};

/**
 * The messages a template marks: {% trans %} and {% blocktrans %} with literal text, and _(), gettext(), ngettext(),
 * pgettext() and npgettext() called with literal strings. `extensions` are the environment's own tags, which the
 * parser must know.
 */
export function templateMessages(source: string, extensions: readonly object[]): TemplateMessage[] {
  const parser = (nunjucks as unknown as { parser: { parse(src: string, ext: readonly object[]): NodeLike } }).parser;
  const root = parser.parse(source, extensions);
  const out: TemplateMessage[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { for (const n of node) visit(n); return; }
    const n = node as NodeLike;
    const found = n[MESSAGE] as TemplateMessage | undefined;
    if (found) out.push(found);
    if (n.typename === 'FunCall') {
      const callee = n.name as NodeLike | undefined;
      const spec = callee?.typename === 'Symbol' ? CALLS[String(callee.value)] : undefined;
      const args = (n.args as NodeLike | undefined)?.children ?? [];
      const strings = args.map((a) => (a.typename === 'Literal' && typeof a.value === 'string' ? a.value : null));
      if (spec) {
        const at = spec.context ? 1 : 0;
        const msgid = strings[at];
        const plural = spec.plural ? strings[at + 1] : undefined;
        const context = spec.context ? strings[0] : undefined;
        if (msgid != null && (!spec.plural || plural != null) && (!spec.context || context != null)) {
          out.push({ msgid, plural: plural ?? undefined, context: context ?? undefined, line: n.lineno + 1 });
        }
      }
    }
    for (const field of n.fields ?? []) visit(n[field]);
  };
  visit(root);
  return out;
}
