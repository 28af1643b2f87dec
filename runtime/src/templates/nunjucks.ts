// The built-in template engine: Nunjucks with auto-escaping on, plus {% url %}, {% static %} and {% csrf_token %}, and
// the translation and localisation tags and filters of i18n-tags.ts ({% trans %}, {% blocktrans %}, date, number, ...).
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { TemplateDoesNotExist } from '../errors.js';
import { templateRendered, templateRenderedListened, type TemplateEngine, type TemplateEngineFactory, type TemplateEngineOptions, type TemplateMessage } from './engine.js';
import { addI18n, templateMessages } from './i18n-tags.js';

/** The context of the render in progress, so the templates it extends and includes are reported with it. */
const rendering = new AsyncLocalStorage<Record<string, unknown>>();

interface Token { type: string; value: string; lineno: number; colno: number }
interface NodeLike { lineno: number; colno: number; children: NodeLike[]; addChild(n: NodeLike): void }
interface ParserLike {
  nextToken(): Token;
  peekToken(): Token;
  parseExpression(): NodeLike;
  skipValue(type: string, value: string): boolean;
  advanceAfterBlockEnd(name: string): void;
}
type NodeCtor = new (lineno: number, colno: number, ...rest: unknown[]) => NodeLike;
interface NodesLike { CallExtension: new (ext: object, method: string, args: unknown, body?: unknown) => unknown; NodeList: NodeCtor; KeywordArgs: NodeCtor; Pair: NodeCtor }
interface LexerLike { TOKEN_BLOCK_END: string; TOKEN_COMMA: string; TOKEN_OPERATOR: string }
interface KeywordArgs { __keywords?: true; [k: string]: unknown }

function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> } {
  const last = args[args.length - 1] as KeywordArgs | undefined;
  if (last && typeof last === 'object' && last.__keywords) {
    const { __keywords: _k, ...kwargs } = last;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

/**
 * A tag `{% name arg key=value %}` that calls `run(...)` and prints its result. Arguments are separated by
 * spaces as in Django ({% url 'blog:detail' slug=post.slug %}); commas are accepted too.
 */
function simpleTag(tag: string, run: (positional: unknown[], kwargs: Record<string, unknown>, ctx: Record<string, unknown>) => unknown): nunjucks.Extension {
  const ext = {
    tags: [tag],
    parse(parser: ParserLike, nodes: NodesLike, lexer: LexerLike) {
      const tok = parser.nextToken();
      const args = new nodes.NodeList(tok.lineno, tok.colno);
      const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
      for (;;) {
        const next = parser.peekToken();
        if (!next || next.type === lexer.TOKEN_BLOCK_END) break;
        if (next.type === lexer.TOKEN_COMMA) { parser.nextToken(); continue; }
        const expr = parser.parseExpression();
        if (parser.skipValue(lexer.TOKEN_OPERATOR, '=')) {
          kwargs.addChild(new nodes.Pair(expr.lineno, expr.colno, expr, parser.parseExpression()));
        } else args.addChild(expr);
      }
      if (kwargs.children.length > 0) args.addChild(kwargs);
      parser.advanceAfterBlockEnd(tok.value);
      return new nodes.CallExtension(ext, 'run', args);
    },
    run(context: { ctx: Record<string, unknown> }, ...args: unknown[]) {
      const { positional, kwargs } = splitArgs(args);
      return run(positional, kwargs, context.ctx);
    },
  };
  return ext as unknown as nunjucks.Extension;
}

class NunjucksEngine implements TemplateEngine {
  private readonly env: nunjucks.Environment;
  private readonly dirs: string[];

  constructor(opts: TemplateEngineOptions) {
    this.dirs = opts.dirs;
    const loader = new nunjucks.FileSystemLoader(opts.dirs, { noCache: false, watch: false });
    this.env = new nunjucks.Environment(loader, {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: opts.options.trimBlocks === true,
      lstripBlocks: opts.options.lstripBlocks === true,
    });
    const reverse = opts.reverse;
    this.env.addExtension('url', simpleTag('url', (pos, kw) => reverse(String(pos[0]), kw)));
    this.env.addExtension('static', simpleTag('static', (pos) => opts.staticUrl(String(pos[0]))));
    this.env.addExtension('csrf_token', simpleTag('csrf_token', (_pos, _kw, ctx) => {
      const token = ctx.csrf_token === undefined ? '' : String(ctx.csrf_token);
      return new nunjucks.runtime.SafeString(`<input type="hidden" name="csrfmiddlewaretoken" value="${token}">`);
    }));
    this.env.addGlobal('url', (name: string, params?: Record<string, unknown>) => reverse(name, params));
    this.env.addGlobal('static', (path: string) => opts.staticUrl(path));
    addI18n(this.env);
    // Safe inside <script> and single-quoted attributes (as Jinja's tojson). A double-quoted
    // attribute cannot be made safe without breaking the JSON's own quotes: use `dump` there.
    this.env.addFilter('json', (v: unknown) => new nunjucks.runtime.SafeString(
      JSON.stringify(v)?.replace(/[<>&'\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) ?? 'null'));

    // Extra tags from TEMPLATES.OPTIONS.extensions (e.g. the cache battery's {% cache %} fragment tag).
    const extra = opts.options.extensions as Record<string, nunjucks.Extension> | undefined;
    for (const [name, ext] of Object.entries(extra ?? {})) this.env.addExtension(name, ext);

    // Every template a render loads ({% extends %}, {% include %}, {% import %}) goes through getTemplate: report it.
    const getTemplate = this.env.getTemplate.bind(this.env) as (...args: unknown[]) => unknown;
    (this.env as unknown as { getTemplate: (...args: unknown[]) => unknown }).getTemplate = (name: unknown, ...rest: unknown[]) => {
      const context = rendering.getStore();
      if (context && typeof name === 'string') templateRendered({ name, context });
      return getTemplate(name, ...rest);
    };
  }

  messages(source: string): TemplateMessage[] {
    return templateMessages(source, (this.env as unknown as { extensionsList: object[] }).extensionsList);
  }

  has(name: string): boolean {
    return this.dirs.some((d) => existsSync(join(d, name)));
  }

  render(name: string, context: Record<string, unknown>): Promise<string> {
    const run = () => new Promise<string>((resolve, reject) => {
      this.env.render(name, context, (err, out) => {
        if (err) reject(this.translate(err, name)); else resolve(out ?? '');
      });
    });
    return templateRenderedListened() ? rendering.run(context, run) : run();
  }

  renderString(source: string, context: Record<string, unknown>): Promise<string> {
    return new Promise((resolve, reject) => {
      this.env.renderString(source, context, (err, out) => (err ? reject(err) : resolve(out ?? '')));
    });
  }

  private translate(err: Error, name: string): Error {
    if (/template not found/i.test(err.message) && err.message.includes(name)) return new TemplateDoesNotExist(name, this.dirs);
    return err;
  }
}

export const nunjucksEngine: TemplateEngineFactory = (opts) => new NunjucksEngine(opts);
