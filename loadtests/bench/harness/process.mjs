// Starts a benchmark subject (a server, a proxy) as a child process, waits until it is ready and
// stops it with its whole process group, so nothing outlives a scenario.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export class ProcessError extends Error {
  constructor(message, output = '') {
    super(output ? `${message}\n--- its output (last lines) ---\n${output}` : message);
    this.name = 'ProcessError';
    this.code = 'PDK_BENCH_PROCESS';
  }
}

/** Every process group still running, killed synchronously when this Node process exits. */
const live = new Set();
process.once('exit', () => {
  for (const pid of live) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** Resolves once something accepts TCP connections on host:port; rejects after timeoutMs. */
export async function waitForPort(port, { host = '127.0.0.1', timeoutMs = 10_000, signal } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const ok = await new Promise((resolve) => {
      const sock = connect({ port, host });
      sock.once('connect', () => { sock.destroy(); resolve(true); });
      sock.once('error', () => { sock.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new ProcessError(`Nothing listened on ${host}:${port} within ${timeoutMs} ms.`);
    await sleep(20);
  }
}

/**
 * Spawns `command args` in its own process group (as `uid`/`gid` when given; output lines matching
 * `dropLines` are not kept). Ready when `port` accepts connections and/or
 * `ready` (a RegExp) matches its output; `handle.match` holds that match (e.g. a printed port).
 * Rejects with the output's tail if it exits or is not ready within timeoutMs.
 */
export async function startProcess(command, args = [], {
  name = command, cwd, env = process.env, port, host = '127.0.0.1', ready, timeoutMs = 10_000, signal, uid, gid, dropLines,
} = {}) {
  const child = spawn(command, args, { cwd, env, uid, gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let partial = '';
  const onData = (d) => {
    if (dropLines) {
      // Noisy subjects (HAProxy prints a line per proxy on every reload) would push what matters out.
      const lines = (partial + d).split('\n');
      partial = lines.pop();
      const kept = lines.filter((l) => !dropLines.test(l));
      if (kept.length) output += `${kept.join('\n')}\n`;
    } else {
      output += d;
    }
    if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const tail = () => output.trim().split('\n').slice(-20).join('\n');
  const exited = new Promise((resolve) => {
    child.once('exit', (code, sig) => {
      live.delete(child.pid);
      resolve({ code, signal: sig });
    });
  });
  const spawned = await new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
  if (spawned) throw new ProcessError(`Could not start ${name} (${command}): ${spawned.message}`);
  live.add(child.pid);

  let stopping;
  const handle = {
    name,
    child,
    pid: child.pid,
    match: null,
    exited,
    output: () => output,
    /** SIGTERM to the group, SIGKILL after graceMs; resolves when the leader has exited. */
    stop({ signal: sig = 'SIGTERM', graceMs = 3000 } = {}) {
      stopping ??= (async () => {
        if (!live.has(child.pid)) return exited;
        try { process.kill(-child.pid, sig); } catch { /* already gone */ }
        const done = await Promise.race([exited, sleep(graceMs).then(() => null)]);
        // The leader may be gone while workers linger: the group gets SIGKILL either way.
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
        live.delete(child.pid);
        return done ?? exited;
      })();
      return stopping;
    },
  };

  const deadline = Date.now() + timeoutMs;
  try {
    const early = exited.then(({ code, signal: s }) => {
      throw new ProcessError(`${name} exited (${code ?? s}) before it was ready.`, tail());
    });
    early.catch(() => {});
    if (ready) {
      await Promise.race([early, (async () => {
        for (;;) {
          signal?.throwIfAborted();
          const m = ready.exec(output);
          if (m) { handle.match = m; return; }
          if (Date.now() > deadline) throw new ProcessError(`${name} did not print ${ready} within ${timeoutMs} ms.`, tail());
          await sleep(10);
        }
      })()]);
    }
    if (port) {
      await Promise.race([early, waitForPort(port, { host, timeoutMs: Math.max(0, deadline - Date.now()), signal })
        .catch((err) => { throw new ProcessError(`${name}: ${err.message}`, tail()); })]);
    }
  } catch (err) {
    await handle.stop({ graceMs: 500 });
    throw err;
  }
  return handle;
}

/** CPU time (ms, user + system) used so far by every process in a process group: Node's workers or gunicorn's. */
export function groupCpuMs(pgid) {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
