// HTTPS end to end: a deployed site gets a certificate from the dev CA for its platform subdomain,
// stored in the platform database with its key sealed by the master key; the edge serves it, the
// site's runtime sees the request as secure (the platform sets SECURE_PROXY_SSL_HEADER and the
// edge alone writes X-Forwarded-Proto), and a certificate replaced in the database reaches the
// edge at its next sync without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { deployedSiteFixture, fetchVia, freePort, type DeployedSiteFixture } from '../deploy/support.js';
import { createCa, issueFromCa, certificateFacts, type LocalCa } from '../../src/certificates/pem.js';
import { saveCertificate } from '../../src/certificates/certificates.js';
import { certificatesDb } from '../../src/certificates/tables.js';

const siteDir = fileURLToPath(new URL('./fixtures/secure-site', import.meta.url));
let f: DeployedSiteFixture;
let ca: LocalCa;
let tlsPort = 0;

function getHttps(host: string, path = '/'): Promise<{ status: number; body: string; serial: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: tlsPort, servername: host, path, headers: { host }, ca: ca.certPem, agent: false, timeout: 30_000 }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  ca = await createCa('Paddock test dev CA');
  tlsPort = await freePort();
  f = await deployedSiteFixture('tls', { driver: 'process', tls: { port: tlsPort, hstsSeconds: 300, devCa: ca } });
  const r = await f.push(siteDir);
  if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}\n${r.log.slice(-20).join('\n')}`);
  await f.edge.sync();
});

after(async () => {
  await f?.close();
});

test('a deployed site gets a dev CA certificate, kept encrypted in the platform database, and its runtime sees HTTPS as secure', async () => {
  const row = await certificatesDb(f.platform.db).selectFrom('certificates').selectAll().where('host', '=', f.host).executeTakeFirstOrThrow();
  assert.equal(row.source, 'dev-ca');
  assert.doesNotMatch(row.key_enc, /PRIVATE KEY/, 'the key is not stored in clear');
  assert.match(f.platform.secrets.open(row.key_enc, `certificate:${f.host}`), /BEGIN PRIVATE KEY/);
  assert.throws(() => f.platform.secrets.open(row.key_enc, 'certificate:other.localhost'), 'the sealed key opens for its own host only');
  assert.ok(row.not_after.getTime() > Date.now() + 800 * 86400_000);

  const r = await getHttps(f.host);
  assert.equal(r.status, 200);
  assert.equal(r.body, 'secure=true scheme=https');
  assert.equal(r.serial, row.serial);
  assert.equal(r.headers['strict-transport-security'], 'max-age=300');
  const plain = await fetchVia(f.edgePort, f.host, '/?a=1');
  assert.equal(plain.status, 308);
  assert.equal(plain.headers.location, `https://${f.host}:${tlsPort}/?a=1`);
});

test('a certificate replaced in the platform database is served after the next sync, without a reload', async () => {
  const reloads = f.edge.haproxy.reloads;
  const pair = await issueFromCa(ca, [f.host], 90);
  await saveCertificate(f.platform.db, f.platform.secrets, f.host, pair, 'operator');
  await f.edge.sync();
  assert.equal((await getHttps(f.host)).serial, certificateFacts(pair.certPem).serial);
  assert.equal(f.edge.haproxy.reloads, reloads);
  // 90 days is more than 30 days ahead: the dev CA leaves an operator's fresh certificate alone.
  const row = await certificatesDb(f.platform.db).selectFrom('certificates').select(['source']).where('host', '=', f.host).executeTakeFirstOrThrow();
  assert.equal(row.source, 'operator');
});

test('a certificate that does not name its host, or whose key is another\'s, is refused', async () => {
  const other = await issueFromCa(ca, ['other.localhost']);
  await assert.rejects(saveCertificate(f.platform.db, f.platform.secrets, f.host, other, 'operator'), /names other\.localhost, not/);
  const mine = await issueFromCa(ca, [f.host]);
  await assert.rejects(saveCertificate(f.platform.db, f.platform.secrets, f.host, { certPem: mine.certPem, keyPem: other.keyPem }, 'operator'), /does not belong to its certificate/);
});

test('the edge counts certificates by state and days to expiry, and flags one within 7 days of expiry', async () => {
  const host = 'old.example.test';
  const site = await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow();
  await f.platform.db.insertInto('site_domains').values({ host, site_id: site.id, verification_token: 'pdk-test', verified_at: new Date() }).execute();
  await saveCertificate(f.platform.db, f.platform.secrets, host, await issueFromCa(ca, [host], 3), 'operator');
  await f.edge.sync();
  const metrics = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: f.edge.adminAddress!.port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
  assert.match(metrics, /^paddock_certificates_expiring_soon 1$/m);
  assert.match(metrics, new RegExp(`^paddock_certificate_days_to_expiry\\{host="${host.replace(/\./g, '\\.')}"\\} 2$`, 'm'));
  assert.match(metrics, /^paddock_certificates\{state="issued"\} 2$/m);
});
