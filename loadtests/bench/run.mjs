#!/usr/bin/env node
// `npm run bench [-- name... --duration S --rounds N --connections N --json FILE --strict --list]`:
// runs benchmark scenarios (loadtests/bench/scenarios/*.ts|*.mts|*.mjs), each in its own process
// and with its subjects and baseline side by side, and prints one table of ratios and verdicts.
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, tableRows } from './harness/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const scenarioDir = join(here, 'scenarios');

const USAGE = 'Usage: npm run bench -- [scenario ...] [--duration S] [--rounds N] [--connections N] [--threads N] [--timeout S] [--json FILE] [--strict] [--list] [--dir DIR]';

export function parseArgs(argv) {
  const opts = { names: [], duration: 3, rounds: 3, connections: 32, threads: 1, timeout: 180, json: undefined, strict: false, list: false, dir: scenarioDir };
  const num = (flag, v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, not "${v}".\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--duration') opts.duration = num(a, argv[++i]);
    else if (a === '--rounds') opts.rounds = Math.round(num(a, argv[++i]));
    else if (a === '--connections') opts.connections = Math.round(num(a, argv[++i]));
    else if (a === '--threads') opts.threads = Math.round(num(a, argv[++i]));
    else if (a === '--timeout') opts.timeout = num(a, argv[++i]);
    else if (a === '--json') opts.json = argv[++i];
    else if (a === '--dir') opts.dir = resolve(argv[++i]);
    else if (a === '--strict') opts.strict = true;
    else if (a === '--list') opts.list = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (a.startsWith('-')) throw new Error(`Unknown option "${a}".\n${USAGE}`);
    else opts.names.push(a);
  }
  return opts;
}

/** Scenario files, named by their file name without extension. */
export function discover(dir = scenarioDir) {
  return readdirSync(dir)
    .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !/\.d\.m?ts$/.test(f) && !f.startsWith('_'))
    .sort()
    .map((f) => ({ name: basename(f).replace(/\.(ts|mts|mjs)$/, ''), file: join(dir, f) }));
}

function runScenario({ name, file }, opts) {
  return new Promise((resolve) => {
    const child = fork(join(here, 'worker.mjs'), [file, JSON.stringify({ ...opts, name })], {
      cwd: root,
      execArgv: ['--import', 'tsx', '--conditions=paddock-source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let message;
    child.on('message', (m) => { message = m; });
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, opts.timeout * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      if (message?.ok) resolve(message.result);
      else if (message) resolve({ name, error: message.error });
      else if (timedOut) resolve({ name, error: `timed out after ${opts.timeout} s (raise --timeout or shorten the scenario)` });
      else resolve({ name, error: `its process exited (${code ?? signal}) without a result` });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let scenarios = discover(opts.dir);
  if (opts.list) {
    for (const s of scenarios) console.log(`${s.name}\t${relative(root, s.file)}`);
    return 0;
  }
  if (opts.names.length) {
    const unknown = opts.names.filter((n) => !scenarios.some((s) => s.name === n));
    if (unknown.length) {
      throw new Error(`No scenario named ${unknown.join(', ')}. Known: ${scenarios.map((s) => s.name).join(', ') || 'none'}.`);
    }
    scenarios = scenarios.filter((s) => opts.names.includes(s.name));
  }
  if (scenarios.length === 0) throw new Error(`No scenarios in ${relative(root, opts.dir)}.`);
  const { names: _names, list: _list, json: _json, strict: _strict, dir: _dir, ...shared } = opts;
  const results = [];
  const loadAtStart = loadavg()[0];
  for (const s of scenarios) {
    const t0 = Date.now();
    process.stderr.write(`▶ ${s.name}…\n`);
    const result = await runScenario(s, shared);
    process.stderr.write(`${result.error ? '✗' : '✓'} ${s.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    if (result.error) process.stderr.write(`${result.error}\n`);
    results.push(result);
  }
  const lines = tableRows(results);
  console.log(`\n${formatTable(lines)}`);
  const count = (v) => lines.filter((l) => l.result === v).length;
  console.log(`\n${count('pass')} pass, ${count('miss')} miss, ${count('error')} error (duration ${opts.duration} s per measurement, ${opts.rounds} rounds, ${opts.connections} connections)`);
  const cores = availableParallelism();
  const busiest = Math.max(loadAtStart, loadavg()[0]);
  if (busiest > cores) {
    // Other processes took CPU from the subjects: ratios can be off by far more than usual.
    console.log(`⚠ the machine was busy (load average ${busiest.toFixed(1)} on ${cores} cores): ratios are noisy; run again when it is idle, or with more --rounds.`);
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ at: new Date().toISOString(), options: shared, loadAverage: busiest, cores, results }, null, 2));
  return exitCode(lines, opts);
}

/** 1 when a scenario failed to run, or (with --strict) when a row missed its target; else 0. */
export function exitCode(lines, { strict = false } = {}) {
  const has = (v) => lines.some((l) => l.result === v);
  return has('error') || (strict && has('miss')) ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => { process.exitCode = code; }, (err) => {
    console.error(err.message);
    process.exitCode = 2;
  });
}
