// The deploy pipeline as the API and the deploy job see it: accept an upload (or a re-release of
// an earlier slug: rollback, env change, scale), then build → release image → release phase →
// new replicas → health → edge switch → drain. Every release is kept with its slug, image and env
// snapshot (a rollback brings back both the code and the env vars of its target). An env change
// whose release fails is undone; scale, domain and env re-releases take the code live when they run.
// One deploy per site runs at a time (a Postgres advisory lock), so versions stay in order.
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Deploy, Release, ReleaseKind, Site, Upstream } from '../store/schema.js';
import { errors, PaddockError } from '../errors.js';
import { buildSlug, type SlugManifest } from '../builder/build.js';
import { buildReleaseImage } from '../images/release-image.js';
import { runtimeCommand, runtimePackageDir } from '../images/runtime-image.js';
import * as tar from 'tar';
import { credentialContext, openResource, type TenantResource } from '../provisioners/index.js';
import { quotasOf } from '../orgs/plans.js';
import { secretKeyContext } from '../sites/sites.js';
import { audit, systemActor, type Actor } from '../audit/audit.js';
import { release, type ReleasePlan } from './releaser.js';
import type { Db } from '../store/db.js';
import {
  bumpEnvVersion, currentSiteEnv, envChanges, envVersion, lockEnvVersion, openDeployEnv, openEnvSnapshot, replaceSiteEnv, sealDeployEnv,
  sealEnvSnapshot, type EnvVars,
} from './env-snapshot.js';

import type { DeployRuntime } from '../platform/deploy-runtime.js';

/**
 * The env vars a site's replicas get: the site's own (`own`: a release's snapshot; by default the
 * current site_env_vars), then the platform-provided ones, which the site's own may not override.
 */
export async function siteEnvironment(deps: DeployRuntime, site: Site, own?: EnvVars, database?: TenantResource): Promise<Record<string, string>> {
  const db = deps.platform.db;
  const env: Record<string, string> = { ...(own ?? await currentSiteEnv(deps.platform.db, deps.platform.secrets, site.id)) };
  const hostAlias = await deps.driver.hostAddress(site.name);
  const reachable = (server: string) => server.replace(/^(127\.0\.0\.1|localhost|\[::1\])(?=:)/, hostAlias);
  for (const row of await db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).execute()) {
    const r = row.kind === 'postgres' && database ? database : openResource(deps.platform.secrets, row);
    const auth = `${encodeURIComponent(r.username)}:${encodeURIComponent(r.password)}`;
    if (r.kind === 'postgres') env.DATABASE_URL = `postgres://${auth}@${reachable(r.server)}/${r.database ?? r.username}`;
    if (r.kind === 'redis') {
      env.CACHE_URL = `redis://${auth}@${reachable(r.server)}/0`;
      if (r.keyPrefix) env.CACHE_KEY_PREFIX = r.keyPrefix;
    }
  }
  env.SECRET_KEY = site.secret_key_enc ? deps.platform.secrets.open(site.secret_key_enc, secretKeyContext(site.id)) : '';
  if (!env.SECRET_KEY) delete env.SECRET_KEY;
  const hosts = await siteHosts(deps, site);
  env.ALLOWED_HOSTS = hosts.join(',');
  env.PADDOCK_SITE = site.name;
  // The edge terminates TLS and always sets X-Forwarded-Proto itself (a visitor's own is replaced):
  // the site may believe it, so request.isSecure, Secure cookies and CSRF's Origin check see https.
  env.PADDOCK_SECURE_PROXY_SSL_HEADER = 'X-Forwarded-Proto,https';
  // The site's uploads live on its media volume (the driver sets PADDOCK_MEDIA_ROOT); the runtime's storage refuses a
  // save past the plan's media quota, measuring the volume itself (runtime/src/files/storage.ts).
  const org = await db.selectFrom('organisations').select(['plan', 'quota_overrides']).where('id', '=', site.org_id).executeTakeFirst();
  if (org) env.PADDOCK_MEDIA_QUOTA_BYTES = String(quotasOf(org.plan, org.quota_overrides).mediaMb * 1024 * 1024);
  return env;
}

