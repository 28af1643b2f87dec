// Starts the built dashboard (its server.mjs, as `npm start` runs it, on a free port) for browser tests; builds it first only
// when no build exists, and stops it (its whole process group) when the test is done.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const dashboardDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const repoRoot = resolve(dashboardDir, '..');
const nextBin = join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');

export interface RunningDashboard {
  url: string;
  stop(): Promise<void>;
  /** Everything the server printed, for failure messages. */
  output(): string;
}

function ensureBuilt(): void {
  if (existsSync(join(dashboardDir, '.next', 'BUILD_ID'))) return;
  const r = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: dashboardDir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error('`next build` of the dashboard failed; run `npm run build -w @paddock/dashboard` to see why.');
}

export async function startDashboard(env: Record<string, string>): Promise<RunningDashboard> {
  ensureBuilt();
  const child: ChildProcess = spawn(process.execPath, [join(dashboardDir, 'server.mjs'), '-p', '0', '-H', '127.0.0.1'], {
    cwd: dashboardDir,
    // Its own process group, so stop() also ends anything next spawns.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...env },
  });
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start within 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Local:\s+(http:\/\/\S+)/.exec(out);
      if (m?.[1] && /Ready in/.test(out)) {
        clearTimeout(timer);
        resolveUrl(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the dashboard exited (${code}) before it was ready:\n${out}`));
    });
  });
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  return {
    url,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.pid === undefined) return done();
        child.removeAllListeners('exit');
        child.once('exit', () => done());
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          done();
        }
      }),
  };
}
