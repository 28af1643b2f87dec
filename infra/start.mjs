#!/usr/bin/env node
// `npm start`: installs what is missing, brings up the dev stack, builds, then runs the whole
// platform in the foreground — API, worker, edge and dashboard — and prints where to find them.
// A process that crashes is started again (with backoff), the others keep running. Ctrl-C stops
// the platform processes (the stack's databases keep running: `npm run stack -- down`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root, platformEnv } from './lib/env.mjs';
import { bold, dim, fail, ok, red, step } from './lib/log.mjs';
import { prepare } from './lib/prepare.mjs';
import { portOpen, waitFor } from './lib/system.mjs';

const API_PORT = Number(process.env.PADDOCK_API_PORT ?? 4000);
const DASHBOARD_PORT = Number(process.env.PADDOCK_DASHBOARD_PORT ?? 3000);
const EDGE_PORT = Number(process.env.PADDOCK_EDGE_PORT ?? 8080);
const EDGE_TLS_PORT = Number(process.env.PADDOCK_EDGE_TLS_PORT ?? 8443);
const cpBin = join(root, 'control-plane', 'bin', 'paddock-control-plane.mjs');

// The control plane's long-running services; each is a subcommand of its bin. When one exits
// it is started again, after 1 s, then 2, 4, … up to 30 s while it keeps failing (the count
// starts over once it ran a minute). What it started itself (its process group) is stopped
// with it — except the edge's HAProxy, which keeps serving sites until the next edge replaces it.
const SERVICES = [{ name: 'api' }, { name: 'worker' }, { name: 'edge', keepsServing: true }];
const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 30_000;
const STABLE_MS = 60_000;

/** Live children, and every process group started (a stopped service's leftovers included). */
const children = new Set();
const groups = new Set();
const timers = new Set();
let stopping = false;

function spawnService(name, cmd, args, env) {
  // Its own process group, so stopping it also stops what it started (npm → next-server).
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = dim(`[${name}]`.padEnd(12));
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) console.log(`${prefix}${l}`);
    });
  }
  children.add(child);
  groups.add(child.pid);
  return child;
}

const groupAlive = (pid) => {
  try { process.kill(-pid, 0); return true; } catch { return false; }
};

const killGroup = (pid, signal) => {
  try { process.kill(-pid, signal); } catch { /* already gone */ }
};

/** Runs a service and starts it again, with backoff, whenever it exits. */
function supervise(name, cmd, args, env, { keepsServing = false } = {}) {
  let failures = 0;
  const start = () => {
    if (stopping) return;
    // Groups left only by processes that have ended since (the edge's HAProxy, once replaced) are forgotten.
    for (const pid of groups) if (!groupAlive(pid)) groups.delete(pid);
    const startedAt = Date.now();
    const child = spawnService(name, cmd, args, env);
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (stopping) return;
      if (!keepsServing) {
        killGroup(child.pid, 'SIGTERM');
        groups.delete(child.pid);
      }
      if (Date.now() - startedAt >= STABLE_MS) failures = 0;
      const wait = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** failures);
      failures++;
      console.error(red(`✗ ${name} exited (${signal ?? `code ${code}`}); starting it again in ${wait / 1000} s (restart ${failures}${failures > 1 ? ' in a row' : ''}).`));
      const timer = setTimeout(() => { timers.delete(timer); start(); }, wait);
      timers.add(timer);
    });
  };
  start();
}

function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const t of timers) clearTimeout(t);
  for (const pid of groups) killGroup(pid, 'SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all([...children].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.on('exit', r))))).then(() => process.exit(code));
}

async function main() {
  const t0 = Date.now();
  console.log(bold('Starting Paddock'));
  await prepare({ purpose: 'start' });
  const env = platformEnv({
    PADDOCK_ENV: process.env.PADDOCK_ENV ?? 'dev', NEXT_TELEMETRY_DISABLED: '1', PADDOCK_API_URL: `http://localhost:${API_PORT}`,
    // The dashboard reaches the API over loopback and forwards each browser's address
    // (X-Forwarded-For): the API believes it from there, so login limits count per browser.
    PADDOCK_TRUST_PROXY: process.env.PADDOCK_TRUST_PROXY ?? 'loopback',
  });
  for (const [port, what] of [[API_PORT, 'the API'], [DASHBOARD_PORT, 'the dashboard']]) {
    if (await portOpen(port)) throw Object.assign(new Error(`Port ${port} (${what}) is already in use.`), { hint: 'Is Paddock already running? Stop it (Ctrl-C in its terminal) or free the port.' });
  }
  for (const { name, keepsServing } of SERVICES) supervise(name, process.execPath, [cpBin, name], env, { keepsServing });
  supervise('dashboard', 'npm', ['run', 'start', '-w', '@paddock/dashboard', '--silent', '--', '-p', String(DASHBOARD_PORT)], env);
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  step('Waiting for the services to answer…');
  await waitFor(() => portOpen(API_PORT), { what: 'The API', timeoutMs: 60000 });
  await waitFor(() => portOpen(DASHBOARD_PORT), { what: 'The dashboard', timeoutMs: 60000 });
  await waitFor(() => portOpen(EDGE_PORT), { what: 'The edge', timeoutMs: 60000 });
  ok(`Paddock is up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`
  API         http://localhost:${API_PORT}   (docs: http://localhost:${API_PORT}/docs, health: /healthz)
  Dashboard   http://localhost:${DASHBOARD_PORT}
  Sites       https://<site>.localhost:${EDGE_TLS_PORT}   (http://<site>.localhost:${EDGE_PORT} redirects there)
              signed by the dev CA: trust it in a client, e.g. curl --cacert ${join(env.PADDOCK_DEV_CA_DIR ?? '', 'ca.crt')} https://<site>.localhost:${EDGE_TLS_PORT}/
  Operator    ${env.PADDOCK_OPERATOR_EMAIL} / ${env.PADDOCK_OPERATOR_PASSWORD}   (dev only; set PADDOCK_OPERATOR_PASSWORD to choose)

  Ctrl-C stops the platform; \`npm run stack -- down\` also stops Postgres, Redis and Docker.
`);
}

main().catch((e) => { shutdown(1); fail(e); });
