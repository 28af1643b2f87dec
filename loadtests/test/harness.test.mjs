// The benchmark harness's own tests: wrk report parsing, process and port helpers, the constant
// load helper's failure counting, verdicts, and the runner end to end on throwaway scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseWrk, runWrk, WrkError, startProcess, waitForPort, freePort, helloUpstream,
  constantLoad, underLoad, interleave, median, pairedRatio, verdict, tableRows, formatTable,
} from '../bench/harness/index.mjs';
import { parseArgs, discover, exitCode } from '../bench/run.mjs';

const runner = fileURLToPath(new URL('../bench/run.mjs', import.meta.url));

const WITH_LATENCY = `Running 2s test @ http://127.0.0.1:8080/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   464.84us    1.56ms   1.20s    96.50%
    Req/Sec    73.41k    24.64k   89.43k    80.00%
  Latency Distribution
     50%  163.00us
     75%  266.00us
     90%  531.00us
     99%    6.99ms
  146032 requests in 2.00s, 17.68MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  73001.33
Transfer/sec:      8.84MB
`;

const WITHOUT_LATENCY = `Running 1m test @ http://127.0.0.1:8080/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.50ms  500.00us  10.00ms   70.00%
    Req/Sec     1.20M    0.00      1.20M   100.00%
  240000 requests in 1.00m, 1.50GB read
Requests/sec:   4000.00
Transfer/sec:     25.60MB
`;

/** Whether the process runs (a zombie, dead but not yet reaped by its new parent, does not). */
function running(pid) {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits up to a second for the process to stop running; resolves with whether it still does. */
async function stillRunningAfterWait(pid) {
  for (let i = 0; i < 50 && running(pid); i++) await sleep(20);
  return running(pid);
}

async function listeningServer(handler) {
  const srv = createServer(handler);
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { srv, url: `http://127.0.0.1:${srv.address().port}/`, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }) };
}

test('parseWrk reads req/s, totals, latency percentiles in ms and every kind of error', () => {
  const r = parseWrk(WITH_LATENCY);
  assert.equal(r.requestsPerSec, 73001.33);
  assert.equal(r.requests, 146032);
  assert.equal(r.durationSec, 2);
  assert.equal(Math.round(r.bytesRead), Math.round(17.68 * 1024 * 1024));
  assert.ok(Math.abs(r.latencyMs.avg - 0.46484) < 1e-9);
  assert.equal(r.latencyMs.stdev, 1.56);
  assert.equal(r.latencyMs.max, 1200);
  assert.ok(Math.abs(r.latencyMs.p50 - 0.163) < 1e-9);
  assert.ok(Math.abs(r.latencyMs.p90 - 0.531) < 1e-9);
  assert.equal(r.latencyMs.p99, 6.99);
  assert.equal(r.reqPerThread.avg, 73410);
  assert.deepEqual(r.socketErrors, { connect: 1, read: 2, write: 3, timeout: 4 });
  assert.equal(r.non2xx, 5);
  assert.equal(r.errors, 15);
});

test('parseWrk reads a report without --latency or errors, with M and GB and minutes', () => {
  const r = parseWrk(WITHOUT_LATENCY);
  assert.equal(r.requestsPerSec, 4000);
  assert.equal(r.durationSec, 60);
  assert.equal(r.bytesRead, 1.5 * 1024 ** 3);
  assert.equal(r.reqPerThread.max, 1.2e6);
  assert.equal(r.latencyMs.p99, undefined);
  assert.equal(r.errors, 0);
});

test('parseWrk rejects the output of a run that never connected', () => {
  assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n'), WrkError);
});

test('runWrk measures a local server and refuses non-loopback targets', async () => {
  const { url, close } = await listeningServer((_req, res) => res.end('ok'));
  try {
    const r = await runWrk(url, { duration: 1, connections: 4 });
    assert.ok(r.requests > 100, `only ${r.requests} requests`);
    assert.equal(r.errors, 0);
    assert.ok(r.latencyMs.p99 > 0);
  } finally {
    await close();
  }
  await assert.rejects(runWrk('http://example.com/', { duration: 1 }), /loopback/);
});