/** Where drivers without images (process) run a release: its slug unpacked. */
export function releaseDir(deps: Pick<DeployRuntime, 'settings'>, siteId: string, releaseId: string): string {
  return join(deps.settings.buildDir, 'releases', siteId, releaseId);
}

/**
 * How a release's processes run — its image (or unpacked folder, for drivers without images), its
 * env snapshot (the site's current vars for a release older than snapshots) and limits — for its
 * web replicas, its release phase and one-off runs alike.
 */
export async function releaseProcesses(
  deps: DeployRuntime, site: Site, rel: Pick<Release, 'id' | 'version' | 'image' | 'env_enc'>, database?: TenantResource,
): Promise<Pick<ReleasePlan, 'site' | 'release' | 'image' | 'dir' | 'env' | 'limits'>> {
  const usesImages = deps.driver.kind === 'docker' && Boolean(deps.docker);
  return {
    site: site.name,
    release: `v${rel.version}`,
    image: rel.image ?? '',
    ...(usesImages ? {} : { dir: releaseDir(deps, site.id, rel.id) }),
    env: await siteEnvironment(deps, site, openEnvSnapshot(deps.platform.secrets, { ...rel, site_id: site.id }), database),
    limits: { memoryMb: site.memory_mb, cpus: 1, pids: 256 },
  };
}

/** <site>.<domain> and the site's verified custom domains. */
export async function siteHosts(deps: Pick<DeployRuntime, 'platform'>, site: Pick<Site, 'id' | 'name'>): Promise<string[]> {
  const domains = await deps.platform.db.selectFrom('site_domains').select('host')
    .where('site_id', '=', site.id).where('verified_at', 'is not', null).execute();
  return [`${site.name}.${deps.platform.config.siteDomain}`, ...domains.map((d) => d.host)];
}

export async function createDeploy(
  deps: DeployRuntime, site: Site, upload: Readable, opts: { sha256?: string; createdBy?: string | null },
): Promise<Deploy> {
  const id = randomUUID();
  const key = `uploads/${site.id}/${id}.tar.gz`;
  const stored = await deps.artifacts.put(key, upload, {
    maxBytes: deps.settings.maxUploadBytes,
    ...(opts.sha256 ? { expectedSha256: opts.sha256 } : {}),
  });
  const db = deps.platform.db;
  const row = await db.insertInto('deploys').values({
    id, site_id: site.id, kind: 'deploy', status: 'queued', artifact_key: key, artifact_sha256: stored.sha256,
    artifact_size: stored.size, created_by: opts.createdBy ?? null,
  }).returningAll().executeTakeFirstOrThrow();
  try {
    await deps.logs.appendDeploy(id, site.id, 'build', `upload received: ${stored.size} bytes, sha256 ${stored.sha256}`);
    await deps.enqueue(id);
  } catch (err) {
    // Redis is away: a deploy left queued with no job would never run; the push answers 503.
    await db.updateTable('deploys').set({ status: 'failed', error: 'could not be queued; push again', finished_at: new Date() }).where('id', '=', id).execute();
    throw err;
  }
  return row;
}

export interface RereleaseOptions {
  /** The release to re-release (a rollback's target); default the live one. */
  version?: number;
  createdBy?: string | null;
  /** An env change's vars as it made them, and the env version it made: the release runs exactly these. */
  env?: { vars: EnvVars; version: number };
  /** A restore's new database: the release runs on it, and going live makes it the site's (backups/). */
  database?: TenantResource;
}

/** A restore's database travels sealed on its deploy, bound to that deploy. */
const deployDatabaseContext = (deployId: string) => `deploy:${deployId}:database`;

function openDeployDatabase(deps: Pick<DeployRuntime, 'platform'>, deploy: Pick<Deploy, 'id' | 'database_enc'>): TenantResource | undefined {
  return deploy.database_enc ? JSON.parse(deps.platform.secrets.open(deploy.database_enc, deployDatabaseContext(deploy.id))) as TenantResource : undefined;
}

