// Attacks from inside a real site container — a one-off of the site's live release: its image,
// its env (DATABASE_URL, CACHE_URL), its network, its hardening — against what the host keeps for
// itself: the platform database (with the platform role's own credentials, as if they leaked), the
// platform Redis, the API, the edge's admin port, and link-local metadata addresses. A container on
// an ordinary Docker network runs the same probes as a control: what it reaches, the site must not
// reach because of the egress policy, not because nothing answers. The site's own database and
// cache, and the internet, stay reachable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { suffix } from '../support/platform.js';
import { currentRelease, releaseProcesses } from '../../src/releases/deploys.js';
import { replicaSpec } from '../../src/releases/releaser.js';
import { EGRESS_CHAIN } from '../../src/drivers/egress.js';
import { DockerDriver } from '../../src/drivers/docker.js';
import { deployedSiteFixture, type DeployedSiteFixture } from './support.js';

const hello = join(import.meta.dirname, 'fixtures/hello');
const INTERNET = { host: 'registry.npmjs.org', port: 443 };

// Runs in the container: TCP probes of `PROBE_TARGETS`, then logins with the credentials it is given.
const PROBE = `
const net = require('net');
const pg = require('pg');
const { Redis } = require('ioredis');
const probe = (t) => new Promise((done) => {
  const s = net.connect(t.port, t.host);
  s.setTimeout(5000, () => { s.destroy(); done('timeout'); });
  s.on('connect', () => { s.destroy(); done('connected'); });
  s.on('error', (e) => done(e.code || String(e)));
});
const login = async (url) => {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  try { await c.connect(); return 'logged in as ' + (await c.query('select current_user as u')).rows[0].u; }
  catch (e) { return e.code || String(e.message); }
  finally { await c.end().catch(() => {}); }
};
(async () => {
  const out = {};
  for (const t of JSON.parse(process.env.PROBE_TARGETS)) out[t.name] = await probe(t);
  for (const [name, url] of Object.entries(JSON.parse(process.env.PROBE_LOGINS || '{}'))) out[name] = await login(url);
  if (process.env.CACHE_URL) {
    const r = new Redis(process.env.CACHE_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
    r.on('error', () => {});
    try {
      await r.connect();
      const key = (process.env.CACHE_KEY_PREFIX || '') + 'egress';
      await r.set(key, 'kept', 'EX', 60);
      out.cache = await r.get(key);
    } catch (e) { out.cache = String(e.message); }
    r.disconnect();
  }
  console.log('PROBE ' + JSON.stringify(out));
})();`;

interface Target { name: string; host: string; port: number }

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/**
 * A stand-in for a cloud metadata service: an HTTP server on a link-local address in a network
 * namespace of its own, routed from the host through a veth pair. The host forwards to it as a
 * cloud host forwards to its metadata service, so the policy's forwarding rule is what is tested.
 */
