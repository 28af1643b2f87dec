// Runs Debian's wrk against a URL for a bounded time and turns its text report into numbers.
import { spawn } from 'node:child_process';

/** Multipliers to milliseconds for wrk's latency units. */
const TIME_MS = { us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** wrk prints counts with SI suffixes (Req/Sec "73.41k"). */
const SI = { '': 1, k: 1e3, M: 1e6, G: 1e9 };
/** wrk prints byte sizes with binary multiples ("8.84MB"). */
const BYTES = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export class WrkError extends Error {
  constructor(message, output = '') {
    super(message);
    this.name = 'WrkError';
    this.code = 'PDK_BENCH_WRK';
    this.output = output;
  }
}

function durationMs(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) throw new WrkError(`wrk printed a duration the harness cannot read: "${text}"`);
  return Number(m[1]) * TIME_MS[m[2]];
}

function bytes(text) {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text);
  if (!m) throw new WrkError(`wrk printed a size the harness cannot read: "${text}"`);
  return Number(m[1]) * BYTES[m[2]];
}

function count(text) {
  const m = /^([\d.]+)([kMG]?)$/.exec(text);
  if (!m) throw new WrkError(`wrk printed a count the harness cannot read: "${text}"`);
  return Number(m[1]) * SI[m[2]];
}

/**
 * Parses wrk's report (run with or without --latency). Latencies are in milliseconds.
 * `non2xx` is wrk's "Non-2xx or 3xx responses" (wrk counts statuses >= 400 there);
 * `errors` adds socket errors (connect, read, write, timeout) to it: every request that failed.
 */
export function parseWrk(text) {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!rps) throw new WrkError('wrk printed no "Requests/sec" line: the run failed.', text);
  const total = /^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/m.exec(text);
  if (!total) throw new WrkError('wrk printed no "N requests in T" line.', text);
  const latency = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  const reqPerThread = /^\s*Req\/Sec\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  const percentiles = {};
  for (const m of text.matchAll(/^\s+(50|75|90|99)(?:\.0+)?%\s+(\S+)$/gm)) {
    percentiles[`p${m[1]}`] = durationMs(m[2]);
  }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = sock
    ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
    : { connect: 0, read: 0, write: 0, timeout: 0 };
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const non2xx = bad ? Number(bad[1]) : 0;
  return {
    requestsPerSec: Number(rps[1]),
    requests: Number(total[1]),
    durationSec: durationMs(total[2]) / 1000,
    bytesRead: bytes(total[3]),
    latencyMs: {
      avg: latency ? durationMs(latency[1]) : NaN,
      stdev: latency ? durationMs(latency[2]) : NaN,
      max: latency ? durationMs(latency[3]) : NaN,
      ...percentiles,
    },
    reqPerThread: reqPerThread
      ? { avg: count(reqPerThread[1]), stdev: count(reqPerThread[2]), max: count(reqPerThread[3]) }
      : undefined,
    socketErrors,
    non2xx,
    errors: socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout + non2xx,
  };
}

/**
 * Runs `wrk` for `duration` seconds and resolves with the parsed report (plus `raw`, its text).
 * Bounded: killed if it has not finished 10 s after its duration. Loopback targets only.
 */
export function runWrk(url, {
  duration = 3, connections = 32, threads = 1, headers = {}, timeout = '2s', script, latency = true, signal,
} = {}) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    return Promise.reject(new WrkError(`The harness only loads loopback targets, not ${target.hostname}.`));
  }
  const args = ['-t', String(threads), '-c', String(Math.max(connections, threads)), '-d', `${duration}s`, '--timeout', timeout];
  if (latency) args.push('--latency');
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', script);
  args.push(url);
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const limit = setTimeout(() => child.kill('SIGKILL'), (duration + 10) * 1000);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(limit);
      reject(err.code === 'ENOENT'
        ? new WrkError('wrk is not installed. Install it with `apt-get install wrk`.')
        : err);
    });
    child.on('close', (code, sig) => {
      clearTimeout(limit);
      signal?.removeEventListener('abort', onAbort);
      if (code !== 0) {
        reject(new WrkError(`wrk ${args.join(' ')} exited with ${code ?? sig}: ${out.trim().split('\n').pop()}`, out));
        return;
      }
      try {
        resolve({ ...parseWrk(out), raw: out });
      } catch (err) {
        reject(err);
      }
    });
  });
}