test('runWrk counts error statuses and rejects when nothing listens', async () => {
  const { url, close } = await listeningServer((_req, res) => { res.statusCode = 503; res.end(); });
  try {
    const r = await runWrk(url, { duration: 1, connections: 2, latency: false });
    assert.equal(r.non2xx, r.requests);
    assert.ok(r.errors > 0);
  } finally {
    await close();
  }
  const port = await freePort();
  await assert.rejects(runWrk(`http://127.0.0.1:${port}/`, { duration: 1, connections: 1 }), WrkError);
});

test('startProcess waits for the printed readiness line and stop() kills the whole process group', async () => {
  const proc = await startProcess('sh', ['-c', 'sleep 60 & echo "child $!"; wait'], { ready: /child (\d+)/ });
  const grandchild = Number(proc.match[1]);
  assert.equal(running(grandchild), true);
  await proc.stop();
  assert.equal(await stillRunningAfterWait(proc.pid), false);
  assert.equal(await stillRunningAfterWait(grandchild), false, 'a process the subject started outlived stop()');
});

test('startProcess waits for a port, and rejects with the output when the process dies first', async () => {
  const up = await helloUpstream();
  try {
    const proc = await startProcess(process.execPath, ['-e', `require('node:net').createServer().listen(${await freePort()}, '127.0.0.1')`], { timeoutMs: 5000 });
    await proc.stop();
  } finally {
    await up.stop();
  }
  await assert.rejects(
    startProcess(process.execPath, ['-e', 'console.error("config is broken"); process.exit(3)'], { port: await freePort() }),
    (err) => /exited \(3\)/.test(err.message) && /config is broken/.test(err.message),
  );
});

test('startProcess gives up after timeoutMs and leaves nothing running', async () => {
  const t0 = Date.now();
  let pid;
  await assert.rejects(
    startProcess('sh', ['-c', 'echo "pid $$"; exec sleep 60'], { ready: /never printed/, timeoutMs: 300 })
      .catch((err) => { pid = Number(/pid (\d+)/.exec(err.message)?.[1]); throw err; }),
    /did not print/,
  );
  assert.ok(Date.now() - t0 < 3000);
  assert.ok(pid > 0);
  assert.equal(await stillRunningAfterWait(pid), false);
});

test('waitForPort resolves for a listening port and times out on a closed one', async () => {
  const srv = createTcpServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  try {
    await waitForPort(srv.address().port, { timeoutMs: 1000 });
  } finally {
    srv.close();
  }
  await assert.rejects(waitForPort(await freePort(), { timeoutMs: 100 }), /within 100 ms/);
});

test('freePort gives a port that can be bound', async () => {
  const port = await freePort();
  const srv = createTcpServer();
  await new Promise((resolve, reject) => { srv.once('error', reject); srv.listen(port, '127.0.0.1', resolve); });
  srv.close();
});

test('helloUpstream serves hello world from its own process and stops', async () => {
  const up = await helloUpstream({ body: 'hi there' });
  assert.notEqual(up.pid, process.pid);
  assert.equal(await (await fetch(up.url)).text(), 'hi there');
  await up.stop();
  await assert.rejects(fetch(up.url));
});

test('constantLoad reports zero failures against a healthy server', async () => {
  const { url, close } = await listeningServer((_req, res) => res.end('v1'));
  try {
    const load = constantLoad(url, { connections: 4, countBodies: true });
    await load.ready(50);
    const r = await load.stop();
    assert.equal(r.failed, 0);
    assert.equal(r.ok, r.requests);
    assert.ok(r.requests >= 50);
    assert.equal(r.bodies.v1, r.requests);
    assert.equal(r.statuses[200], r.requests);
  } finally {
    await close();
  }
});

