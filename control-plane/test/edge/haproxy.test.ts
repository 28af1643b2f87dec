import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, Agent, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { HaproxyEdge, socketCommand } from '../../src/edge/haproxy.js';
import { ACCESS_LINES_PER_SECOND } from '../../src/edge/haproxy-config.js';
import { Activator } from '../../src/edge/activator.js';
import type { RouteTable, SiteRoute, Upstream } from '../../src/edge/route-table.js';

const dir = mkdtempSync(join(tmpdir(), 'pdk-edge-'));
const servers: Server[] = [];
let edge: HaproxyEdge;
let activator: Activator;
let port = 0;
let table: RouteTable = { sites: [] };

async function upstream(name: string): Promise<Upstream> {
  const s = createServer((req, res) => { res.setHeader('x-upstream', name); res.end(`${name} ${req.url}`); });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { host: '127.0.0.1', port: (s.address() as AddressInfo).port };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

function get(host: string, path = '/', agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: agent ?? false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const route = (site: string, state: SiteRoute['state'], upstreams: Upstream[]): SiteRoute => ({ site, hosts: [`${site}.localhost`], state, upstreams });
let a: Upstream;
let b: Upstream;
let wakeCalls = 0;
const accessLines: string[] = [];
const restartMs: number[] = [];

before(async () => {
  [a, b] = await Promise.all([upstream('A'), upstream('B')]);
  activator = new Activator({
    route: (host) => table.sites.find((s) => s.hosts.includes(host)),
    wake: async (site) => {
      wakeCalls++;
      await new Promise((r) => setTimeout(r, 50));
      const u = await upstream(`woken-${site}`);
      table = { sites: table.sites.map((s) => (s.site === site ? { ...s, state: 'serving', upstreams: [u] } : s)) };
      return [u];
    },
  });
  const act = await activator.listen();
  port = await freePort();
  edge = new HaproxyEdge({ dir, bind: '127.0.0.1', port, activator: act }, { onLog: (l) => accessLines.push(l), onRestart: (ms) => restartMs.push(ms) });
  table = { sites: [route('alpha', 'serving', [a]), route('beta', 'suspended', [b]), route('gamma', 'sleeping', [])] };
  await edge.start(table);
});

after(async () => {
  await edge?.stop();
  await activator?.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the edge routes by host name, answers 404 for unknown hosts and 503 for suspended sites', async () => {
  assert.deepEqual(await get(`alpha.localhost:${port}`, '/x'), { status: 200, body: 'A /x' });
  assert.deepEqual(await get('ALPHA.localhost'), { status: 200, body: 'A /' }, 'host names are case-insensitive');
  const unknown = await get('nobody.localhost');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /No site here/);
  const twoHosts = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: [['Host', 'alpha.localhost'], ['Host', 'beta.localhost']] as unknown as Record<string, string>, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(twoHosts, 400, 'a request with two Host headers is refused');
  const suspended = await get('beta.localhost');
  assert.equal(suspended.status, 503);
  assert.match(suspended.body, /suspended/);
});

test('the first requests to a sleeping site wake it once through the activator and are answered', async () => {
  const before = wakeCalls;
  const answers = await Promise.all(Array.from({ length: 5 }, () => get('gamma.localhost', '/hello')));
  assert.deepEqual(answers.map((x) => x.status), [200, 200, 200, 200, 200]);
  assert.ok(answers.every((x) => x.body === 'woken-gamma /hello'));
  assert.equal(wakeCalls - before, 1, 'concurrent requests share one wake');
  // The edge now routes gamma straight to its replica: a free server slot and a map entry, no reload.
  assert.equal(await edge.apply(table), 'runtime');
  assert.equal((await get('gamma.localhost')).body, 'woken-gamma /');
  // Putting it back to sleep is only a map change, applied without a reload.
  const reloads = edge.reloads;
  table = { sites: table.sites.map((s) => (s.site === 'gamma' ? { ...s, state: 'sleeping' } : s)) };
  assert.equal(await edge.apply(table), 'runtime');
  assert.equal(edge.reloads, reloads);
});

test('switching a site to new replicas under constant load fails no request, without reloads', async () => {
  const reloads = edge.reloads;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let ok = 0;
  const failures: string[] = [];
  let running = true;
  const seen = new Set<string>();
  const worker = async () => {
    while (running) {
      try {
        const r = await get('alpha.localhost', '/load', agent);
        if (r.status === 200) { ok++; seen.add(r.body[0]!); } else failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 120));
    const next = i % 2 === 0 ? b : a;
    table = { sites: table.sites.map((s) => (s.site === 'alpha' ? { ...s, upstreams: [next] } : s)) };
    assert.equal(await edge.apply(table), 'runtime');
  }
  await new Promise((r) => setTimeout(r, 120));
  // Adding a site needs a new backend: a reload, under the same load.
  table = { sites: [...table.sites, route('delta', 'serving', [a])] };
  assert.equal(await edge.apply(table), 'reload');
  assert.equal(edge.reloads, reloads + 1);
  await new Promise((r) => setTimeout(r, 120));
  running = false;
  await Promise.all(workers);
  agent.destroy();
  assert.deepEqual(failures, [], `${failures.length} of ${ok + failures.length} requests failed`);
  assert.ok(ok > 200, `only ${ok} requests made it`);
  assert.deepEqual([...seen].sort(), ['A', 'B'], 'traffic moved between the replicas');
});

test('per-site request counts come from the data plane', async () => {
  for (let i = 0; i < 3; i++) await get('alpha.localhost');
  const stats = await edge.stats();
  const alpha = stats.find((s) => s.backend === 'site_alpha');
  assert.ok(alpha && alpha.requests >= 3, JSON.stringify(stats));
});

test('a site gets an access line per request at a low rate, and a sample carrying its rate under a burst', async () => {
  // delta (added under load above) has had no traffic: its request rate starts from zero.
  const linesFor = async (path: string, expected: number) => {
    const deadline = Date.now() + 3000;
    const mine = () => accessLines.filter((l) => l.startsWith('site_delta ') && l.endsWith(` GET ${path}`));
    while (mine().length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    return mine();
  };
  for (let i = 0; i < 5; i++) await get('delta.localhost', '/calm');
  const calm = await linesFor('/calm', 5);
  assert.equal(calm.length, 5);
  // Backend, its rate (only when sampled), status, total ms, bytes, method, path.
  assert.ok(calm.every((l) => /^site_delta (-|\d+) 200 \d+ \d+ GET \/calm$/.test(l)), calm.join('\n'));
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const n = 2000;
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => { while (next++ < n) await get('delta.localhost', '/burst', agent); }));
  agent.destroy();
  const burst = await linesFor('/burst', n);
  assert.ok(burst.length > 0 && burst.length < n / 2, `${burst.length} lines for ${n} requests`);
  const rates = burst.map((l) => Number(l.split(' ')[1]));
  assert.ok(rates.some((r) => r > ACCESS_LINES_PER_SECOND), 'sampled lines carry the rate they stand for');
  assert.equal(accessLines.filter((l) => l.startsWith('be_')).length, 0, 'no lines for the 404, 503 and activator backends');
});

