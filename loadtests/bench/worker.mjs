// Runs one scenario file in its own process (started by run.mjs with tsx loaded, so scenarios may
// be TypeScript) and sends its result back over IPC. Whatever the scenario started is stopped here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as harness from './harness/index.mjs';

const [file, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');
const cleanups = [];
const abort = new AbortController();

async function cleanup() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try { await fn(); } catch (err) { process.stderr.write(`  cleanup: ${err.message}\n`); }
  }
}

process.once('SIGTERM', () => {
  abort.abort(new Error('The scenario ran out of time.'));
  cleanup().finally(() => process.exit(124));
});

function context(name) {
  const defer = (fn) => { cleanups.push(fn); };
  return {
    name,
    duration: options.duration,
    connections: options.connections,
    threads: options.threads,
    rounds: options.rounds,
    signal: abort.signal,
    log: (...args) => process.stderr.write(`  [${name}] ${args.join(' ')}\n`),
    defer,
    async tmpDir(prefix = name) {
      const dir = await mkdtemp(join(tmpdir(), `paddock-bench-${prefix}-`));
      defer(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
    async startProcess(command, args, opts = {}) {
      const proc = await harness.startProcess(command, args, { signal: abort.signal, ...opts });
      defer(() => proc.stop());
      return proc;
    },
    async helloUpstream(opts) {
      const up = await harness.helloUpstream(opts);
      defer(() => up.stop());
      return up;
    },
    wrk: (url, opts = {}) => harness.runWrk(url, {
      duration: options.duration, connections: options.connections, threads: options.threads,
      signal: abort.signal, ...opts,
    }),
    constantLoad(url, opts) {
      const load = harness.constantLoad(url, opts);
      defer(() => load.stop());
      return load;
    },
    underLoad: harness.underLoad,
    freePort: harness.freePort,
    interleave: (subjects, opts = {}) => harness.interleave(subjects, { rounds: options.rounds, ...opts }),
    median: harness.median,
    medianRun: harness.medianRun,
    pairedRatio: harness.pairedRatio,
  };
}

async function main() {
  const mod = await import(pathToFileURL(file).href);
  const scenario = mod.default;
  if (!scenario || typeof scenario.run !== 'function') {
    throw new Error(`${file} has no default export { name, description, target, run(ctx) }: see loadtests/README.md.`);
  }
  const name = scenario.name ?? options.name;
  try {
    const rows = await scenario.run(context(name));
    if (!Array.isArray(rows)) throw new Error(`${name}: run(ctx) must resolve with an array of rows.`);
    return { name, description: scenario.description, target: scenario.target, rows };
  } finally {
    await cleanup();
  }
}

main().then(
  (result) => process.send({ ok: true, result }, () => process.exit(0)),
  (err) => process.send({ ok: false, error: err?.stack ?? String(err) }, () => process.exit(1)),
);
