// The platform database's tables as Kysely sees them. Migrations in ./migrations create them;
// keep the two in step.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Role = 'owner' | 'admin' | 'developer' | 'viewer';
export type SiteStatus = 'provisioning' | 'ready' | 'suspended' | 'failed' | 'deleting' | 'deleted';
export type ResourceKind = 'postgres' | 'redis';

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
  audit_events: AuditEventsTable;
}

export type Account = Selectable<AccountsTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type Site = Selectable<SitesTable>;
export type NewSite = Insertable<SitesTable>;
export type SiteUpdate = Updateable<SitesTable>;
export type SiteResource = Selectable<SiteResourcesTable>;
export type ApiToken = Selectable<ApiTokensTable>;
