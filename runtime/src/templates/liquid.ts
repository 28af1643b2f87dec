// The second built-in template engine: LiquidJS (close to Django's template language) with output escaped by default,
// plus {% url %}, {% static %} and {% csrf_token %}. Values may be promises (a related manager, an unrun QuerySet):
// LiquidJS awaits them, so `{% for c in question.choices %}` loads the choices if they were not prefetched.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Context, Emitter, Hash, Liquid, TagToken, TopLevelToken, ValueToken } from 'liquidjs';
import nunjucks from 'nunjucks';
import { TemplateDoesNotExist } from '../errors.js';
import { templateRendered, templateRenderedListened, type TemplateEngine, type TemplateEngineFactory, type TemplateEngineOptions } from './engine.js';

/** Marks a method that changes data (save, delete, update, ...): templates never call it (Django's alters_data). */
export const ALTERS_DATA = Symbol.for('paddock.altersData');

type LiquidModule = typeof import('liquidjs');
let liquidjs: LiquidModule | null = null;

/**
 * LiquidJS, loaded when a site first configures it (a site on Nunjucks alone does not pay for it at boot, which a
 * waking site waits for). LiquidJS calls a function it reads as a property (`{{ post.wasPublishedRecently }}`);
 * methods that change data must not run because a template named them (`{{ post.delete }}`): they read as nothing,
 * as in Django.
 */
function loadLiquid(): LiquidModule {
  if (liquidjs) return liquidjs;
  const mod = createRequire(import.meta.url)('liquidjs') as LiquidModule;
  const readProperty = mod.Context.prototype.readProperty;
  mod.Context.prototype.readProperty = function guarded(this: Context, obj: unknown, key: unknown): unknown {
    if (obj !== null && typeof obj === 'object' && (typeof key === 'string' || typeof key === 'symbol')) {
      const v = (obj as Record<string | symbol, unknown>)[key];
      if (typeof v === 'function' && (v as unknown as Record<symbol, unknown>)[ALTERS_DATA] === true) return undefined;
    }
    return readProperty.call(this, obj as never, key as never);
  };
  return (liquidjs = mod);
}

/** Values marked safe (forms' HTML, SafeString) are written as they are; everything else is escaped. */
function escapeOutput(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof nunjucks.runtime.SafeString) return String(value);
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tag `{% name 'arg' key=value %}` (Django style) or `key: value` (Liquid style) calling `run`. */
function simpleTag(lib: LiquidModule, run: (first: unknown, kwargs: Record<string, unknown>, ctx: Context) => string) {
  const { Hash: HashClass, evalToken } = lib;
  return class extends lib.Tag {
    private readonly first: ValueToken | undefined;
    private readonly hash: Hash;
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      this.first = this.tokenizer.readValue();
      const rest = this.tokenizer.remaining();
      // Commas between arguments are allowed, as in Nunjucks.
      this.hash = new HashClass(rest.replace(/^\s*,/, ''), /^[\s,]*[A-Za-z_]\w*\s*=/.test(rest) ? '=' : false);
    }
    * render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const first = this.first ? yield evalToken(this.first, ctx) : undefined;
      const kwargs = (yield this.hash.render(ctx)) as Record<string, unknown>;
      // A tag's output is not escaped by outputEscape (that applies to {{ }}): what it writes is built safely here.
      emitter.write(run(first, kwargs, ctx));
    }
  };
}

class LiquidEngine implements TemplateEngine {
  private readonly liquid: Liquid;
  private readonly dirs: string[];

  constructor(opts: TemplateEngineOptions) {
    this.dirs = opts.dirs;
    const lib = loadLiquid();
    this.liquid = new lib.Liquid({
      root: opts.dirs,
      partials: opts.dirs,
      layouts: opts.dirs,
      extname: '',
      cache: !opts.debug,
      outputEscape: escapeOutput,
      // Models are classes: their fields' related objects, managers and getters live on prototypes.
      ownPropertyOnly: false,
      strictFilters: true,
      ...(opts.options.liquid as Record<string, unknown> | undefined),
    });
    this.liquid.registerTag('url', simpleTag(lib, (name, kwargs) => escapeOutput(opts.reverse(String(name), kwargs))));
    this.liquid.registerTag('static', simpleTag(lib, (path) => escapeOutput(opts.staticUrl(String(path)))));
    this.liquid.registerTag('csrf_token', simpleTag(lib, (_first, _kw, ctx) => {
      const token = ctx.getSync(['csrf_token']);
      const value = token === undefined || token === null ? '' : escapeOutput(String(token));
      return `<input type="hidden" name="csrfmiddlewaretoken" value="${value}">`;
    }));
    // `| safe` as in Django and Nunjucks (LiquidJS' own name for it is `| raw`).
    this.liquid.registerFilter('safe', { handler: (v: unknown) => v, raw: true });
  }

  has(name: string): boolean {
    return this.dirs.some((d) => existsSync(join(d, name)));
  }

  async render(name: string, context: Record<string, unknown>): Promise<string> {
    if (!this.has(name)) throw new TemplateDoesNotExist(name, this.dirs);
    // The test client's assertTemplateUsed (the templates this one includes or extends are not reported).
    if (templateRenderedListened()) templateRendered({ name, context });
    return this.liquid.renderFile(name, context) as Promise<string>;
  }

  renderString(source: string, context: Record<string, unknown>): Promise<string> {
    return this.liquid.parseAndRender(source, context) as Promise<string>;
  }
}

export const liquidEngine: TemplateEngineFactory = (opts) => new LiquidEngine(opts);
