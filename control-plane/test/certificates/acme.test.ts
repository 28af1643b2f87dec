// Custom domains get certificates by ACME, end to end with real parts: Debian's Pebble (the Let's
// Encrypt test CA) checks the HTTP-01 challenge through the real edge in front of a deployed site;
// the certificate is stored encrypted and served over HTTPS, trusted through Pebble's root. A
// renewal under constant load serves the new serial without a failed request; a failing challenge
// leaves `failed` with the reason and a retry time while the old certificate keeps serving; an
// ineligible domain never gets an order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { deployedSiteFixture, fetchVia, freePort, type DeployedSiteFixture } from '../deploy/support.js';
import { call } from '../support/api.js';
import { startPebble, type Pebble } from '../support/pebble.js';
import { certificatesDb } from '../../src/certificates/tables.js';
import { dueForIssuance, issueCertificate, type IssuanceDeps } from '../../src/certificates/issuance.js';

const siteDir = fileURLToPath(new URL('./fixtures/secure-site', import.meta.url));
const DOMAIN = 'shop.example.test';
let f: DeployedSiteFixture;
let pebble: Pebble;
let deps: IssuanceDeps;
let root = '';
let tlsPort = 0;

function getHttps(host: string, agent: HttpsAgent | false = false): Promise<{ status: number; body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: tlsPort, servername: host, path: '/', headers: { host }, ca: root, agent, timeout: 30_000 }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Points a name at another address in Pebble's mock DNS (or back to 127.0.0.1 with `undefined`). */
function mockDns(host: string, address: string | undefined): Promise<void> {
  const body = JSON.stringify(address ? { host: `${host}.`, addresses: [address] } : { host: `${host}.` });
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: pebble.dnsManagementPort, path: address ? '/add-a' : '/clear-a', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`mock DNS answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function addDomain(host: string, verified: boolean): Promise<void> {
  const site = await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow();
  await f.platform.db.insertInto('site_domains').values({ host, site_id: site.id, verification_token: 'pdk-test', verified_at: verified ? new Date() : null }).execute();
}

before(async () => {
  tlsPort = await freePort();
  f = await deployedSiteFixture('acme', { driver: 'process', tls: { port: tlsPort, hstsSeconds: 0 } });
  // Verified before the push, so the release's ALLOWED_HOSTS holds it.
  await addDomain(DOMAIN, true);
  const r = await f.push(siteDir);
  if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}\n${r.log.slice(-20).join('\n')}`);
  pebble = await startPebble({ httpPort: f.edgePort });
  root = await pebble.issuingRoot();
  deps = {
    db: f.platform.db, secrets: f.platform.secrets, logger: f.platform.logger, edge: f.deps.edge, siteDomain: 'localhost',
    acme: { directoryUrl: pebble.directoryUrl, email: 'ops@example.test', caFile: pebble.listenerCaFile },
  };
  await f.edge.sync();
});

after(async () => {
  await pebble?.close();
  await f?.close();
});

test('a verified custom domain gets a certificate from the ACME CA through the edge\'s HTTP-01 answer, and is served over HTTPS', async () => {
  const t0 = performance.now();
  const status = await issueCertificate(deps, DOMAIN);
  const ms = performance.now() - t0;
  assert.equal(status.state, 'issued', `${status.error}`);
  assert.ok(status.expiresAt && Date.parse(status.expiresAt) > Date.now() + 30 * 86400_000);
  const row = await certificatesDb(f.platform.db).selectFrom('certificates').selectAll().where('host', '=', DOMAIN).executeTakeFirstOrThrow();
  assert.equal(row.source, 'acme');
  assert.doesNotMatch(row.key_enc, /PRIVATE KEY/);
  assert.equal((await certificatesDb(f.platform.db).selectFrom('acme_challenges').selectAll().execute()).length, 0, 'the challenge is gone once answered');
  const r = await getHttps(DOMAIN);
  assert.equal(r.status, 200);
  assert.equal(r.body, 'secure=true scheme=https');
  assert.equal(r.serial, row.serial);
  assert.equal((await fetchVia(f.edgePort, DOMAIN)).status, 308, 'plain HTTP now redirects');
  // The API shows it with the domain.
  const listed = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/domains`);
  assert.equal(listed.status, 200);
  const domain = (listed.body.domains as Array<{ hostname: string; certificate: { state: string; expiresAt: string } | null }>).find((d) => d.hostname === DOMAIN);
  assert.equal(domain?.certificate?.state, 'issued');
  assert.equal(domain?.certificate?.expiresAt, row.not_after.toISOString());
  // Asking again is a no-op while the certificate is fresh.
  assert.equal((await issueCertificate(deps, DOMAIN)).state, 'issued');
  assert.equal((await certificatesDb(f.platform.db).selectFrom('certificates').select('serial').where('host', '=', DOMAIN).executeTakeFirstOrThrow()).serial, row.serial);
  assert.deepEqual(await dueForIssuance(deps), [], 'nothing is due');
  console.log(`# certificate issued by Pebble through the edge in ${Math.round(ms)} ms`);
});

