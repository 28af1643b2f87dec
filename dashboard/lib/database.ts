// A site's Postgres database and Redis cache as the API describes them: where they are, how big,
// and connection URLs that stay masked unless someone with the deploy role asks to reveal them.
import 'server-only';
import { api } from './api';

export interface SiteDatabaseInfo {
  host: string;
  port: number;
  name: string;
  user: string;
  /** Password shown as `****` unless revealed. */
  url: string;
  sizeBytes: number;
  quotaBytes: number | null;
  connectionLimit: number | null;
}

export interface SiteCacheInfo {
  host: string;
  port: number;
  user: string;
  prefix: string;
  url: string;
  usedKeys: number | null;
}

export interface SiteData {
  database: SiteDatabaseInfo;
  cache: SiteCacheInfo | null;
}

const seg = encodeURIComponent;

/** Connection details; `reveal` asks for the real passwords (deploy role, audited by the API). */
export function siteData(token: string, site: string, reveal = false): Promise<SiteData> {
  return api<SiteData>(`/v1/sites/${seg(site)}/database`, { token, query: reveal ? { reveal: true } : {} });
}
