// The platform database's tables as Kysely sees them, all of them: accounts and organisations,
// sites and their resources, deploys, releases, env vars, domains and routes, the audit log.
// Migrations in ./migrations create them; keep the two in step.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Role = 'owner' | 'admin' | 'developer' | 'viewer';
export type SiteStatus = 'provisioning' | 'ready' | 'suspended' | 'failed' | 'deleting' | 'deleted';
export type ResourceKind = 'postgres' | 'redis';
export type ReleaseKind = 'deploy' | 'env' | 'rollback' | 'scale' | 'restore';
export type ReleaseStatus = 'pending' | 'live' | 'failed' | 'superseded';
export type DeployStatus = 'queued' | 'building' | 'releasing' | 'succeeded' | 'failed';
export type RouteRunState = 'serving' | 'paused' | 'stopped';

export interface AccountsTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  is_operator: Generated<boolean>;
  status: Generated<'active' | 'suspended'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  id: Generated<string>;
  account_id: string;
  token_hash: Buffer;
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  account_id: string;
  name: string;
  token_hash: Buffer;
  prefix: string;
  scopes: string[];
  created_at: Generated<Date>;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  plan: Generated<string>;
  quota_overrides: Json<Record<string, number>>;
  personal: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface MembershipsTable {
  org_id: string;
  account_id: string;
  role: Role;
  created_at: Generated<Date>;
}

export interface InvitationsTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  role: Role;
  token_hash: Buffer;
  invited_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface SitesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  status: SiteStatus;
  status_reason: string | null;
  replicas: Generated<number>;
  memory_mb: Generated<number>;
  secret_key_enc: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: NullableTimestamp;
}

export interface SiteResourcesTable {
  site_id: string;
  kind: ResourceKind;
  server: string;
  username: string;
  database: string | null;
  key_prefix: string | null;
  secret_enc: string;
  created_at: Generated<Date>;
}

export interface ReleasesTable {
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
  /** The site's own env vars this release runs with, sealed (env snapshots); null before migration 20261124T0200. */
  env_enc: ColumnType<string | null, string | null | undefined, string | null>;
  /** Names of the vars added/removed/changed against the release it replaced; null before migration 20261124T0300 or when that one had no snapshot. */
  env_changes: ColumnType<EnvChangeNames | null, string | null | undefined, string | null>;
}

/** Names only, never values: viewers see them. */
export interface EnvChangeNames {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface DeploysTable {
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
  /** An env change's vars as the PATCH made them, sealed to this deploy (env snapshots). */
  env_enc: ColumnType<string | null, string | null | undefined, string | null>;
  /** The site's env version this deploy is based on: an env change's (it is stale once another change lands) or a rollback's when queued. */
  env_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** A restore's new database (a sealed TenantResource): the release runs on it, and going live makes it the site's. */
  database_enc: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One row per site whose env vars were ever changed: every change (PATCH, rollback going live) bumps it. */
export interface SiteEnvVersionsTable {
  site_id: string;
  version: ColumnType<number, number | undefined, number>;
}

export interface SiteEnvVarsTable {
  site_id: string;
  name: string;
  value_enc: string;
  updated_at: Generated<Date>;
}

export interface SiteDomainsTable {
  host: string;
  site_id: string;
  verification_token: string;
  verified_at: NullableTimestamp;
  created_at: Generated<Date>;
}

/** Where a site's requests go: a replica's address. */
export interface Upstream {
  host: string;
  port: number;
  /** The replica behind it (driver id), so a wake needs no lookup. */
  id?: string;
}

export interface SiteRoutesTable {
  site_id: string;
  release_id: string | null;
  state: RouteRunState;
  upstreams: Json<Upstream[]>;
  last_request_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AuditEventsTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_label: string;
  token_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  org_id: string | null;
  ip: string | null;
  details: Json<Record<string, unknown>>;
}

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  organisations: OrganisationsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  sites: SitesTable;
  site_resources: SiteResourcesTable;
  releases: ReleasesTable;
  deploys: DeploysTable;
  site_env_vars: SiteEnvVarsTable;
  site_env_versions: SiteEnvVersionsTable;
  site_domains: SiteDomainsTable;
  site_routes: SiteRoutesTable;
  audit_events: AuditEventsTable;
}

export type Account = Selectable<AccountsTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type Site = Selectable<SitesTable>;
export type NewSite = Insertable<SitesTable>;
export type SiteUpdate = Updateable<SitesTable>;
export type SiteResource = Selectable<SiteResourcesTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type Invitation = Selectable<InvitationsTable>;
export type Release = Selectable<ReleasesTable>;
export type Deploy = Selectable<DeploysTable>;
export type SiteDomain = Selectable<SiteDomainsTable>;
export type SiteRouteRow = Selectable<SiteRoutesTable>;