/** A new release from an existing one's slug: rollback, env var change or scale. */
export async function createRerelease(
  deps: DeployRuntime, site: Site, kind: Exclude<ReleaseKind, 'deploy'>, opts: RereleaseOptions = {},
): Promise<Deploy> {
  const queued = await deps.platform.db.transaction().execute((tx) => insertRerelease(deps, tx, site, kind, opts));
  await startRerelease(deps, queued);
  return queued.deploy;
}

/** A rollback of the site that has not finished (queued, building or releasing), if any. */
export async function rollbackInFlight(db: Db, siteId: string): Promise<{ version: number } | undefined> {
  const row = await db.selectFrom('deploys').innerJoin('releases', 'releases.id', 'deploys.source_release_id')
    .select('releases.version').where('deploys.site_id', '=', siteId).where('deploys.kind', '=', 'rollback')
    .where('deploys.status', 'in', ['queued', 'building', 'releasing']).orderBy('deploys.created_at', 'desc').executeTakeFirst();
  return row;
}

/**
 * Records a re-release in the caller's transaction; startRerelease queues it once that commits.
 * A rollback takes the env version lock and records the version it saw: it refuses while another
 * rollback is under way (which of the two would own the env vars?) and, going live, replaces the
 * vars only if nothing changed them since (env changes are refused while it is under way).
 */
export async function insertRerelease(
  deps: DeployRuntime, tx: Db, site: Site, kind: Exclude<ReleaseKind, 'deploy'>, opts: RereleaseOptions = {},
): Promise<{ deploy: Deploy; source: Release }> {
  const db = tx;
  let envVersionSeen = opts.env?.version ?? null;
  if (kind === 'rollback') {
    envVersionSeen = await lockEnvVersion(tx, site.id);
    const busy = await rollbackInFlight(tx, site.id);
    if (busy) throw errors.rollbackInProgress(site.name, busy.version);
  }
  let source: Release | undefined;
  if (opts.version !== undefined) {
    source = await db.selectFrom('releases').selectAll().where('site_id', '=', site.id).where('version', '=', opts.version).executeTakeFirst();
    if (!source || source.status === 'failed') throw errors.releaseNotFound(`v${opts.version}${source ? ' (it failed; pick one that went live)' : ''}`);
  } else {
    source = await currentRelease(deps, site.id, tx);
    if (!source) throw errors.noRelease(site.name);
  }
  const id = randomUUID();
  const deploy = await db.insertInto('deploys').values({
    id, site_id: site.id, kind, status: 'queued', source_release_id: source.id, created_by: opts.createdBy ?? null,
    env_enc: opts.env ? sealDeployEnv(deps.platform.secrets, site.id, id, opts.env.vars) : null, env_version: envVersionSeen,
    database_enc: opts.database ? deps.platform.secrets.seal(JSON.stringify(opts.database), deployDatabaseContext(id)) : null,
  }).returningAll().executeTakeFirstOrThrow();
  return { deploy, source };
}

/** Logs and queues a re-release insertRerelease recorded (after its transaction committed). */
export async function startRerelease(deps: DeployRuntime, queued: { deploy: Deploy; source: Pick<Release, 'version'> }): Promise<void> {
  const { deploy, source } = queued;
  try {
    await deps.logs.appendDeploy(deploy.id, deploy.site_id, 'release', `${deploy.kind}: re-releasing v${source.version}`);
    await deps.enqueue(deploy.id);
  } catch (err) {
    // A rollback left queued with no job would refuse env changes and rollbacks for ever.
    await deps.platform.db.updateTable('deploys').set({ status: 'failed', error: 'could not be queued; try again', finished_at: new Date() })
      .where('id', '=', deploy.id).execute();
    throw err;
  }
}

export async function currentRelease(deps: Pick<DeployRuntime, 'platform'>, siteId: string, db: Db = deps.platform.db): Promise<Release | undefined> {
  return db.selectFrom('releases').selectAll()
    .where('site_id', '=', siteId).where('status', '=', 'live').orderBy('version', 'desc').executeTakeFirst();
}

