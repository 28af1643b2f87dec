// Connects the ORM (runtime/src/db) to the site's DATABASES when the site has any; the ORM is loaded only then.
import { isAbsolute, resolve } from 'node:path';
import type { Settings } from '../settings.js';

interface DbModule {
  configureDatabases(dbs: Record<string, Settings['DATABASES'][string] & { share?: boolean }>, opts: { routers: Settings['DATABASE_ROUTERS'] }): unknown;
  closeDatabases(): Promise<void> | void;
}

let db: DbModule | null = null;

async function loadDb(): Promise<DbModule | null> {
  // Loaded on demand (a command or site without a database never pays for it here); a literal specifier,
  // so the runtime image's bundler (control-plane/src/images/runtime-bundle.ts) sees it and keeps its chunk.
  try {
    return (await import('../db/index.js')) as unknown as DbModule;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('/db/')) return null;
    throw err;
  }
}

/** 'pglite:.paddock/db' in site.ts means a folder beside site.ts, wherever the command runs from. */
export function siteRelativeDatabases(dbs: Settings['DATABASES'], siteDir: string): Settings['DATABASES'] {
  const out: Settings['DATABASES'] = {};
  for (const [alias, cfg] of Object.entries(dbs)) {
    const m = /^pglite:(.+)$/.exec(cfg.url);
    out[alias] = m && m[1] !== 'memory' && !isAbsolute(m[1] as string) ? { ...cfg, url: `pglite:${resolve(siteDir, m[1] as string)}` } : cfg;
  }
  return out;
}

export interface OpenOptions {
  /** Serve embedded database folders to the site's other processes while they are open (`serve --dev`). */
  share?: boolean;
}

export async function openDatabases(settings: Settings, siteDir: string, opts: OpenOptions = {}): Promise<void> {
  if (Object.keys(settings.DATABASES).length === 0) return;
  db = await loadDb();
  if (!db) return;
  const dbs = siteRelativeDatabases(settings.DATABASES, siteDir);
  await db.configureDatabases(opts.share ? Object.fromEntries(Object.entries(dbs).map(([k, v]) => [k, { ...v, share: true }])) : dbs,
    { routers: settings.DATABASE_ROUTERS });
}

export async function closeDatabases(): Promise<void> {
  if (db) await db.closeDatabases();
  db = null;
}