async function metadataStandIn(address: string): Promise<{ close(): void }> {
  const id = suffix().slice(0, 6);
  const ns = `pdkmd-${id}`;
  const [hostEnd, nsEnd] = [`pdkmh${id}`, `pdkmn${id}`];
  const link = { host: '10.254.213.1', ns: '10.254.213.2' };
  let server: ChildProcess | undefined;
  const close = () => {
    server?.kill('SIGKILL');
    spawnSync('ip', ['route', 'del', `${address}/32`]);
    spawnSync('ip', ['link', 'del', hostEnd]);
    spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd]);
    sh('ip', ['link', 'set', nsEnd, 'netns', ns]);
    sh('ip', ['addr', 'add', `${link.host}/30`, 'dev', hostEnd]);
    sh('ip', ['link', 'set', hostEnd, 'up']);
    const inNs = (...args: string[]) => sh('nsenter', [`--net=/var/run/netns/${ns}`, 'ip', ...args]);
    inNs('addr', 'add', `${link.ns}/30`, 'dev', nsEnd);
    inNs('addr', 'add', `${address}/32`, 'dev', nsEnd);
    inNs('link', 'set', nsEnd, 'up');
    inNs('route', 'add', 'default', 'via', link.host);
    sh('ip', ['route', 'add', `${address}/32`, 'via', link.ns]);
    server = spawn('nsenter', [`--net=/var/run/netns/${ns}`, process.execPath, '-e',
      `require('http').createServer((q, s) => s.end('metadata')).listen(80, '${address}', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.once('data', () => resolve());
      server!.once('exit', (code) => reject(new Error(`the metadata stand-in exited (${code})`)));
    });
    return { close };
  } catch (err) {
    close();
    throw err;
  }
}

function results(output: string[], who: string): Record<string, string> {
  const line = output.find((l) => l.startsWith('PROBE '));
  assert.ok(line, `${who} printed its results: ${output.join('\n')}`);
  return JSON.parse(line.slice('PROBE '.length)) as Record<string, string>;
}

describe("egress of tenant containers: nothing of the host's but the tenant servers, no link-local, the internet", () => {
  let f: DeployedSiteFixture;
  let driver: DockerDriver;
  let metadata: { close(): void } | undefined;
  const metadataAddress = '169.254.213.7';
  const controlNetwork = `pdk-egress-control-${suffix()}`;
  let apiPort = 0;

  before(async () => {
    f = await deployedSiteFixture('egress');
    driver = f.deps.driver as DockerDriver;
    const r = await f.push(hello);
    assert.equal(r.status, 'succeeded', r.log.join('\n'));
    // The API as `npm start` runs it: on every address of the host.
    await f.app.listen({ host: '0.0.0.0', port: 0 });
    apiPort = (f.app.server.address() as AddressInfo).port;
    metadata = await metadataStandIn(metadataAddress);
    await driver.docker.createNetwork({ Name: controlNetwork, Driver: 'bridge' });
  });

  after(async () => {
    metadata?.close();
    await driver?.docker.getNetwork(controlNetwork).remove().catch(() => undefined);
    await f?.close();
  });

  /** The site's live release with `command`, as `paddock run` starts it. */
  async function siteProbe(env: Record<string, string>): Promise<Record<string, string>> {
    const site = await f.platform.db.selectFrom('sites').selectAll().where('name', '=', f.site).where('status', '=', 'ready').executeTakeFirstOrThrow();
    const live = await currentRelease(f.deps, site.id);
    assert.ok(live, 'the site has a live release');
    const plan = await releaseProcesses(f.deps, site, live);
    const r = await driver.exec(replicaSpec({ ...plan, env: { ...plan.env, ...env } }, 0, ['-e', PROBE]), { timeoutMs: 90_000 });
    return results(r.output.map((l) => l.line), 'the site container');
  }

  /** The same image and probes in a container on an ordinary Docker network (no egress policy there). */
  async function controlProbe(env: Record<string, string>): Promise<Record<string, string>> {
    const site = await f.platform.db.selectFrom('sites').selectAll().where('name', '=', f.site).where('status', '=', 'ready').executeTakeFirstOrThrow();
    const live = await currentRelease(f.deps, site.id);
    const c = await driver.docker.createContainer({
      Image: live!.image!, Cmd: ['-e', PROBE], User: '10001:10001', Env: Object.entries(env).map(([k, v]) => `${k}=${v}`), Tty: true,
      HostConfig: { NetworkMode: controlNetwork },
    });
    try {
      await c.start();
      await c.wait();
      const logs = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
      return results(logs.split('\n').map((l) => l.replace(/\r$/, '')), 'the control container');
    } finally {
      await c.remove({ force: true });
    }
  }

  test('from a site container: no platform database, platform Redis, API, edge admin or link-local address; its own database and cache work', async () => {
    const gateway = await driver.hostAddress(f.site);
    const platformDb = new URL(f.platform.config.databaseUrl);
    const platformRedis = new URL(f.platform.config.redisUrl);
    const leaked = new URL(f.platform.config.databaseUrl);
    leaked.hostname = gateway;
    const leakedOnTenantServer = new URL(leaked);
    leakedOnTenantServer.port = new URL(f.platform.config.pgAdminUrls[0]!).port;
    const targets: Target[] = [
      { name: 'platform postgres', host: gateway, port: Number(platformDb.port || 5432) },
      { name: 'platform redis', host: gateway, port: Number(platformRedis.port || 6379) },
      { name: 'api', host: gateway, port: apiPort },
      { name: 'edge admin', host: gateway, port: f.edge.adminAddress!.port },
      { name: 'metadata', host: metadataAddress, port: 80 },
      { name: 'cloud metadata', host: '169.254.169.254', port: 80 },
    ];
    const env = {
      PROBE_TARGETS: JSON.stringify(targets),
      // The platform role's credentials, as if they had leaked: at the platform port, and at the tenant server's.
      PROBE_LOGINS: JSON.stringify({ 'platform role': leaked.toString(), 'platform role on the tenant server': leakedOnTenantServer.toString() }),
    };

    // The control: an ordinary container reaches the API and the link-local stand-in, so the probes work.
    const control = await controlProbe({ PROBE_TARGETS: JSON.stringify(targets.filter((t) => t.name === 'api' || t.name === 'metadata')) });
    assert.deepEqual(control, { api: 'connected', metadata: 'connected' });

    const got = await siteProbe(env);
    for (const t of targets) assert.notEqual(got[t.name], 'connected', `${t.name} (${t.host}:${t.port}) must not be reachable from a site container: ${JSON.stringify(got)}`);
    assert.doesNotMatch(got['platform role']!, /logged in/);
    assert.doesNotMatch(got['platform role on the tenant server']!, /logged in/);
    // The tenant server admits a container only to the database named like its role.
    assert.equal(got['platform role on the tenant server'], '28000', 'no pg_hba entry lets the platform role in from a container');
  });

  test("from a site container: the site's own database and cache work, other databases of its server do not, and the internet answers", async () => {
    await lookup(INTERNET.host); // the host resolves the registry (npm installs from it): the internet is there to reach
    const host = await new Promise<string>((resolve) => {
      const s = connect(INTERNET.port, INTERNET.host);
      s.setTimeout(5000, () => { s.destroy(); resolve('timeout'); });
      s.on('connect', () => { s.destroy(); resolve('connected'); });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(host, 'connected', 'the host itself reaches the registry');
    const site = await f.platform.db.selectFrom('sites').selectAll().where('name', '=', f.site).where('status', '=', 'ready').executeTakeFirstOrThrow();
    const plan = await releaseProcesses(f.deps, site, (await currentRelease(f.deps, site.id))!);
    const own = new URL(plan.env.DATABASE_URL!);
    const otherDatabase = new URL(own);
    otherDatabase.pathname = '/postgres';
    const got = await siteProbe({
      PROBE_TARGETS: JSON.stringify([{ name: 'internet', ...INTERNET }]),
      PROBE_LOGINS: JSON.stringify({ own: own.toString(), 'postgres database': otherDatabase.toString() }),
    });
    assert.equal(got.own, `logged in as ${decodeURIComponent(own.username)}`, JSON.stringify(got));
    assert.equal(got['postgres database'], '28000', 'pg_hba admits containers only to the database named like their role');
    assert.equal(got.cache, 'kept', JSON.stringify(got));
    assert.equal(got.internet, 'connected', JSON.stringify(got));
  });

  test('a policy something removed is put back by the next check, and installing it again adds nothing', async () => {
    const rules = () => spawnSync('iptables', ['-w', '-S', EGRESS_CHAIN], { encoding: 'utf8' }).stdout;
    const hooks = () => spawnSync('iptables', ['-w', '-S'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`-j ${EGRESS_CHAIN}`));
    const installed = rules();
    assert.match(installed, /-d 169\.254\.0\.0\/16 -j REJECT/);
    assert.deepEqual(hooks().sort(), [`-A DOCKER-USER -i pdk-+ -j ${EGRESS_CHAIN}`, `-A INPUT -i pdk-+ -j ${EGRESS_CHAIN}`]);
    // A firewall reload empties the chain; the driver's next check (the sleep sweep's) puts it back.
    sh('iptables', ['-w', '-F', EGRESS_CHAIN]);
    const fresh = new DockerDriver({ namePrefix: 'pdk-test' });
    await fresh.ensureIsolation();
    await fresh.ensureIsolation();
    assert.equal(rules(), installed);
    assert.equal(hooks().length, 2, 'installing again adds no second jump');
  });
});