/** Records the new upstreams of a site and waits until the edge routes to them. */
export async function switchRoute(deps: Pick<DeployRuntime, 'platform' | 'edge'>, siteId: string, releaseId: string | null, upstreams: Upstream[]): Promise<void> {
  const db = deps.platform.db;
  const values = { release_id: releaseId, state: 'serving' as const, upstreams: JSON.stringify(upstreams), updated_at: new Date(), last_request_at: new Date() };
  await db.insertInto('site_routes').values({ site_id: siteId, ...values })
    .onConflict((oc) => oc.column('site_id').doUpdateSet(values)).execute();
  // The routes are recorded: an edge that is slow to acknowledge catches up at its next resync.
  await deps.edge.changed().catch((err: unknown) => deps.platform.logger.warn({ err, siteId }, 'edge slow to apply new routes'));
}

/** The advisory lock a deploy of the site holds while it runs (on a connection of its own). */
export const deployLockKey = (siteId: string): string => `deploy:${siteId}`;

async function withSiteLock<T>(deps: Pick<DeployRuntime, 'platform'>, siteId: string, fn: () => Promise<T>): Promise<T> {
  return deps.platform.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${deployLockKey(siteId)}))`.execute(conn);
    try {
      return await fn();
    } finally {
      // A connection that broke meanwhile (the database restarted) took the lock with it.
      await sql`select pg_advisory_unlock(hashtext(${deployLockKey(siteId)}))`.execute(conn).catch(() => undefined);
    }
  });
}

/**
 * Runs `fn` holding the site's deploy lock if nobody holds it — no deploy of the site is running
 * anywhere, as a live deploy holds it for its whole length — else answers undefined at once.
 */
export async function ifNoDeployRuns<T>(deps: Pick<DeployRuntime, 'platform'>, siteId: string, fn: () => Promise<T>): Promise<T | undefined> {
  return deps.platform.db.connection().execute(async (conn) => {
    const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_lock(hashtext(${deployLockKey(siteId)})) as got`.execute(conn);
    if (!rows[0]?.got) return undefined;
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${deployLockKey(siteId)}))`.execute(conn).catch(() => undefined);
    }
  });
}

/**
 * Names of the vars `env` adds, removes or changes against the release it would replace: the live
 * one, or the last one that was live (a failed release never ran). Undefined when that one
 * predates snapshots.
 */
async function envChangesSinceLive(deps: DeployRuntime, siteId: string, env: EnvVars) {
  const prev = await deps.platform.db.selectFrom('releases').select(['id', 'site_id', 'env_enc'])
    .where('site_id', '=', siteId).where('status', 'in', ['live', 'superseded']).orderBy('version', 'desc').executeTakeFirst();
  if (!prev) return envChanges({}, env);
  const before = openEnvSnapshot(deps.platform.secrets, prev);
  return before ? envChanges(before, env) : undefined;
}

/**
 * After an env change's release failed: site_env_vars become the live release's snapshot again, so
 * the env route shows what runs. Only while the env version is still the one this change set: a
 * newer change (or a rollback going live) owns the vars then. The version is not bumped: the vars
 * are back to what the change replaced, and a rollback queued after it (which recorded this
 * version) must still replace them when it goes live. False when nothing was restored (the live
 * release predates snapshots, or there is none).
 */
async function restoreLiveEnv(deps: DeployRuntime, siteId: string, changeVersion: number | null): Promise<boolean> {
  if (changeVersion === null) return false;
  return deps.platform.db.transaction().execute(async (tx) => {
    if (await lockEnvVersion(tx, siteId) !== changeVersion) return false;
    const live = await currentRelease(deps, siteId, tx);
    const vars = live ? openEnvSnapshot(deps.platform.secrets, live) : undefined;
    if (!vars) return false;
    await replaceSiteEnv(tx, deps.platform.secrets, siteId, vars);
    return true;
  });
}

/** The deploy job: runs one deploy to its end; never throws for a failed deploy (it is recorded). */
export async function runDeploy(deps: DeployRuntime, deployId: string): Promise<Deploy> {
  const db = deps.platform.db;
  const queued = await db.selectFrom('deploys').selectAll().where('id', '=', deployId).executeTakeFirst();
  if (!queued) throw errors.deployNotFound(deployId);
  if (queued.status === 'succeeded' || queued.status === 'failed') return queued;
  const t0 = Date.now();
  const log = (source: 'build' | 'release', line: string) => {
    void deps.logs.appendDeploy(deployId, queued.site_id, source, line).catch(() => undefined);
  };
  return withSiteLock(deps, queued.site_id, async () => {
    // Read again under the lock: the reconciler may have ended it meanwhile.
    const deploy = await db.selectFrom('deploys').selectAll().where('id', '=', deployId).executeTakeFirstOrThrow();
    if (deploy.status === 'succeeded' || deploy.status === 'failed') return deploy;
    const site = await db.selectFrom('sites').selectAll().where('id', '=', deploy.site_id).executeTakeFirstOrThrow();
    // Under the lock no other deploy of the site runs: one already under way was left half-done by
    // a worker that died (this job is its retry). It ends here, as the reconciler would end it.
    if (deploy.status === 'building' || deploy.status === 'releasing') return endAbandonedDeploy(deps, deploy, site);
    let releaseId: string | undefined;
    try {
      if (site.status !== 'ready') throw errors.siteState(site.name, site.status, 'be deployed');
      await db.updateTable('deploys').set({ status: 'building' }).where('id', '=', deployId).execute();
      let slugKey: string;
      let slugSha: string;
      let manifest: SlugManifest;
      let image: string | null = null;
      let description: string;
      // A rollback runs with its target's env snapshot; any other release with the site's current vars.
      let snapshot: EnvVars | undefined;
      let restoresEnv = false;
      if (deploy.kind === 'deploy') {
        const work = join(deps.settings.buildDir, deployId);
        rmSync(work, { recursive: true, force: true });
        mkdirSync(work, { recursive: true });
        try {
          const built = await buildSlug({
            tarball: deps.artifacts.get(deploy.artifact_key!), workDir: work, slugPath: join(work, 'slug.tar.gz'),
            log: (l) => log('build', l), sandbox: deps.buildSandbox, registry: deps.settings.npmRegistry,
          });
          slugKey = `slugs/${site.id}/${deployId}.tar.gz`;
          const stored = await deps.artifacts.put(slugKey, createReadStream(built.slugPath));
          slugSha = stored.sha256;
          manifest = built.manifest;
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
        description = `deploy of upload ${deploy.artifact_sha256?.slice(0, 12) ?? ''}`;
      } else {
        // An env change that another change overtook (its deploy ran late) would bring back old vars.
        if (deploy.env_enc && deploy.env_version !== await envVersion(deps.platform.db, site.id)) throw errors.envSuperseded();
        // A rollback re-releases its target. Scale, domain and env changes re-release the code live
        // now (under the site lock nothing else changes it): a rollback that ran after they were
        // queued made another release live, and its code must not be undone.
        const source = (deploy.kind === 'rollback' ? undefined : await currentRelease(deps, site.id))
          ?? await db.selectFrom('releases').selectAll().where('id', '=', deploy.source_release_id!).executeTakeFirstOrThrow();
        if (source.id !== deploy.source_release_id) {
          await db.updateTable('deploys').set({ source_release_id: source.id }).where('id', '=', deployId).execute();
          log('release', `v${source.version} went live since this ${deploy.kind} was queued: re-releasing its code`);
        }
        slugKey = source.slug_key;
        slugSha = source.slug_sha256;
        manifest = source.manifest as unknown as SlugManifest;
        image = source.image;
        description = deploy.kind === 'restore' ? `database restore (v${source.version} on the restored database)` : `${deploy.kind} of v${source.version}`;
        if (deploy.kind === 'rollback') {
          snapshot = openEnvSnapshot(deps.platform.secrets, source);
          restoresEnv = snapshot !== undefined;
          description = restoresEnv
            ? `Rollback to v${source.version} (code and env vars)`
            : `Rollback to v${source.version} (code only: v${source.version} predates env snapshots, the current env vars stay)`;
        }
      }
      const ownEnv = snapshot ?? openDeployEnv(deps.platform.secrets, deploy) ?? await currentSiteEnv(deps.platform.db, deps.platform.secrets, site.id);
      const last = await db.selectFrom('releases').select((eb) => eb.fn.max('version').as('v')).where('site_id', '=', site.id).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      // The id is chosen here: the env snapshot is sealed to it, so it opens for this release only.
      const relId = randomUUID();
      const envEnc = sealEnvSnapshot(deps.platform.secrets, site.id, relId, ownEnv);
      const changes = await envChangesSinceLive(deps, site.id, ownEnv);
      const rel = await db.insertInto('releases').values({
        id: relId, site_id: site.id, version, kind: deploy.kind, description, slug_key: slugKey, slug_sha256: slugSha,
        manifest: JSON.stringify(manifest), replicas: site.replicas, status: 'pending', created_by: deploy.created_by, env_enc: envEnc,
        env_changes: changes ? JSON.stringify(changes) : null,
      }).returning(['id']).executeTakeFirstOrThrow();
      releaseId = rel.id;
      await db.updateTable('deploys').set({ status: 'releasing', release_id: rel.id }).where('id', '=', deployId).execute();
      log('release', `release v${version}: ${description}`);
      if (restoresEnv) log('release', `env vars of the rollback's target: ${Object.keys(ownEnv).join(', ') || 'none'}`);

      if (deps.driver.kind === 'docker' && deps.docker) {
        if (!image) {
          const runtime = await deps.runtimeImage();
          image = await buildReleaseImage(deps.docker, runtime, await deps.artifacts.localPath(slugKey), { site: site.name, release: `v${version}-${rel.id.slice(0, 8)}` });
        }
      } else {
        // Drivers without images run the slug unpacked in a folder of its own.
        const dir = releaseDir(deps, site.id, rel.id);
        mkdirSync(dir, { recursive: true });
        await tar.x({ file: await deps.artifacts.localPath(slugKey), cwd: dir });
        // The image provides @paddock/runtime at /node_modules; here a link to this machine's copy does.
        const link = join(dir, 'node_modules', '@paddock', 'runtime');
        if (!existsSync(link)) {
          mkdirSync(dirname(link), { recursive: true });
          symlinkSync(runtimePackageDir(), link, 'dir');
        }
      }
      await db.updateTable('releases').set({ image }).where('id', '=', rel.id).execute();

      const previous = await deps.driver.list(site.name);
      // Migrations apply once: a release whose migration files a live release already applied skips the phase.
      const live = await currentRelease(deps, site.id);
      const liveManifest = live?.manifest as unknown as Partial<SlugManifest> | undefined;
      // A restored database may predate migrations the live release applied: a restore always migrates.
      const database = openDeployDatabase(deps, deploy);
      const migrate = Boolean(manifest.migrations)
        && (Boolean(database) || !(live && liveManifest?.migrationsHash && liveManifest.migrationsHash === manifest.migrationsHash));
      if (manifest.migrations && !migrate) log('release', `migrations unchanged since v${live?.version}: nothing to apply`);
      let done: Deploy | undefined;
      await release({
        driver: deps.driver,
        switchEdge: (_site, upstreams) => switchRoute(deps, site.id, rel.id, upstreams),
        log: (l) => log('release', l),
        onLive: async (timings) => {
          done = await markLive(deps, deploy, site, rel.id, restoresEnv ? ownEnv : undefined, database);
          await deps.logs.appendDeploy(deployId, site.id, 'release',
            `v${version} is live in ${((Date.now() - t0) / 1000).toFixed(1)} s (${Object.entries(timings).map(([k, v]) => `${k} ${v} ms`).join(', ')})`, 'succeeded');
        },
      }, {
        ...await releaseProcesses(deps, site, { id: rel.id, version, image, env_enc: envEnc }, database),
        replicas: site.replicas,
        ...(migrate ? { migrateCommand: runtimeCommand('migrate', '--site-dir', '/app') } : {}),
      }, previous).catch(async (err: unknown) => {
        // After going live only the drain can fail: the release stands, the leftovers go next time.
        if (done) { deps.platform.logger.warn({ err, site: site.name }, 'draining old replicas failed'); return; }
        throw err;
      });
      return done!;
    } catch (err) {
      const message = err instanceof PaddockError ? err.message : `${(err as Error).message}`;
      deps.platform.logger.warn({ err, deployId, site: site.name }, 'deploy failed');
      return recordFailure(deps, deploy, site, releaseId, message);
    }
  });
}

