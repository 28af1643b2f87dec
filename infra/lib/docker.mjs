// The Docker engine tenant containers run on: reuse a running one, else start Debian's dockerd.
import { request } from 'node:http';
import { openSync, existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDir, stateDir, writePrivateFile } from './env.mjs';
import { StackError } from './log.mjs';
import { ensurePackages, isRoot, run, waitFor, which } from './system.mjs';

const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

export function dockerPing() {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

export async function ensureDocker() {
  // The docker driver enforces tenant containers' egress policy with iptables rules of its own.
  if (!which('iptables') && !existsSync('/usr/sbin/iptables')) ensurePackages(['iptables'], "tenant containers' egress policy");
  if (await dockerPing()) return { note: `Docker engine at ${socketPath} (already running)` };
  if (!existsSync('/usr/sbin/dockerd') && !which('dockerd')) ensurePackages(['docker.io'], 'tenant containers');
  if (!isRoot) {
    throw new StackError('The Docker engine is not running and starting it needs root.', 'Start it (`sudo dockerd &` or `sudo systemctl start docker`), then run this again.');
  }
  const logDir = ensureDir(join(stateDir, 'log'));
  const out = openSync(join(logDir, 'dockerd.log'), 'a', 0o600);
  // One bridge network per site: Docker's default pools hold about 30 networks, so hand out /24s
  // from a /14 instead (1024 networks), inside the range Postgres' pg_hba admits.
  const args = ['--default-address-pool', 'base=172.20.0.0/14,size=24'];
  const child = spawn(which('dockerd') ?? '/usr/sbin/dockerd', args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  writePrivateFile(join(stateDir, 'dockerd.pid'), String(child.pid));
  await waitFor(dockerPing, { what: `The Docker engine (log: ${join(logDir, 'dockerd.log')})`, timeoutMs: 60000, intervalMs: 250 });
  return { note: `Docker engine at ${socketPath} (started, log in ${join(logDir, 'dockerd.log')})`, started: true };
}

export function stopDocker() {
  const pidFile = join(stateDir, 'dockerd.pid');
  if (!existsSync(pidFile)) return null;
  const pid = readFileSync(pidFile, 'utf8').trim();
  return run('kill', ['-TERM', pid]).ok ? 'Docker engine stopped' : null;
}
