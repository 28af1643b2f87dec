#!/usr/bin/env node
// The dev stack: `node infra/stack.mjs up [--for start|test|bench]` makes sure Postgres, the two
// Redis instances, the Docker engine and the edge proxy are there, reusing what already runs,
// and writes their settings to stack.env in the state dir; `status` shows them; `down` stops what it started.
import { ensureDir, stackEnvFile, stateDir, writePrivateFile } from './lib/env.mjs';
import { bold, fail, ok, step } from './lib/log.mjs';
import { ensurePackages, portOpen } from './lib/system.mjs';
import { loadSecrets } from './lib/secrets.mjs';
import { ensurePostgres, stopPostgres, PLATFORM_PORT as PG_PORT, TENANT_PORT as TENANT_PG_PORT } from './lib/postgres.mjs';
import { ensureRedis, stopRedis, PLATFORM_PORT, CACHE_PORT } from './lib/redis.mjs';
import { dockerPing, ensureDocker, stopDocker } from './lib/docker.mjs';
import { ensureDevCa } from './lib/dev-ca.mjs';

// Which Debian packages each use needs beyond the services themselves.
const EXTRA_PACKAGES = {
  start: [['haproxy', 'the edge proxy']],
  test: [['haproxy', 'the edge proxy'], ['chromium', 'browser tests'], ['wrk', 'the benchmark harness tests'], ['pgbackrest', 'the point-in-time restore tests'],
    ['pebble', 'the ACME tests (Pebble, the Let\'s Encrypt test CA, and its mock DNS)'], ['curl', 'the HTTPS tests']],
  bench: [['haproxy', 'the edge proxy'], ['nginx', 'the nginx baseline'], ['wrk', 'load generation'],
    ['python3-django', 'the Django baseline'], ['python3-psycopg2', 'the Django baseline'], ['gunicorn', 'the Django baseline']],
};

export async function up({ purpose = 'start', quiet = false } = {}) {
  ensureDir(stateDir);
  const secrets = loadSecrets();
  const env = {};
  const notes = [];
  // Tests and the bench make platform databases of their own; the platform itself never does.
  const pg = await ensurePostgres(secrets, { forTests: purpose === 'test' || purpose === 'bench' });
  Object.assign(env, pg.env);
  notes.push(...pg.notes.map((n) => `Postgres: ${n}`));
  const redis = await ensureRedis(secrets);
  Object.assign(env, redis.env);
  notes.push(...redis.notes.map((n) => `Redis: ${n}`));
  const docker = await ensureDocker();
  notes.push(`Docker: ${docker.note}`);
  for (const [pkg, why] of EXTRA_PACKAGES[purpose] ?? []) ensurePackages([pkg], why);
  // Platform processes keep their files (artifacts, builds, edge config) beside the stack's state.
  env.PADDOCK_STATE_DIR = stateDir;
  // The dev CA signs the edge's certificate for each platform subdomain (HTTPS in development).
  const ca = ensureDevCa();
  env.PADDOCK_DEV_CA_DIR = process.env.PADDOCK_DEV_CA_DIR ?? ca.dir;
  notes.push(`dev CA: ${ca.cert}${ca.made ? ' (made now)' : ''}`);
  env.PADDOCK_MASTER_KEY = process.env.PADDOCK_MASTER_KEY ?? secrets.MASTER_KEY;
  env.PADDOCK_OPERATOR_EMAIL = process.env.PADDOCK_OPERATOR_EMAIL ?? 'operator@paddock.localhost';
  env.PADDOCK_OPERATOR_PASSWORD = process.env.PADDOCK_OPERATOR_PASSWORD ?? secrets.OPERATOR_PASSWORD;
  writePrivateFile(stackEnvFile, ['# Written by infra/stack.mjs; read by npm start, npm test and the bench.',
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join('\n') + '\n');
  if (!quiet) {
    for (const n of notes) ok(n);
    step(`Settings written to ${stackEnvFile}`);
  }
  return { env, notes };
}

async function status() {
  const rows = [
    [`platform Postgres :${PG_PORT}`, await portOpen(PG_PORT)],
    [`tenant Postgres :${TENANT_PG_PORT}`, await portOpen(TENANT_PG_PORT)],
    [`platform Redis :${PLATFORM_PORT}`, await portOpen(PLATFORM_PORT)],
    [`cache Redis :${CACHE_PORT}`, await portOpen(CACHE_PORT)],
    ['Docker engine', await dockerPing()],
  ];
  for (const [name, up] of rows) console.log(`${up ? 'up  ' : 'down'}  ${name}`);
}

function down() {
  for (const line of [...stopRedis(), ...stopPostgres(), stopDocker()].filter(Boolean)) ok(line);
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const [cmd = 'up', ...rest] = process.argv.slice(2);
  const purpose = rest.includes('--for') ? rest[rest.indexOf('--for') + 1] : 'start';
  const usage = 'usage: node infra/stack.mjs up [--for start|test|bench] | status | down';
  if (cmd === 'up') { console.log(bold('Paddock dev stack')); up({ purpose }).catch(fail); }
  else if (cmd === 'status') status().catch(fail);
  else if (cmd === 'down') { try { down(); } catch (e) { fail(e); } }
  else { console.error(usage); process.exit(2); }
}