test('an unverified domain, a platform subdomain or a domain of no site never gets an order', async () => {
  await addDomain('pending.example.test', false);
  for (const host of ['pending.example.test', `${f.site}.localhost`, 'nobody.example.test']) {
    await assert.rejects(issueCertificate(deps, host), (err: Error & { code?: string }) => err.code === 'PDK_CERTIFICATE_NOT_ELIGIBLE', host);
  }
  const states = await certificatesDb(f.platform.db).selectFrom('certificate_states').select('host').execute();
  assert.deepEqual(states.map((s) => s.host), [DOMAIN], 'no order was started for them');
});

test('a renewal under constant HTTPS load serves the new serial without a failed request or a reload', async () => {
  const before = (await getHttps(DOMAIN)).serial;
  const reloads = f.edge.haproxy.reloads;
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 4, ca: root });
  let ok = 0;
  const failures: string[] = [];
  let running = true;
  const load = Promise.all(Array.from({ length: 4 }, async (_, i) => {
    while (running) {
      try {
        const r = await getHttps(DOMAIN, i % 2 ? agent : false);
        if (r.status === 200) ok++;
        else failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  }));
  while (ok < 20) await new Promise((r) => setTimeout(r, 5));
  const status = await issueCertificate(deps, DOMAIN, { force: true });
  assert.equal(status.state, 'issued', `${status.error}`);
  const after = (await getHttps(DOMAIN)).serial;
  const seen = ok;
  while (ok < seen + 20) await new Promise((r) => setTimeout(r, 5));
  running = false;
  await load;
  agent.destroy();
  assert.notEqual(after, before, 'the new certificate is served');
  assert.deepEqual(failures, []);
  assert.equal(f.edge.haproxy.reloads, reloads);
});

test('a challenge that fails leaves the state failed with the reason and a retry time, and the old certificate keeps serving', async () => {
  const serving = (await getHttps(DOMAIN)).serial;
  // The CA now finds the name at an address where nothing answers.
  await mockDns(DOMAIN, '127.0.0.2');
  try {
    const status = await issueCertificate(deps, DOMAIN, { force: true });
    assert.equal(status.state, 'failed');
    assert.match(status.error ?? '', /\S/);
    assert.ok(status.retryAt && Date.parse(status.retryAt) > Date.now(), 'a retry time in the future');
    const listed = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/domains`);
    const domain = (listed.body.domains as Array<{ hostname: string; certificate: { state: string; error: string } | null }>).find((d) => d.hostname === DOMAIN);
    assert.equal(domain?.certificate?.state, 'failed');
    assert.equal(domain?.certificate?.error, status.error);
  } finally {
    await mockDns(DOMAIN, undefined);
  }
  assert.equal((await getHttps(DOMAIN)).serial, serving, 'the old certificate still serves');
  assert.deepEqual(await dueForIssuance(deps), [], 'not due again before its retry time');
  assert.deepEqual(await dueForIssuance(deps, new Date(Date.now() + 25 * 3600_000)), [DOMAIN], 'due once its retry time has come');
});
