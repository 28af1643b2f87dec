// The HTTP API's answers as TypeScript types, derived from the very schemas the API validates and
// documents at /openapi.json (api/schemas/). This is the one entry of @paddock/control-plane the CLI
// and the dashboard may import, and only with `import type` (`npm run lint` refuses them anything
// else): they speak the HTTP API, and these types keep their reading of it from drifting.
import type { Static } from 'typebox';
import type { AdminOrg as AdminOrgSchema, AuditEvent as AuditEventSchema, OrgPlanOut, SiteUsageOut } from './api/schemas/admin.js';
import type { BillingOut, PlanOffer as PlanOfferSchema, SessionOut } from './api/schemas/billing.js';
import type { AccountOut, AuthOut, MeOut, SignupOut } from './api/schemas/auth.js';
import type { ErrorBody, PageInfo as PageInfoSchema } from './api/schemas/common.js';
import type { DatabaseOut } from './api/schemas/databases.js';
import type { DeployOut, ReleaseOut } from './api/schemas/deploys.js';
import type { DomainOut } from './api/schemas/domains.js';
import type { EnvOut } from './api/schemas/env.js';
import type { LogLineOut } from './api/schemas/logs.js';
import type { MetricsPoint as MetricsPointSchema, SiteMetrics as SiteMetricsSchema, Window } from './api/schemas/metrics.js';
import type { InvitationOut, MemberOut, OrgOut, PlanOut, Quotas as QuotasSchema, Role as RoleSchema } from './api/schemas/orgs.js';
import type { RunResult as RunResultSchema } from './api/schemas/runs.js';
import type { SiteOut, SiteStatus as SiteStatusSchema } from './api/schemas/sites.js';
import type { Scope, TokenOut } from './api/schemas/tokens.js';

/** Every error answer's body: `{ error: { code, message, field? } }`. */
export type ApiErrorBody = Static<typeof ErrorBody>;

// Accounts and sessions (/v1/auth)
export type Account = Static<typeof AccountOut>;
export type AuthResult = Static<typeof AuthOut>;
export type SignupResult = Static<typeof SignupOut>;
export type Me = Static<typeof MeOut>;

// API tokens (/v1/tokens)
export type TokenScope = Static<typeof Scope>;
export type ApiToken = Static<typeof TokenOut>;
/** The answer of creating a token: the only time the token itself is shown. */
export type NewApiToken = ApiToken & { token: string };

// Organisations, members, invitations, plans (/v1/orgs, /v1/plans)
export type Role = Static<typeof RoleSchema>;
export type Quotas = Static<typeof QuotasSchema>;
export type Org = Static<typeof OrgOut>;
export type Member = Static<typeof MemberOut>;
export type Invitation = Static<typeof InvitationOut>;
export type Plan = Static<typeof PlanOut>;

// Sites (/v1/sites)
export type SiteStatus = Static<typeof SiteStatusSchema>;
export type Site = Static<typeof SiteOut>;
export type RunState = Site['runState'];

// Deploys, releases, env vars, domains, database, logs, metrics, one-off runs (/v1/sites/:site/...)
export type Deploy = Static<typeof DeployOut>;
export type DeployStatus = Deploy['status'];
export type Release = Static<typeof ReleaseOut>;
export type EnvChanges = NonNullable<Release['envChanges']>;
export type EnvAnswer = Static<typeof EnvOut>;
export type Domain = Static<typeof DomainOut>;
export type SiteDatabase = Static<typeof DatabaseOut>;
export type LogLine = Static<typeof LogLineOut>;
export type MetricsWindow = Static<typeof Window>;
export type MetricsPoint = Static<typeof MetricsPointSchema>;
export type SiteMetrics = Static<typeof SiteMetricsSchema>;
export type RunResult = Static<typeof RunResultSchema>;

// The operators' admin API (/v1/admin)
export type PageInfo = Static<typeof PageInfoSchema>;
export type AdminOrg = Static<typeof AdminOrgSchema>;
export type OrgPlan = Static<typeof OrgPlanOut>;
export type SiteUsage = Static<typeof SiteUsageOut>;
export type AuditEvent = Static<typeof AuditEventSchema>;

// Billing (/v1/orgs/:org/billing), on platforms that charge for plans
export type BillingSummary = Static<typeof BillingOut>;
export type PlanOffer = Static<typeof PlanOfferSchema>;
export type BillingSession = Static<typeof SessionOut>;