test('constantLoad counts every failed request by reason while something breaks the server', async () => {
  let mode = 'ok';
  const { url, close } = await listeningServer((req, res) => {
    if (mode === 'ok') res.end('ok');
    else if (mode === '503') { res.statusCode = 503; res.end(); }
    else req.socket.destroy();
  });
  try {
    const { report } = await underLoad(url, { connections: 4 }, async (load) => {
      const before = load.report.requests;
      mode = '503';
      while (load.report.failures['status 503'] === undefined) await sleep(5);
      mode = 'reset';
      while (load.report.failed === load.report.failures['status 503']) await sleep(5);
      mode = 'ok';
      return before;
    });
    assert.ok(report.failures['status 503'] > 0);
    assert.ok(Object.keys(report.failures).some((k) => k === 'ECONNRESET' || /hang up/.test(k)), JSON.stringify(report.failures));
    assert.equal(report.ok + report.failed, report.requests);
    assert.ok(report.firstFailure.reason === 'status 503');
  } finally {
    await close();
  }
});

test('constantLoad with a rate sends no more than that many requests per second', async () => {
  const { url, close } = await listeningServer((_req, res) => res.end('ok'));
  try {
    const load = constantLoad(url, { connections: 4, rate: 100 });
    await sleep(500);
    const r = await load.stop();
    // Each loop's schedule allows one request per 40 ms from its start: 100/s plus one per loop.
    assert.ok(r.requests <= Math.ceil(r.durationSec * 100) + 4, `${r.requests} requests in ${r.durationSec} s`);
    assert.ok(r.requests >= 10, `${r.requests} requests`);
    assert.equal(r.failed, 0);
  } finally {
    await close();
  }
});

test('constantLoad.ready fails with the reasons when nothing answers', async () => {
  const load = constantLoad(`http://127.0.0.1:${await freePort()}/`, { connections: 1 });
  await assert.rejects(load.ready(1, { timeoutMs: 200 }), /ECONNREFUSED/);
  const r = await load.stop();
  assert.equal(r.ok, 0);
  assert.ok(r.failures.ECONNREFUSED > 0);
});

test('interleave rotates the order each round; median and pairedRatio reduce the rounds', async () => {
  const order = [];
  const results = await interleave({ a: async () => order.push('a'), b: async () => order.push('b'), c: async () => order.push('c') }, { rounds: 3 });
  assert.deepEqual(order.join(''), 'abcbcacab');
  assert.equal(results.a.length, 3);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(pairedRatio([{ requestsPerSec: 50 }, { requestsPerSec: 10 }, { requestsPerSec: 90 }], [{ requestsPerSec: 100 }, { requestsPerSec: 10 }, { requestsPerSec: 100 }]), 0.9);
});

test('verdict compares ratio with target both ways, honours pass overrides and skips targetless rows', () => {
  const ge = { ratio: 0.5, compare: '>=' };
  assert.equal(verdict({ ratio: 0.6 }, ge), 'pass');
  assert.equal(verdict({ ratio: 0.4 }, ge), 'miss');
  assert.equal(verdict({ ratio: 0.001, target: { ratio: 0, compare: '<=' } }, ge), 'miss');
  assert.equal(verdict({ ratio: 0, target: { ratio: 0, compare: '<=' } }, ge), 'pass');
  assert.equal(verdict({ ratio: 0.9, pass: false }, ge), 'miss');
  assert.equal(verdict({ ratio: 0.9, target: null }, ge), '-');
  assert.equal(verdict({ ratio: null }, ge), '-');
  const table = formatTable(tableRows([
    { name: 's', target: ge, rows: [{ subject: 'x', baseline: 'y', measured: { 'req/s': 1234.567 }, ratio: 0.75 }] },
    { name: 'broken', error: 'Error: boom\n  at stack' },
  ]));
  assert.match(table, /^s\s+x\s+y\s+req\/s=1234\.57\s+0\.75\s+>= 0\.5\s+pass$/m);
  assert.match(table, /^broken\s+.*error: Error: boom\s+.*error$/m);
});

