// The control plane's settings, read once from environment variables and validated. `settings`
// lists every variable with its description and dev default, so the README's table can be
// checked against it (test/config.test.ts does). The deploy pipeline, edge and sleep settings
// are here too; `deploySettings` groups them as the pipeline reads them.
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

export interface Setting {
  env: string;
  description: string;
  /** The value used when the variable is unset; `undefined` means required. */
  default?: string | ((env: NodeJS.ProcessEnv) => string);
  /** Only required (no default) when running with PADDOCK_ENV=production. */
  requiredInProduction?: boolean;
  secret?: boolean;
}

/** Where the platform keeps its files when their own variables do not say. */
const stateDir = (env: NodeJS.ProcessEnv) => env.PADDOCK_STATE_DIR || join(process.cwd(), 'var');

/** HTTPS port of the edge: 443 in production, 8443 otherwise, unless set. */
const edgeTlsPort = (env: NodeJS.ProcessEnv) => env.PADDOCK_EDGE_TLS_PORT || (isProduction(env) ? '443' : '8443');

const isProduction = (env: NodeJS.ProcessEnv) => (env.PADDOCK_ENV ?? (env.NODE_ENV === 'production' ? 'production' : 'dev')) === 'production';

export const settings: readonly Setting[] = [
  { env: 'PADDOCK_ENV', description: 'dev | test | production; production demands real secrets and sets Secure cookies', default: (e) => (e.NODE_ENV === 'production' ? 'production' : e.NODE_ENV === 'test' ? 'test' : 'dev') },
  { env: 'PADDOCK_DATABASE_URL', description: 'the platform database (Postgres URL)', default: 'postgres://paddock@127.0.0.1:5432/paddock', requiredInProduction: true, secret: true },
  { env: 'PADDOCK_REDIS_URL', description: 'the platform Redis (queues, locks, rate limits; noeviction)', default: 'redis://127.0.0.1:6379' },
  { env: 'PADDOCK_PG_ADMIN_URL', description: 'tenant database pool: comma-separated admin URLs (a role with CREATEDB and CREATEROLE, no superuser) of servers other than the platform database\'s', default: 'postgres://paddock_provisioner@127.0.0.1:5433/postgres', requiredInProduction: true, secret: true },
  { env: 'PADDOCK_CACHE_ADMIN_URL', description: 'tenant cache pool: comma-separated Redis admin URLs (allkeys-lru)', default: 'redis://127.0.0.1:6380', requiredInProduction: true, secret: true },
  { env: 'PADDOCK_MASTER_KEY', description: '32 bytes, base64: encrypts tenant credentials and env vars at rest, signs reset links', requiredInProduction: true, default: 'ZGV2LW9ubHktbWFzdGVyLWtleS1kby1ub3QtdXNlISE=', secret: true },
  { env: 'PADDOCK_API_PORT', description: 'port the API listens on', default: '4000' },
  { env: 'PADDOCK_API_HOST', description: 'address the API binds', default: '0.0.0.0' },
  { env: 'PADDOCK_PUBLIC_URL', description: 'the URL users reach the dashboard at (links in emails)', default: 'http://localhost:3000' },
  { env: 'PADDOCK_SITE_DOMAIN', description: 'sites answer at <site>.<this domain>', default: 'localhost' },
  { env: 'PADDOCK_EDGE_PORT', description: 'port the edge proxy serves sites on', default: '8080' },
  { env: 'PADDOCK_EDGE_TLS_PORT', description: 'port the edge proxy serves sites on over HTTPS (0: no HTTPS)', default: (e) => edgeTlsPort(e) },
  { env: 'PADDOCK_EDGE_HSTS_SECONDS', description: 'Strict-Transport-Security max-age the edge sends for platform subdomains over HTTPS (0: none); HSTS names no port, so it is off unless HTTPS is on 443', default: (e) => (edgeTlsPort(e) === '443' ? '31536000' : '0') },
  { env: 'PADDOCK_ACME_DIRECTORY', description: "ACME directory custom domains get certificates from (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory; staging: https://acme-staging-v02.api.letsencrypt.org/directory); empty: no ACME", default: '' },
  { env: 'PADDOCK_ACME_EMAIL', description: 'contact address of the ACME account (expiry notices from the CA)', default: '' },
  { env: 'PADDOCK_ACME_CA_FILE', description: "PEM file the ACME directory's own HTTPS certificate is checked against, for a private ACME server; empty: the system's CAs", default: '' },
  { env: 'PADDOCK_DEV_CA_DIR', description: 'a folder with ca.crt and ca.key: a local CA that signs a certificate for every platform subdomain (npm start makes one in the state dir; empty: none)', default: '' },
  { env: 'PADDOCK_OPERATOR_EMAIL', description: 'the first operator account, created at first start', default: 'operator@paddock.localhost' },
  { env: 'PADDOCK_OPERATOR_PASSWORD', description: 'its password; without it no operator is created', default: '', secret: true },
  { env: 'PADDOCK_TRUST_PROXY', description: 'addresses whose X-Forwarded-For the API believes (the dashboard, the edge): comma-separated IPs/CIDRs or loopback; "none" trusts none', default: 'loopback' },
  { env: 'PADDOCK_LOG_LEVEL', description: 'pino level: fatal, error, warn, info, debug, trace, silent', default: 'info' },
  { env: 'PADDOCK_SMTP_URL', description: 'SMTP URL for outgoing mail (smtp[s]://user:pass@host:port); unset: mail is logged', default: '' , secret: true },
  { env: 'PADDOCK_MAIL_FROM', description: 'sender of outgoing mail', default: 'Paddock <no-reply@paddock.localhost>' },
  { env: 'PADDOCK_PASSWORD_COST', description: 'scrypt cost as log2(N); raising it re-hashes passwords at next login', default: (e) => (isProduction(e) ? '17' : '14') },
  { env: 'PADDOCK_SESSION_TTL_HOURS', description: 'how long a dashboard session lasts', default: '336' },
  { env: 'PADDOCK_AUTH_RATE_LIMIT', description: 'signup / login / reset attempts per minute per address', default: '20' },
  { env: 'PADDOCK_TENANT_CONNECTION_LIMIT', description: "connection limit of each site's database role", default: '20' },
  { env: 'PADDOCK_TENANT_STATEMENT_TIMEOUT', description: "statement_timeout of each site's database role", default: '30s' },
  { env: 'PADDOCK_PG_SPARE_DATABASES', description: 'empty databases each tenant Postgres server keeps ready, so provisioning a site does not wait for CREATE DATABASE', default: '4' },
  { env: 'PADDOCK_QUEUE_PREFIX', description: 'prefix of the job queues and rate-limit keys in the platform Redis (several platforms may share one Redis)', default: 'paddock' },
  { env: 'PADDOCK_WORKER_CONCURRENCY', description: 'jobs each worker process runs at once per queue', default: '16' },
  { env: 'PADDOCK_STATE_DIR', description: 'where the platform keeps artifacts, builds and the edge config unless the variables below say otherwise (the dev stack sets its state dir)', default: (e) => stateDir(e) },
  { env: 'PADDOCK_ARTIFACTS_DIR', description: 'artifact store directory: pushed tarballs and slugs', default: (e) => join(stateDir(e), 'artifacts') },
  { env: 'PADDOCK_BUILD_DIR', description: 'scratch space for builds (and unpacked releases of the process driver)', default: (e) => join(stateDir(e), 'builds') },
  { env: 'PADDOCK_EDGE_DIR', description: "where the edge keeps HAProxy's config, map and sockets", default: (e) => join(stateDir(e), 'edge') },
  { env: 'PADDOCK_MAX_UPLOAD_MB', description: 'largest tarball a push may upload, MiB', default: '100' },
  { env: 'PADDOCK_EDGE_BIND', description: 'address the edge serves sites on', default: '0.0.0.0' },
  { env: 'PADDOCK_EDGE_ADMIN_PORT', description: "port of the edge's own /healthz and /metrics", default: '4080' },
  { env: 'PADDOCK_SLEEP_PAUSE_FREE_S', description: "idle seconds before a free plan's site is paused", default: '300' },
  { env: 'PADDOCK_SLEEP_STOP_FREE_S', description: "idle seconds before a free plan's site is stopped", default: '3600' },
  { env: 'PADDOCK_SLEEP_PAUSE_PRO_S', description: "idle seconds before a pro plan's site is paused", default: '1800' },
  { env: 'PADDOCK_SLEEP_STOP_PRO_S', description: "idle seconds before a pro plan's site is stopped", default: String(6 * 3600) },
  { env: 'PADDOCK_DRIVER', description: 'docker, or process (development without Docker: NOT an isolation boundary)', default: 'docker' },
  { env: 'PADDOCK_EGRESS_POLICY', description: "enforce: the docker driver keeps tenant containers off link-local addresses and the host's own ports (iptables); off: you filter their traffic yourself", default: 'enforce' },
  { env: 'PADDOCK_RUN_TIMEOUT_S', description: 'seconds a one-off command (`paddock run`) may run before its container is killed and removed', default: '600' },
  { env: 'PADDOCK_TENANT_PUBLIC_HOST', description: "host name developers reach tenant databases and caches at (`paddock db:url`, the dashboard); empty: the pool server's own address", default: '' },
  { env: 'PADDOCK_PGBACKREST_CONFIG', description: "pgBackRest's configuration file, whose stanzas archive the tenant servers' WAL (point-in-time restore); empty: no point-in-time restore", default: '' },
  { env: 'PADDOCK_PGBACKREST_STANZAS', description: 'which pgBackRest stanza archives which tenant server: comma-separated host:port=stanza, the servers as PADDOCK_PG_ADMIN_URL names them', default: '' },
  { env: 'PADDOCK_PGBACKREST_USER', description: "the OS user pgBackRest and the point-in-time restore's scratch server run as (the servers' own, e.g. postgres); empty: the worker's own", default: '' },
  { env: 'PADDOCK_BACKUP_SCHEDULE', description: "when the daily round backs up every site's database and expires old backups (a cron pattern, the worker's time zone)", default: '0 3 * * *' },
  { env: 'PADDOCK_NPM_REGISTRY', description: 'the npm registry builds install sites\' dependencies from (and the only one their lockfiles may name besides registry.npmjs.org)', default: 'https://registry.npmjs.org/' },
  { env: 'PADDOCK_STRIPE_SECRET_KEY', description: 'Stripe secret key (sk_...); unset: billing is off and operators set plans by hand', default: '', secret: true },
  { env: 'PADDOCK_STRIPE_WEBHOOK_SECRET', description: "signing secret (whsec_...) of the Stripe webhook endpoint at <API>/v1/billing/webhook; needed with the key", default: '', secret: true },
];

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const ConfigSchema = Type.Object({
  env: Type.Union([Type.Literal('dev'), Type.Literal('test'), Type.Literal('production')]),
  databaseUrl: Type.String({ pattern: '^postgres(ql)?://' }),
  redisUrl: Type.String({ pattern: '^rediss?://' }),
  pgAdminUrls: Type.Array(Type.String({ pattern: '^postgres(ql)?://' }), { minItems: 1 }),
  cacheAdminUrls: Type.Array(Type.String({ pattern: '^rediss?://' }), { minItems: 1 }),
  masterKey: Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' }),
  apiPort: Port,
  apiHost: Type.String({ minLength: 1 }),
  publicUrl: Type.String({ pattern: '^https?://' }),
  siteDomain: Type.String({ minLength: 1 }),
  edgePort: Port,
  edgeTlsPort: Port,
  edgeHstsSeconds: Type.Integer({ minimum: 0, maximum: 63072000 }),
  devCaDir: Type.String(),
  acmeDirectory: Type.String({ pattern: '^(https?://.+)?$' }),
  acmeEmail: Type.String(),
  acmeCaFile: Type.String(),
  operatorEmail: Type.String(),
  operatorPassword: Type.String(),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  smtpUrl: Type.String(),
  mailFrom: Type.String({ minLength: 3 }),
  passwordCost: Type.Integer({ minimum: 10, maximum: 20 }),
  sessionTtlHours: Type.Integer({ minimum: 1 }),
  authRateLimit: Type.Integer({ minimum: 1 }),
  tenantConnectionLimit: Type.Integer({ minimum: 1 }),
  tenantStatementTimeout: Type.String({ pattern: '^[0-9]+(ms|s|min)?$' }),
  workerConcurrency: Type.Integer({ minimum: 1, maximum: 256 }),
  spareDatabases: Type.Integer({ minimum: 0, maximum: 1000 }),
  queuePrefix: Type.String({ pattern: '^[A-Za-z0-9:_-]{1,64}$' }),
  trustProxy: Type.Array(Type.String({ pattern: '^[0-9A-Za-z:./]+$' })),
  stateDir: Type.String({ minLength: 1 }),
  artifactsDir: Type.String({ minLength: 1 }),
  buildDir: Type.String({ minLength: 1 }),
  edgeDir: Type.String({ minLength: 1 }),
  maxUploadMb: Type.Integer({ minimum: 1 }),
  edgeBind: Type.String({ minLength: 1 }),
  edgeAdminPort: Port,
  sleepPauseFreeS: Type.Integer({ minimum: 0 }),
  sleepStopFreeS: Type.Integer({ minimum: 0 }),
  sleepPauseProS: Type.Integer({ minimum: 0 }),
  sleepStopProS: Type.Integer({ minimum: 0 }),
  driver: Type.Union([Type.Literal('docker'), Type.Literal('process')]),
  egressPolicy: Type.Union([Type.Literal('enforce'), Type.Literal('off')]),
  runTimeoutS: Type.Integer({ minimum: 1, maximum: 86400 }),
  tenantPublicHost: Type.String({ pattern: '^[0-9A-Za-z.:\\[\\]-]*$' }),
  npmRegistry: Type.String({ pattern: '^https?://[^\\s]+$' }),
  backupSchedule: Type.String({ pattern: '^\\S+( \\S+){4,5}$' }),
  pgbackrestConfig: Type.String(),
  pgbackrestStanzas: Type.Record(Type.String(), Type.String({ pattern: '^[A-Za-z0-9._-]+$' })),
  pgbackrestUser: Type.String({ pattern: '^([a-z_][a-z0-9_-]*)?$' }),
  stripeSecretKey: Type.String({ pattern: '^((sk|rk)_[A-Za-z0-9_]+)?$' }),
  stripeWebhookSecret: Type.String({ pattern: '^(whsec_[A-Za-z0-9_]+)?$' }),
});