test('a config HAProxy refuses is not applied and the old one keeps serving', async () => {
  const bad = { sites: [...table.sites, route('bad', 'serving', [{ host: '127.0.0.1', port: 70000 }])] };
  await assert.rejects(edge.apply(bad), /refuses/);
  assert.equal((await get('alpha.localhost')).status, 200);
});

/** Requests the site until it answers (a refused or cut connection is HAProxy still coming back); resolves with the answer and when it came. */
async function answeredAgain(host: string, timeoutMs: number): Promise<{ body: string; at: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const r = await get(host);
      if (r.status === 200) return { body: r.body, at: performance.now() };
    } catch { /* down */ }
    if (performance.now() > deadline) throw new Error(`${host} did not answer again within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function restarted(times: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (edge.restarts < times) {
    if (performance.now() > deadline) throw new Error(`HAProxy was restarted ${edge.restarts} times, not ${times}, within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await edge.running();
}

test('HAProxy killed with -9 (its master, then its worker) runs again within a second from its last config, and takes changes afterwards', async () => {
  // A change over the runtime API first: the restarted HAProxy must route by it, not by its first config.
  const alpha = table.sites.find((s) => s.site === 'alpha')!;
  const other = alpha.upstreams[0]!.port === a.port ? b : a;
  const otherName = other === a ? 'A' : 'B';
  table = { sites: table.sites.map((s) => (s.site === 'alpha' ? { ...s, upstreams: [other] } : s)) };
  assert.equal(await edge.apply(table), 'runtime');
  assert.equal((await get('alpha.localhost')).body[0], otherName);

  const master = edge.pid!;
  const killedAt = performance.now();
  process.kill(master, 'SIGKILL');
  // Its worker may answer a little longer (it leaves once it sees its master gone): wait for the new HAProxy.
  await restarted(1, 5000);
  const back = await answeredAgain('alpha.localhost', 5000);
  assert.equal(back.body[0], otherName, 'it routes by the last change');
  assert.ok(back.at - killedAt < 1500, `the new HAProxy answered ${Math.round(back.at - killedAt)} ms after the kill`);
  assert.equal(restartMs.length, 1);
  assert.ok(restartMs[0]! < 1000, `restarted in ${restartMs[0]} ms`);
  assert.notEqual(edge.pid, master);

  // Its worker killed: the master leaves with it (HAProxy's exit-on-failure), and both come back.
  const info = await socketCommand(edge.files.adminSocket, 'show info');
  const worker = Number(/^Pid: (\d+)$/m.exec(info)?.[1]);
  assert.ok(worker > 0, info);
  process.kill(worker, 'SIGKILL');
  await restarted(2, 5000);
  await answeredAgain('alpha.localhost', 5000);
  assert.ok(restartMs[1]! < 1000, `restarted in ${restartMs[1]} ms`);

  // It keeps taking changes: over the runtime API, and by reload.
  table = { sites: table.sites.map((s) => (s.site === 'alpha' ? { ...s, upstreams: [other === a ? b : a] } : s)) };
  assert.equal(await edge.apply(table), 'runtime');
  assert.notEqual((await get('alpha.localhost')).body[0], otherName);
  const reloads = edge.reloads;
  table = { sites: [...table.sites, route('epsilon', 'serving', [a])] };
  assert.equal(await edge.apply(table), 'reload');
  assert.equal(edge.reloads, reloads + 1);
  assert.equal((await get('epsilon.localhost')).body, 'A /');
  // HAProxy counts a request once its session ends, which may be just after the client has the answer: wait for it.
  let stats = await edge.stats();
  for (const until = Date.now() + 10_000; !stats.some((x) => x.backend === 'site_epsilon' && x.requests === 1) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 50));
    stats = await edge.stats();
  }
  assert.ok(stats.some((x) => x.backend === 'site_epsilon' && x.requests === 1), JSON.stringify(stats));
});

