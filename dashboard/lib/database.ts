// A site's Postgres database and Redis cache as the API describes them: where they are, how big,
// and connection URLs that stay masked unless someone with the deploy role asks to reveal them.
import 'server-only';
import { api } from './api';

import type { SiteDatabase } from '@paddock/control-plane/api-types';

/** Passwords in the URLs show as `****` unless revealed. */
export type SiteData = SiteDatabase;
export type SiteDatabaseInfo = SiteData['database'];
export type SiteCacheInfo = NonNullable<SiteData['cache']>;

const seg = encodeURIComponent;

/** Connection details; `reveal` asks for the real passwords (deploy role, audited by the API). */
export function siteData(token: string, site: string, reveal = false): Promise<SiteData> {
  return api<SiteData>(`/v1/sites/${seg(site)}/database`, { token, query: reveal ? { reveal: true } : {} });
}