export type Config = Static<typeof ConfigSchema>;

/** Which variable each config field comes from, so errors can name it. */
const fieldEnv: Record<keyof Config, string> = {
  env: 'PADDOCK_ENV',
  databaseUrl: 'PADDOCK_DATABASE_URL',
  redisUrl: 'PADDOCK_REDIS_URL',
  pgAdminUrls: 'PADDOCK_PG_ADMIN_URL',
  cacheAdminUrls: 'PADDOCK_CACHE_ADMIN_URL',
  masterKey: 'PADDOCK_MASTER_KEY',
  apiPort: 'PADDOCK_API_PORT',
  apiHost: 'PADDOCK_API_HOST',
  publicUrl: 'PADDOCK_PUBLIC_URL',
  siteDomain: 'PADDOCK_SITE_DOMAIN',
  edgePort: 'PADDOCK_EDGE_PORT',
  edgeTlsPort: 'PADDOCK_EDGE_TLS_PORT',
  edgeHstsSeconds: 'PADDOCK_EDGE_HSTS_SECONDS',
  devCaDir: 'PADDOCK_DEV_CA_DIR',
  acmeDirectory: 'PADDOCK_ACME_DIRECTORY',
  acmeEmail: 'PADDOCK_ACME_EMAIL',
  acmeCaFile: 'PADDOCK_ACME_CA_FILE',
  operatorEmail: 'PADDOCK_OPERATOR_EMAIL',
  operatorPassword: 'PADDOCK_OPERATOR_PASSWORD',
  logLevel: 'PADDOCK_LOG_LEVEL',
  smtpUrl: 'PADDOCK_SMTP_URL',
  mailFrom: 'PADDOCK_MAIL_FROM',
  passwordCost: 'PADDOCK_PASSWORD_COST',
  sessionTtlHours: 'PADDOCK_SESSION_TTL_HOURS',
  authRateLimit: 'PADDOCK_AUTH_RATE_LIMIT',
  tenantConnectionLimit: 'PADDOCK_TENANT_CONNECTION_LIMIT',
  tenantStatementTimeout: 'PADDOCK_TENANT_STATEMENT_TIMEOUT',
  workerConcurrency: 'PADDOCK_WORKER_CONCURRENCY',
  spareDatabases: 'PADDOCK_PG_SPARE_DATABASES',
  queuePrefix: 'PADDOCK_QUEUE_PREFIX',
  trustProxy: 'PADDOCK_TRUST_PROXY',
  stateDir: 'PADDOCK_STATE_DIR',
  artifactsDir: 'PADDOCK_ARTIFACTS_DIR',
  buildDir: 'PADDOCK_BUILD_DIR',
  edgeDir: 'PADDOCK_EDGE_DIR',
  maxUploadMb: 'PADDOCK_MAX_UPLOAD_MB',
  edgeBind: 'PADDOCK_EDGE_BIND',
  edgeAdminPort: 'PADDOCK_EDGE_ADMIN_PORT',
  sleepPauseFreeS: 'PADDOCK_SLEEP_PAUSE_FREE_S',
  sleepStopFreeS: 'PADDOCK_SLEEP_STOP_FREE_S',
  sleepPauseProS: 'PADDOCK_SLEEP_PAUSE_PRO_S',
  sleepStopProS: 'PADDOCK_SLEEP_STOP_PRO_S',
  driver: 'PADDOCK_DRIVER',
  egressPolicy: 'PADDOCK_EGRESS_POLICY',
  runTimeoutS: 'PADDOCK_RUN_TIMEOUT_S',
  tenantPublicHost: 'PADDOCK_TENANT_PUBLIC_HOST',
  npmRegistry: 'PADDOCK_NPM_REGISTRY',
  backupSchedule: 'PADDOCK_BACKUP_SCHEDULE',
  pgbackrestConfig: 'PADDOCK_PGBACKREST_CONFIG',
  pgbackrestStanzas: 'PADDOCK_PGBACKREST_STANZAS',
  pgbackrestUser: 'PADDOCK_PGBACKREST_USER',
  stripeSecretKey: 'PADDOCK_STRIPE_SECRET_KEY',
  stripeWebhookSecret: 'PADDOCK_STRIPE_WEBHOOK_SECRET',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these environment variables (see the README's configuration table) and start again.`);
    this.name = 'ConfigError';
  }
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = isProduction(env);
  const problems: string[] = [];
  const raw: Record<string, string> = {};
  for (const s of settings) {
    const given = env[s.env];
    if (given !== undefined && given !== '') raw[s.env] = given;
    else if (production && s.requiredInProduction) problems.push(`${s.env} is required in production: ${s.description}.`);
    else if (s.default !== undefined) raw[s.env] = typeof s.default === 'function' ? s.default(env) : s.default;
    else problems.push(`${s.env} is required: ${s.description}.`);
  }
  const int = (name: string) => (/^-?\d+$/.test(raw[name] ?? '') ? Number(raw[name]) : Number.NaN);
  const candidate = {
    env: raw.PADDOCK_ENV,
    databaseUrl: raw.PADDOCK_DATABASE_URL,
    redisUrl: raw.PADDOCK_REDIS_URL,
    pgAdminUrls: list(raw.PADDOCK_PG_ADMIN_URL ?? ''),
    cacheAdminUrls: list(raw.PADDOCK_CACHE_ADMIN_URL ?? ''),
    masterKey: raw.PADDOCK_MASTER_KEY,
    apiPort: int('PADDOCK_API_PORT'),
    apiHost: raw.PADDOCK_API_HOST,
    publicUrl: (raw.PADDOCK_PUBLIC_URL ?? '').replace(/\/+$/, ''),
    siteDomain: raw.PADDOCK_SITE_DOMAIN,
    edgePort: int('PADDOCK_EDGE_PORT'),
    edgeTlsPort: int('PADDOCK_EDGE_TLS_PORT'),
    edgeHstsSeconds: int('PADDOCK_EDGE_HSTS_SECONDS'),
    devCaDir: raw.PADDOCK_DEV_CA_DIR ?? '',
    acmeDirectory: raw.PADDOCK_ACME_DIRECTORY ?? '',
    acmeEmail: raw.PADDOCK_ACME_EMAIL ?? '',
    acmeCaFile: raw.PADDOCK_ACME_CA_FILE ?? '',
    operatorEmail: (raw.PADDOCK_OPERATOR_EMAIL ?? '').toLowerCase(),
    operatorPassword: raw.PADDOCK_OPERATOR_PASSWORD ?? '',
    logLevel: raw.PADDOCK_LOG_LEVEL,
    smtpUrl: raw.PADDOCK_SMTP_URL ?? '',
    mailFrom: raw.PADDOCK_MAIL_FROM,
    passwordCost: int('PADDOCK_PASSWORD_COST'),
    sessionTtlHours: int('PADDOCK_SESSION_TTL_HOURS'),
    authRateLimit: int('PADDOCK_AUTH_RATE_LIMIT'),
    tenantConnectionLimit: int('PADDOCK_TENANT_CONNECTION_LIMIT'),
    tenantStatementTimeout: raw.PADDOCK_TENANT_STATEMENT_TIMEOUT,
    workerConcurrency: int('PADDOCK_WORKER_CONCURRENCY'),
    spareDatabases: int('PADDOCK_PG_SPARE_DATABASES'),
    queuePrefix: raw.PADDOCK_QUEUE_PREFIX,
    trustProxy: raw.PADDOCK_TRUST_PROXY === 'none' ? [] : list(raw.PADDOCK_TRUST_PROXY ?? ''),
    stateDir: raw.PADDOCK_STATE_DIR,
    artifactsDir: raw.PADDOCK_ARTIFACTS_DIR,
    buildDir: raw.PADDOCK_BUILD_DIR,
    edgeDir: raw.PADDOCK_EDGE_DIR,
    maxUploadMb: int('PADDOCK_MAX_UPLOAD_MB'),
    edgeBind: raw.PADDOCK_EDGE_BIND,
    edgeAdminPort: int('PADDOCK_EDGE_ADMIN_PORT'),
    sleepPauseFreeS: int('PADDOCK_SLEEP_PAUSE_FREE_S'),
    sleepStopFreeS: int('PADDOCK_SLEEP_STOP_FREE_S'),
    sleepPauseProS: int('PADDOCK_SLEEP_PAUSE_PRO_S'),
    sleepStopProS: int('PADDOCK_SLEEP_STOP_PRO_S'),
    driver: raw.PADDOCK_DRIVER,
    egressPolicy: raw.PADDOCK_EGRESS_POLICY,
    runTimeoutS: int('PADDOCK_RUN_TIMEOUT_S'),
    tenantPublicHost: raw.PADDOCK_TENANT_PUBLIC_HOST ?? '',
    npmRegistry: (raw.PADDOCK_NPM_REGISTRY ?? '').replace(/\/*$/, '/'),
    backupSchedule: raw.PADDOCK_BACKUP_SCHEDULE ?? '',
    pgbackrestConfig: raw.PADDOCK_PGBACKREST_CONFIG ?? '',
    pgbackrestStanzas: Object.fromEntries(list(raw.PADDOCK_PGBACKREST_STANZAS ?? '').map((e) => {
      const eq = e.lastIndexOf('=');
      return eq > 0 ? [e.slice(0, eq), e.slice(eq + 1)] : [e, ''];
    })),
    pgbackrestUser: raw.PADDOCK_PGBACKREST_USER ?? '',
    stripeSecretKey: raw.PADDOCK_STRIPE_SECRET_KEY ?? '',
    stripeWebhookSecret: raw.PADDOCK_STRIPE_WEBHOOK_SECRET ?? '',
  };
  if (problems.length === 0 && !Value.Check(ConfigSchema, candidate)) {
    const seen = new Set<string>();
    for (const e of Value.Errors(ConfigSchema, candidate)) {
      const field = e.instancePath.split('/')[1] as keyof Config | undefined;
      const name = field ? fieldEnv[field] : 'configuration';
      if (seen.has(name)) continue;
      seen.add(name);
      const value = settings.find((s) => s.env === name)?.secret ? '(hidden)' : JSON.stringify(raw[name] ?? '');
      problems.push(`${name}=${value} is invalid (${e.message}): ${settings.find((s) => s.env === name)?.description ?? ''}.`);
    }
  }
  if (problems.length === 0 && production && candidate.masterKey === settings.find((s) => s.env === 'PADDOCK_MASTER_KEY')?.default) {
    problems.push('PADDOCK_MASTER_KEY is the public dev key; generate one with `openssl rand -base64 32`.');
  }
  if (problems.length === 0 && Boolean(candidate.stripeSecretKey) !== Boolean(candidate.stripeWebhookSecret)) {
    problems.push('PADDOCK_STRIPE_SECRET_KEY and PADDOCK_STRIPE_WEBHOOK_SECRET go together: set both to turn billing on, or neither to keep it off.');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return candidate as Config;
}

/** The deploy pipeline's, the edge's and sleep's settings, as the pipeline reads them. */
export interface DeploySettings {
  /** Artifact store directory (uploads and slugs). */
  artifactsDir: string;
  /** Scratch space for builds. */
  buildDir: string;
  /** Where the edge keeps HAProxy's config, map and sockets. */
  edgeDir: string;
  /** Largest accepted upload. */
  maxUploadBytes: number;
  /** Address the edge serves sites on. */
  edgeBind: string;
  /** Port of the edge's own /healthz and /metrics. */
  edgeAdminPort: number;
  /** Idle time before a site's replicas are paused, and before they are stopped, by plan. */
  sleep: Record<string, { pauseAfterS: number; stopAfterS: number }>;
  /** What runs the sites' replicas. */
  driver: 'docker' | 'process';
  /** The npm registry builds install from. */
  npmRegistry: string;
}

export function deploySettings(config: Config): DeploySettings {
  return {
    artifactsDir: config.artifactsDir,
    buildDir: config.buildDir,
    edgeDir: config.edgeDir,
    maxUploadBytes: config.maxUploadMb * 1024 * 1024,
    edgeBind: config.edgeBind,
    edgeAdminPort: config.edgeAdminPort,
    sleep: {
      free: { pauseAfterS: config.sleepPauseFreeS, stopAfterS: config.sleepStopFreeS },
      pro: { pauseAfterS: config.sleepPauseProS, stopAfterS: config.sleepStopProS },
      business: { pauseAfterS: 0, stopAfterS: 0 }, // never sleeps
    },
    driver: config.driver,
    npmRegistry: config.npmRegistry,
  };
}