test('the exit code fails on errors always and on misses only with --strict', () => {
  const pass = { result: 'pass' }, miss = { result: 'miss' }, error = { result: 'error' }, none = { result: '-' };
  assert.equal(exitCode([pass, miss, none]), 0);
  assert.equal(exitCode([pass, miss], { strict: true }), 1);
  assert.equal(exitCode([pass, none], { strict: true }), 0);
  assert.equal(exitCode([pass, error]), 1);
});

test('parseArgs reads options and rejects unknown ones; discover skips declarations and _files', () => {
  const o = parseArgs(['edge-proxy', '--duration', '2', '--rounds', '5', '--strict']);
  assert.deepEqual([o.names, o.duration, o.rounds, o.strict], [['edge-proxy'], 2, 5, true]);
  assert.throws(() => parseArgs(['--duration', 'x']), /positive number/);
  assert.throws(() => parseArgs(['--fast']), /Unknown option/);
  const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-discover-'));
  try {
    for (const f of ['b.ts', 'a.mjs', 'types.d.ts', '_fixture.mjs', 'notes.md', 'c.mts']) writeFileSync(join(dir, f), '');
    assert.deepEqual(discover(dir).map((s) => s.name), ['a', 'b', 'c']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner runs TypeScript and JS scenarios in their own processes and reports a throwing one as an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-run-'));
  try {
    writeFileSync(join(dir, 'fine.ts'), `
      const ratio: number = 0.75;
      export default { name: 'fine', description: 'd', target: { ratio: 0.5, compare: '>=' },
        async run(ctx: { duration: number }) { return [{ subject: 'sub', baseline: 'base', measured: { d: ctx.duration }, ratio }]; } };`);
    writeFileSync(join(dir, 'slow.mjs'), `
      export default { name: 'slow', description: 'd', target: { ratio: 2, compare: '<=' },
        async run() { return [{ subject: 'lat', baseline: 'base', ratio: 3 }]; } };`);
    writeFileSync(join(dir, 'broken.mjs'), `
      export default { name: 'broken', description: 'd', async run(ctx) {
        await ctx.startProcess('sleep', ['60'], { ready: /./, timeoutMs: 50 }).catch(() => {});
        throw new Error('the subject would not start'); } };`);
    const r = spawnSync(process.execPath, [runner, '--dir', dir, '--duration', '1.5'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^fine\s+sub\s+base\s+d=1\.5\s+0\.75\s+>= 0\.5\s+pass$/m);
    assert.match(r.stdout, /^slow\s+lat\s+base\s+3\.00\s+<= 2\s+miss$/m);
    assert.match(r.stdout, /^broken\s+.*the subject would not start.*error$/m);
    assert.match(r.stdout, /1 pass, 1 miss, 1 error/);

    const only = spawnSync(process.execPath, [runner, '--dir', dir, 'slow'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(only.status, 0, 'a miss alone must not fail the run without --strict');
    assert.doesNotMatch(only.stdout, /fine|broken/);
    const unknown = spawnSync(process.execPath, [runner, '--dir', dir, 'nope'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /No scenario named nope\. Known: broken, fine, slow/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner stops a scenario that outlives --timeout, and what it started with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-timeout-'));
  try {
    const pidFile = join(dir, 'sleep.pid');
    writeFileSync(join(dir, 'hang.mjs'), `
      import { writeFileSync } from 'node:fs';
      export default { name: 'hang', description: 'd', async run(ctx) {
        const p = await ctx.startProcess('sleep', ['60'], { ready: /^/ });
        writeFileSync(${JSON.stringify(pidFile)}, String(p.pid));
        await new Promise(() => setInterval(() => {}, 1000));
      } };`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [runner, '--dir', dir, '--timeout', '3'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^hang\s+.*timed out after 3 s.*error$/m);
    assert.ok(Date.now() - t0 < 15_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(await stillRunningAfterWait(pid), false, 'the scenario\'s process outlived its timeout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
