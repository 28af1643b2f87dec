// The deploy pipeline's tables as Kysely sees them (migrations 20261123T2330_deploys_releases,
// 20261124T0200_release_env_snapshots and 20261124T0300_env_versions_and_release_env_changes), added to the platform database's type with `withTables`,
// so store/schema.ts stays the accounts-and-sites core.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import type { Upstream } from '../edge/route-table.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type ReleaseKind = 'deploy' | 'env' | 'rollback' | 'scale' | 'restore';
export type ReleaseStatus = 'pending' | 'live' | 'failed' | 'superseded';
export type DeployStatus = 'queued' | 'building' | 'releasing' | 'succeeded' | 'failed';
export type RouteRunState = 'serving' | 'paused' | 'stopped';

export type ReleasesTable = {
  id: Generated<string>;
  site_id: string;
  version: number;
  kind: ReleaseKind;
  description: string;
  slug_key: string;
  slug_sha256: string;
  image: string | null;
  manifest: Json<Record<string, unknown>>;
  replicas: number;
  status: ReleaseStatus;
  error: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  live_at: NullableTimestamp;
  /** The site's own env vars this release runs with, sealed (env-snapshot.ts); null before migration 20261124T0200. */
  env_enc: ColumnType<string | null, string | null | undefined, string | null>;
  /** Names of the vars added/removed/changed against the release it replaced; null before migration 20261124T0300 or when that one had no snapshot. */
  env_changes: ColumnType<EnvChangeNames | null, string | null | undefined, string | null>;
};

/** Names only, never values: viewers see them. */
export interface EnvChangeNames {
  added: string[];
  removed: string[];
  changed: string[];
}

export type DeploysTable = {
  id: Generated<string>;
  site_id: string;
  kind: Generated<ReleaseKind>;
  status: DeployStatus;
  artifact_key: string | null;
  artifact_sha256: string | null;
  artifact_size: number | null;
  source_release_id: string | null;
  release_id: string | null;
  error: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  finished_at: NullableTimestamp;
  /** An env change's vars as the PATCH made them, sealed to this deploy (env-snapshot.ts). */
  env_enc: ColumnType<string | null, string | null | undefined, string | null>;
  /** The site's env version this deploy is based on: an env change's (it is stale once another change lands) or a rollback's when queued. */
  env_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** A restore's new database (a sealed TenantResource): the release runs on it, and going live makes it the site's. */
  database_enc: ColumnType<string | null, string | null | undefined, string | null>;
};

/** One row per site whose env vars were ever changed: every change (PATCH, rollback going live) bumps it. */
export type SiteEnvVersionsTable = {
  site_id: string;
  version: ColumnType<number, number | undefined, number>;
};

export type SiteEnvVarsTable = {
  site_id: string;
  name: string;
  value_enc: string;
  updated_at: Generated<Date>;
};

export type SiteDomainsTable = {
  host: string;
  site_id: string;
  verification_token: string;
  verified_at: NullableTimestamp;
  created_at: Generated<Date>;
};

export type SiteRoutesTable = {
  site_id: string;
  release_id: string | null;
  state: RouteRunState;
  upstreams: Json<Upstream[]>;
  last_request_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type DeployTables = {
  releases: ReleasesTable;
  deploys: DeploysTable;
  site_env_vars: SiteEnvVarsTable;
  site_env_versions: SiteEnvVersionsTable;
  site_domains: SiteDomainsTable;
  site_routes: SiteRoutesTable;
};

export type Release = Selectable<ReleasesTable>;
export type Deploy = Selectable<DeploysTable>;
export type SiteRouteRow = Selectable<SiteRoutesTable>;

export function deployDb(db: Db) {
  return db.withTables<DeployTables>();
}
export type DeployDb = ReturnType<typeof deployDb>;