test('an edge that died without stopping its HAProxy is replaced cleanly: the next edge stops the leftover before starting its own', async () => {
  const dir2 = mkdtempSync(join(tmpdir(), 'pdk-edge-'));
  const port2 = await freePort();
  const layout = { dir: dir2, bind: '127.0.0.1', port: port2, activator: { host: '127.0.0.1', port: 1 } };
  const first = new HaproxyEdge(layout);
  await first.start({ sites: [route('alpha', 'serving', [a])] });
  await first.stop();
  // What a killed edge leaves: HAProxy still running its files, its parent gone.
  const leftover = spawn('haproxy', ['-W', '-S', `${first.files.masterSocket},mode,600`, '-p', first.files.pid, '-f', first.files.config], { stdio: 'ignore', detached: true });
  const exited = new Promise((r) => leftover.once('exit', r));
  const next = new HaproxyEdge(layout);
  try {
    const deadline = performance.now() + 5000;
    while (!(await socketCommand(first.files.adminSocket, 'show info', 500).catch(() => '')).includes('Pid:')) {
      if (performance.now() > deadline) throw new Error('the leftover HAProxy did not come up');
      await new Promise((r) => setTimeout(r, 10));
    }
    await next.start({ sites: [route('alpha', 'serving', [b])] });
    await exited;
    assert.notEqual(next.pid, leftover.pid);
    const r = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: port2, path: '/', headers: { host: 'alpha.localhost' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(r, 'B /', 'the new HAProxy alone answers, with the new routes');
  } finally {
    leftover.kill('SIGKILL');
    await next.stop();
    rmSync(dir2, { recursive: true, force: true });
  }
});
