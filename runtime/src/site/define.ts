// What site.ts default-exports: defineSite({ apps, urls, settings }), and how an app entry names its folder and
// plugs into the site: its folder gives models, admin, templates/, static/ and migrations/; its AppConfig adds
// management commands and context processors. The built-in apps (contrib/) plug in exactly this way.
import { isAbsolute, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandEntry } from '../commands/command.js';
import type { Request } from '../http/request.js';
import { ImproperlyConfigured } from '../errors.js';
import type { SiteSettings } from '../settings.js';
import type { ContextProcessor } from '../templates/engine.js';
import type { URLEntry } from '../urls/patterns.js';
import type { ViewFunction } from '../urls/resolver.js';

/** An installed app: a label ('blog') and the folder holding models.ts, views.ts, templates/, static/, migrations/. */
export interface AppConfig {
  readonly label: string;
  readonly dir: string;
  /**
   * Management commands by name, run as `paddock-runtime <name>` and listed by `paddock-runtime help`. Without it,
   * the app's commands are the modules of its commands/ folder (commands/greet.ts is `greet`), each
   * `export default defineCommand({ help, run })`.
   */
  readonly commands?: Readonly<Record<string, CommandEntry>> | undefined;
  /** Variables for every template rendered with a request, after the runtime's own ({{ request }}, {{ csrf_token }}). */
  readonly contextProcessors?: readonly ContextProcessor[] | undefined;
  /** How the app signs people in, when it does (authApp): what the test client's login() and forceLogin() use. */
  readonly authentication?: Authentication | undefined;
}

/**
 * Signing in, as an app provides it (authApp does). The core knows no user model: whatever signs people in plugs in
 * here, and the test client (@paddock/runtime/test) goes through the first app of the site that has it.
 */
export interface Authentication {
  /** The user these credentials belong to (checked as the login page checks them), or null. */
  authenticate(credentials: Readonly<Record<string, string>>, req: Request): Promise<unknown>;
  /** Signs `user` into the request's session (run inside the site's middleware, so the session cookie goes out). */
  login(req: Request, user: unknown): Promise<void>;
  /** Ends the request's session. */
  logout(req: Request): Promise<void>;
}

/** What an app adds to a site besides its folder. */
export interface AppOptions {
  commands?: Readonly<Record<string, CommandEntry>>;
  contextProcessors?: readonly ContextProcessor[];
  authentication?: Authentication;
}

/** 'blog' (a folder beside site.ts), './apps/blog', or an AppConfig (built-in apps export one). */
export type AppEntry = string | AppConfig;

export interface SiteDefinition {
  readonly apps: readonly AppEntry[];
  readonly urls: readonly URLEntry[];
  readonly settings: SiteSettings;
  /** Overrides the 404 page (otherwise templates/404.html, otherwise a plain page). */
  readonly handler404?: ViewFunction | undefined;
  readonly handler500?: ViewFunction | undefined;
}

const SITE_MARK = Symbol.for('paddock.site');

export function defineSite(def: {
  apps?: readonly AppEntry[];
  urls: readonly URLEntry[] | { default: readonly URLEntry[] };
  settings?: SiteSettings;
  handler404?: ViewFunction;
  handler500?: ViewFunction;
}): SiteDefinition {
  const urls = Array.isArray(def.urls) ? def.urls : (def.urls as { default: readonly URLEntry[] }).default;
  const out = {
    apps: def.apps ?? [], urls, settings: def.settings ?? {},
    handler404: def.handler404, handler500: def.handler500, [SITE_MARK]: true,
  };
  return Object.freeze(out);
}

export function isSiteDefinition(x: unknown): x is SiteDefinition {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[SITE_MARK] === true;
}

/** An AppConfig for a folder; `dir` may be a path or a file: URL (pass import.meta.url's folder from a package). */
export function app(label: string, dir: string | URL, options: AppOptions = {}): AppConfig {
  const d = dir instanceof URL || dir.startsWith('file:') ? fileURLToPath(dir) : dir;
  return Object.freeze({ label, dir: d, commands: options.commands, contextProcessors: options.contextProcessors, authentication: options.authentication });
}

const LABEL_RE = /^[a-z_][a-z0-9_]*$/;

export function resolveApps(siteDir: string, entries: readonly AppEntry[]): AppConfig[] {
  const seen = new Set<string>();
  return entries.map((e) => {
    const cfg = typeof e === 'string'
      ? { label: basename(e), dir: isAbsolute(e) ? e : resolve(siteDir, e) }
      : { ...e, label: e.label, dir: isAbsolute(e.dir) ? e.dir : resolve(siteDir, e.dir) };
    if (!LABEL_RE.test(cfg.label)) throw new ImproperlyConfigured(`App label '${cfg.label}' must be lower-case letters, digits and _.`);
    if (seen.has(cfg.label)) throw new ImproperlyConfigured(`App label '${cfg.label}' is installed twice; labels must be unique.`);
    seen.add(cfg.label);
    return cfg;
  });
}