/** Whoever asked for the deploy (the platform itself when no account did): the actor of its audit events. */
async function deployActor(db: Db, deploy: Deploy): Promise<Actor> {
  if (!deploy.created_by) return systemActor;
  const account = await db.selectFrom('accounts').select('email').where('id', '=', deploy.created_by).executeTakeFirst();
  return account ? { accountId: deploy.created_by, label: account.email } : systemActor;
}

/**
 * Makes the deploy's release the live one (the previous live one superseded) and the deploy
 * succeeded, in one transaction; `restoreEnv`: a rollback's vars, which become the site's. Only
 * a release still pending goes live: one the reconciler ended meanwhile stays failed.
 */
async function markLive(
  deps: DeployRuntime, deploy: Deploy, site: Site, releaseId: string, restoreEnv: EnvVars | undefined, database?: TenantResource,
): Promise<Deploy> {
  let envKept = false;
  const done = await deps.platform.db.transaction().execute(async (tx) => {
    const txdb = tx;
    await txdb.updateTable('releases').set({ status: 'superseded' }).where('site_id', '=', site.id).where('status', '=', 'live').execute();
    const live = await txdb.updateTable('releases').set({ status: 'live', live_at: new Date() }).where('id', '=', releaseId).where('status', '=', 'pending').executeTakeFirst();
    if (Number(live.numUpdatedRows) === 0) throw errors.releaseFailed('it was ended while it released (its worker seemed gone)');
    // A restore's database becomes the site's as its release goes live, not before: until then the old one serves.
    if (database) {
      await txdb.updateTable('site_resources').set({
        server: database.server, username: database.username, database: database.database,
        secret_enc: deps.platform.secrets.seal(database.password, credentialContext(site.id, 'postgres')),
      }).where('site_id', '=', site.id).where('kind', '=', 'postgres').execute();
    }
    // What the env route and the dashboard show is what runs: the rollback's vars, unless
    // they changed since it was queued (env changes are refused meanwhile, so only a
    // rollback queued before env versions existed has none recorded).
    if (restoreEnv) {
      const seen = await lockEnvVersion(tx, site.id);
      if (deploy.env_version === null || deploy.env_version === seen) {
        await replaceSiteEnv(tx, deps.platform.secrets, site.id, restoreEnv);
        await bumpEnvVersion(tx, site.id);
      } else envKept = true;
    }
    const rel = await txdb.selectFrom('releases').select('version').where('id', '=', releaseId).executeTakeFirstOrThrow();
    await audit(tx, await deployActor(tx, deploy), {
      action: 'release.live', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { version: rel.version, kind: deploy.kind, deployId: deploy.id },
    });
    return txdb.updateTable('deploys').set({ status: 'succeeded', finished_at: new Date() }).where('id', '=', deploy.id).returningAll().executeTakeFirstOrThrow();
  });
  if (envKept) {
    deps.platform.logger.warn({ site: site.name, deployId: deploy.id }, 'env vars changed while a rollback released; they were kept');
    await deps.logs.appendDeploy(deploy.id, site.id, 'release', 'the env vars changed while this rollback released: the site keeps the changed ones, which its next release runs')
      .catch(() => undefined);
  }
  return done;
}

