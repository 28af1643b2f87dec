// HTTPS at the edge, against a real HAProxy: certificates from a local CA served by name, TLS 1.2+
// with modern ciphers and HTTP/2 by ALPN, plain HTTP redirected (308) for hosts with a
// certificate, X-Forwarded-Proto set by the edge only, HSTS for platform subdomains, and
// certificates added, renewed and removed over the runtime API while requests flow, without a
// reload and without a failed request.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { HaproxyEdge } from '../../src/edge/haproxy.js';
import { Activator } from '../../src/edge/activator.js';
import type { RouteTable, Upstream } from '../../src/edge/route-table.js';
import { EdgeCertificates } from '../../src/certificates/edge-certificates.js';
import { createCa, issueFromCa, certificateFacts, type LocalCa } from '../../src/certificates/pem.js';
import type { ServedCertificate } from '../../src/certificates/certificates.js';

const dir = mkdtempSync(join(tmpdir(), 'pdk-tls-'));
const servers: Server[] = [];
let edge: HaproxyEdge;
let activator: Activator;
let certs: EdgeCertificates;
let ca: LocalCa;
let caFile: string;
let httpPort = 0;
let httpsPort = 0;
let served: ServedCertificate[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** A site replica that answers with the scheme it was told, and its own HSTS when asked to. */
async function upstream(): Promise<Upstream> {
  const s = createServer((req, res) => {
    if (req.url === '/own-hsts') res.setHeader('strict-transport-security', 'max-age=60');
    res.end(`proto=${String(req.headers['x-forwarded-proto'])} host=${String(req.headers.host)} url=${req.url}`);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { host: '127.0.0.1', port: (s.address() as AddressInfo).port };
}

async function certificateFor(host: string): Promise<ServedCertificate> {
  const pair = await issueFromCa(ca, [host]);
  const facts = certificateFacts(pair.certPem);
  return { host, serial: facts.serial, notAfter: facts.notAfter, ...pair };
}

interface Answer { status: number; body: string; headers: Record<string, string | string[] | undefined> }

function getHttp(host: string, path = '/', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: httpPort, path, headers: { host, ...headers }, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function getHttps(host: string, path = '/', agent: HttpsAgent | false = false): Promise<Answer & { serial: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, servername: host, path, headers: { host }, ca: ca.certPem, agent, timeout: 5000 }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, serial }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A bare TLS handshake with the edge: what was agreed, or why it failed. */
function handshake(servername: string, opts: ConnectionOptions = {}): Promise<{ protocol?: string | null; alpn?: string | false | null; cipher?: string; error?: string; authorized?: boolean }> {
  return new Promise((resolve) => {
    const sock = tlsConnect({ host: '127.0.0.1', port: httpsPort, servername, ca: ca.certPem, rejectUnauthorized: false, ...opts }, () => {
      resolve({ protocol: sock.getProtocol(), alpn: sock.alpnProtocol, cipher: sock.getCipher().name, authorized: sock.authorized });
      sock.end();
    });
    sock.on('error', (e) => resolve({ error: e.message }));
  });
}

const table = (a: Upstream, b: Upstream): RouteTable => ({
  sites: [
    { site: 'alpha', hosts: ['alpha.localhost', 'www.alpha.example'], state: 'serving', upstreams: [a] },
    { site: 'beta', hosts: ['beta.localhost'], state: 'serving', upstreams: [b] },
  ],
});

before(async () => {
  ca = await createCa('Paddock test CA');
  caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  const [a, b] = await Promise.all([upstream(), upstream()]);
  activator = new Activator({ route: () => undefined, wake: async () => [] });
  const act = await activator.listen();
  [httpPort, httpsPort] = [await freePort(), await freePort()];
  certs = new EdgeCertificates(dir);
  served = [await certificateFor('alpha.localhost'), await certificateFor('www.alpha.example')];
  await certs.prepare(served);
  edge = new HaproxyEdge({
    dir, bind: '127.0.0.1', port: httpPort, activator: act,
    tls: { port: httpsPort, crtList: certs.files.crtList, hostsMap: certs.files.hostsMap, challengesMap: certs.files.challengesMap, hstsSeconds: 31536000, siteDomain: 'localhost' },
  });
  await edge.start(table(a, b));
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

test('the edge serves each host its own certificate, trusted through the CA, and tells the site it came over https', async () => {
  const r = await getHttps('alpha.localhost', '/x?y=1');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'proto=https host=alpha.localhost url=/x?y=1');
  assert.equal(r.serial, served[0]!.serial);
  const custom = await getHttps('www.alpha.example');
  assert.equal(custom.serial, served[1]!.serial);
  // The documented check: curl trusting the CA file (not spawnSync: the site's replica runs in this process).
  const curl = await promisify(execFile)('curl', ['-sS', '--cacert', caFile, '--resolve', `alpha.localhost:${httpsPort}:127.0.0.1`, `https://alpha.localhost:${httpsPort}/`, '-w', ' %{http_version}'], { encoding: 'utf8' });
  assert.equal(curl.stdout, `proto=https host=alpha.localhost:${httpsPort} url=/ 2`, 'curl speaks HTTP/2 to the edge');
  // A host without a certificate gets the edge's fallback, which no client trusts.
  const none = await handshake('beta.localhost', { rejectUnauthorized: true });
  assert.match(none.error ?? '', /self[- ]signed|unable to verify|certificate/i);
});

test('TLS 1.2 and 1.3 only, forward-secret AEAD ciphers, ECDSA P-256 keys, HTTP/2 and HTTP/1.1 by ALPN', async () => {
  const h2 = await handshake('alpha.localhost', { ALPNProtocols: ['h2', 'http/1.1'] });
  assert.equal(h2.alpn, 'h2');
  assert.equal(h2.protocol, 'TLSv1.3');
  assert.equal(h2.authorized, true);
  assert.equal((await handshake('alpha.localhost', { ALPNProtocols: ['http/1.1'] })).alpn, 'http/1.1');
  const tls12 = await handshake('alpha.localhost', { maxVersion: 'TLSv1.2' });
  assert.equal(tls12.protocol, 'TLSv1.2');
  assert.match(tls12.cipher ?? '', /^ECDHE-ECDSA-(AES(128|256)-GCM|CHACHA20-POLY1305)/);
  // The client allows anything (security level 0): the refusal is the edge's.
  const tls11 = await handshake('alpha.localhost', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  assert.ok(tls11.error, `TLS 1.1 was accepted (${tls11.protocol})`);
  const cbc = await handshake('alpha.localhost', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:AES128-SHA:AES128-GCM-SHA256@SECLEVEL=0' });
  assert.ok(cbc.error, `a cipher without forward secrecy or AEAD was accepted (${cbc.cipher})`);
  const key = spawnSync('openssl', ['x509', '-noout', '-text'], { input: served[0]!.certPem, encoding: 'utf8' }).stdout;
  assert.match(key, /id-ecPublicKey[\s\S]*prime256v1/);
});

test('plain HTTP to a host with a certificate is redirected to HTTPS with 308, except ACME challenges; other hosts stay plain', async () => {
  const r = await getHttp('alpha.localhost', '/path/x?q=1');
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, `https://alpha.localhost:${httpsPort}/path/x?q=1`);
  assert.equal((await getHttp(`ALPHA.localhost:${httpPort}`, '/')).status, 308, 'whatever the case and port of the Host header');
  const challenge = await getHttp('alpha.localhost', '/.well-known/acme-challenge/token');
  assert.equal(challenge.status, 200);
  assert.equal(challenge.body, 'proto=http host=alpha.localhost url=/.well-known/acme-challenge/token');
  const plain = await getHttp('beta.localhost', '/');
  assert.equal(plain.status, 200, 'a host without a certificate is served over plain HTTP');
});

test('the edge answers ACME HTTP-01 challenges itself, over plain HTTP, for any host, and only well-formed ones', async () => {
  const reloads = edge.reloads;
  await edge.exclusive((run) => certs.applyChallenges([
    { token: 'tok_EN-1', keyAuthorization: 'tok_EN-1.thumbPRINT_x' },
    { token: 'bad token', keyAuthorization: 'x.y' },
    { token: 'evil', keyAuthorization: 'a.b\nset map x' },
  ], run));
  for (const host of ['alpha.localhost', 'shop.unknown.example']) {
    const r = await getHttp(host, '/.well-known/acme-challenge/tok_EN-1');
    assert.equal(r.status, 200, host);
    assert.equal(r.body, 'tok_EN-1.thumbPRINT_x');
  }
  assert.equal((await getHttp('shop.unknown.example', '/.well-known/acme-challenge/evil')).status, 404, 'a malformed challenge is never served');
  await edge.exclusive((run) => certs.applyChallenges([], run));
  assert.equal((await getHttp('shop.unknown.example', '/.well-known/acme-challenge/tok_EN-1')).status, 404, 'a finished challenge is gone');
  assert.equal(edge.reloads, reloads);
});

test('a visitor cannot claim https: the edge sets X-Forwarded-Proto itself', async () => {
  const spoofed = await getHttp('beta.localhost', '/', { 'x-forwarded-proto': 'https' });
  assert.equal(spoofed.body, 'proto=http host=beta.localhost url=/');
  const challenge = await getHttp('alpha.localhost', '/.well-known/acme-challenge/t', { 'x-forwarded-proto': 'https' });
  assert.match(challenge.body, /^proto=http /);
});

test('HSTS is sent for platform subdomains over HTTPS only, not for custom domains, and a site\'s own header wins', async () => {
  assert.equal((await getHttps('alpha.localhost')).headers['strict-transport-security'], 'max-age=31536000');
  assert.equal((await getHttps('www.alpha.example')).headers['strict-transport-security'], undefined, 'custom domains opt in by their own header');
  assert.equal((await getHttps('alpha.localhost', '/own-hsts')).headers['strict-transport-security'], 'max-age=60');
  assert.equal((await getHttp('beta.localhost')).headers['strict-transport-security'], undefined);
});

test('certificates are added, renewed and removed under constant HTTPS load without a reload or a failed request', async () => {
  const reloads = edge.reloads;
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 8, ca: ca.certPem });
  let ok = 0;
  const failures: string[] = [];
  let running = true;
  const load = Promise.all(Array.from({ length: 8 }, async (_, i) => {
    while (running) {
      // Half on kept-alive connections, half on new ones (a handshake each).
      try {
        const r = await getHttps('alpha.localhost', '/', i % 2 ? agent : false);
        if (r.status === 200) ok++;
        else failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  }));
  while (ok < 50) await new Promise((r) => setImmediate(r));

  // Added: beta gets its first certificate.
  const beta = await certificateFor('beta.localhost');
  const t0 = performance.now();
  served = [...served, beta];
  const added = await edge.exclusive((run) => certs.apply(served, run));
  assert.deepEqual(added, { added: ['beta.localhost'], replaced: [], removed: [] });
  assert.equal((await getHttps('beta.localhost')).serial, beta.serial);
  const addMs = performance.now() - t0;
  assert.equal((await getHttp('beta.localhost')).status, 308, 'once it has a certificate, plain HTTP is redirected');

  // Renewed: alpha's certificate is replaced while the load runs on it.
  const renewed = await certificateFor('alpha.localhost');
  const t1 = performance.now();
  served = served.map((c) => (c.host === 'alpha.localhost' ? renewed : c));
  assert.deepEqual(await edge.exclusive((run) => certs.apply(served, run)), { added: [], replaced: ['alpha.localhost'], removed: [] });
  assert.equal((await getHttps('alpha.localhost')).serial, renewed.serial, 'a new connection gets the new certificate');
  const swapMs = performance.now() - t1;
  const seenAfter = ok;
  while (ok < seenAfter + 50) await new Promise((r) => setImmediate(r));

  // Removed: the custom domain's certificate goes; its host falls back to plain HTTP.
  served = served.filter((c) => c.host !== 'www.alpha.example');
  assert.deepEqual(await edge.exclusive((run) => certs.apply(served, run)), { added: [], replaced: [], removed: ['www.alpha.example'] });
  assert.equal((await getHttp('www.alpha.example')).status, 200);
  assert.notEqual((await handshake('www.alpha.example')).authorized, true);

  running = false;
  await load;
  agent.destroy();
  assert.deepEqual(failures, [], 'no request failed');
  assert.ok(ok > 100);
  assert.equal(edge.reloads, reloads, 'no reload');
  console.log(`# certificate added and served in ${addMs.toFixed(1)} ms, replaced and served in ${swapMs.toFixed(1)} ms, ${ok} requests under load, 0 failed`);
});

test('certificate files are readable by the platform user only, and HAProxy started again after dying serves the current certificates', async () => {
  assert.equal(statSync(certs.fileOf('alpha.localhost')).mode & 0o777, 0o600);
  assert.equal(statSync(certs.files.certs).mode & 0o777, 0o700);
  const serial = certs.serialOf('alpha.localhost');
  const restarts = edge.restarts;
  process.kill(edge.pid!, 'SIGKILL');
  const deadline = Date.now() + 15_000;
  while (edge.restarts === restarts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await edge.running();
  assert.equal((await getHttps('alpha.localhost')).serial, serial);
  assert.equal((await getHttps('beta.localhost')).serial, certs.serialOf('beta.localhost'));
  assert.equal((await getHttp('beta.localhost')).status, 308);
});
