// Boots a site folder: finds site.ts (dev, loaded through tsx) or site.js (precompiled), imports its apps' models and admin.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adoptModelClasses } from '../db/model.js';
import { ImproperlyConfigured, SiteNotFound } from '../errors.js';
import { isSiteDefinition, type AppConfig } from '../site/define.js';
import { Site } from '../site/site.js';

let tsxRegistered = false;

/** Lets this process import .ts files (tenant code in dev) through tsx's programmatic API. */
export async function ensureTypeScript(): Promise<void> {
  if (tsxRegistered) return;
  const api = await import('tsx/esm/api');
  api.register();
  tsxRegistered = true;
}

/** The site module in `dir`: site.ts in dev, the precompiled site.js (or .mjs) otherwise. */
export function findSiteModule(dir: string, preferTs: boolean): string {
  const order = preferTs ? ['site.ts', 'site.js', 'site.mjs'] : ['site.js', 'site.mjs', 'site.ts'];
  for (const name of order) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new SiteNotFound(dir);
}

/** A module of an app, by basename ('models' → models.ts or models.js), or null. */
export function appModule(app: AppConfig, name: string): string | null {
  for (const ext of ['.ts', '.js', '.mjs']) {
    const p = join(app.dir, name + ext);
    if (existsSync(p)) return p;
  }
  return null;
}

async function importFile(file: string): Promise<Record<string, unknown>> {
  if (file.endsWith('.ts')) await ensureTypeScript();
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

export interface LoadOptions {
  dev?: boolean;
  env?: Record<string, string | undefined>;
  checkOnly?: boolean;
}

export async function loadSite(dir: string, opts: LoadOptions = {}): Promise<Site> {
  const siteDir = resolve(dir);
  if (!existsSync(siteDir)) throw new SiteNotFound(siteDir);
  const file = findSiteModule(siteDir, opts.dev ?? false);
  const mod = await importFile(file);
  const def = mod.default;
  if (!isSiteDefinition(def)) {
    throw new ImproperlyConfigured(`${file} must \`export default defineSite({ apps, urls, settings })\`.`);
  }
  const site = new Site(def, { dir: siteDir, env: opts.env ?? process.env, dev: opts.dev ?? false, checkOnly: opts.checkOnly ?? false });
  // Every app's models first (models reference each other by 'app.Model'), then the admin registrations that use them.
  for (const name of ['models', 'admin']) {
    for (const app of site.apps) {
      const m = appModule(app, name);
      if (!m) continue;
      const exports = await importFile(m);
      // `export class Question extends model(...)`: rows fetched through relations are Questions from the start.
      if (name === 'models') adoptModelClasses(exports);
    }
  }
  return site;
}