/**
 * Records a deploy (and its release, if it made one) as failed with `message`; an env change's vars
 * are undone. The audit event leaves the message out: it may quote the site's own output.
 */
async function recordFailure(deps: DeployRuntime, deploy: Deploy, site: Site, releaseId: string | null | undefined, message: string): Promise<Deploy> {
  const db = deps.platform.db;
  if (releaseId) await db.updateTable('releases').set({ status: 'failed', error: message }).where('id', '=', releaseId).where('status', '=', 'pending').execute();
  // Before the result is out: whoever reads the env vars after it sees what runs.
  const restored = deploy.env_enc ? await restoreLiveEnv(deps, site.id, deploy.env_version).catch((e: unknown) => {
    deps.platform.logger.error({ err: e, deployId: deploy.id, site: site.name }, 'could not restore the env vars of the live release');
    return false;
  }) : false;
  const error = restored ? `The env change was not applied; the previous vars are back. ${message}` : message;
  const failed = await db.updateTable('deploys').set({ status: 'failed', error, finished_at: new Date() }).where('id', '=', deploy.id).returningAll().executeTakeFirstOrThrow();
  await audit(deps.platform.db, await deployActor(deps.platform.db, deploy), {
    action: 'deploy.failed', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { kind: deploy.kind, deployId: deploy.id },
  });
  await deps.logs.appendDeploy(deploy.id, site.id, 'release', `deploy failed: ${error}`, 'failed');
  return failed;
}

/**
 * Ends a deploy whose worker died half-way (building, or releasing with its release pending); the
 * caller holds the site's deploy lock, so nothing else runs it. Had the edge already switched to
 * the new release (the worker died between the switch and recording it), the release went live:
 * it is recorded so and the old replicas go, as the deploy would have done. Otherwise the release
 * is failed and its replicas, their network holders and its release phase are removed; the
 * previous release keeps serving.
 */
export async function endAbandonedDeploy(deps: DeployRuntime, deploy: Deploy, site: Site): Promise<Deploy> {
  const db = deps.platform.db;
  const rel = deploy.release_id
    ? await db.selectFrom('releases').selectAll().where('id', '=', deploy.release_id).executeTakeFirst()
    : undefined;
  const route = await db.selectFrom('site_routes').select(['release_id', 'upstreams']).where('site_id', '=', site.id).executeTakeFirst();
  rmSync(join(deps.settings.buildDir, deploy.id), { recursive: true, force: true });
  if (rel?.status === 'pending' && route?.release_id === rel.id) {
    const source = deploy.kind === 'rollback' && deploy.source_release_id
      ? await db.selectFrom('releases').selectAll().where('id', '=', deploy.source_release_id).executeTakeFirst()
      : undefined;
    // A rollback restores its target's vars when that one has a snapshot; the new release holds the same.
    const restoreEnv = source && openEnvSnapshot(deps.platform.secrets, source) ? openEnvSnapshot(deps.platform.secrets, rel) : undefined;
    const done = await markLive(deps, deploy, site, rel.id, restoreEnv);
    const serving = new Set(((route.upstreams as unknown as Upstream[] | null) ?? []).map((u) => u.id));
    const old = (await deps.driver.list(site.name)).filter((r) => !serving.has(r.id));
    await Promise.all(old.map(async (o) => {
      await deps.driver.stop(o.id, 10);
      await deps.driver.remove(o.id);
    }));
    deps.platform.logger.warn({ deployId: deploy.id, site: site.name, version: rel.version }, 'a deploy left by a dead worker had gone live: recorded as live');
    await deps.logs.appendDeploy(deploy.id, site.id, 'release',
      `v${rel.version} is live (its worker stopped after the switch; the platform recorded it and drained ${old.length} old replica(s))`, 'succeeded');
    return done;
  }
  if (rel?.status === 'pending') await deps.driver.removeRelease(site.name, `v${rel.version}`);
  deps.platform.logger.warn({ deployId: deploy.id, site: site.name, version: rel?.version }, 'a deploy left by a dead worker: failed, its leftovers removed');
  return recordFailure(deps, deploy, site, rel?.id, errors.deployInterrupted().message);
}

/**
 * A pending release whose deploy is over (it failed, but recording the release failed with it):
 * failed now, its processes removed.
 */
export async function endStrayRelease(deps: DeployRuntime, rel: Release, site: Site): Promise<void> {
  await deps.driver.removeRelease(site.name, `v${rel.version}`);
  await deps.platform.db.updateTable('releases').set({ status: 'failed', error: errors.deployInterrupted().message })
    .where('id', '=', rel.id).where('status', '=', 'pending').execute();
}
