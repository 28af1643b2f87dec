// Test support: Pebble, the Let's Encrypt test CA (Debian's `pebble`, which the test preparation
// installs), on loopback with a config of its own, and its mock DNS server (pebble-challtestsrv)
// answering every name with 127.0.0.1, so Pebble's HTTP-01 checks reach the edge under test on
// `httpPort`. One per test file; close() stops both.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueFromCa } from '../../src/certificates/pem.js';
import { freePort } from '../deploy/support.js';

export interface Pebble {
  directoryUrl: string;
  /** The CA file Pebble's own HTTPS listener is trusted with (PADDOCK_ACME_CA_FILE). */
  listenerCaFile: string;
  /** pebble-challtestsrv's management port (POST /add-a, /clear-a: what the mock DNS answers for a name). */
  dnsManagementPort: number;
  /** The root that signs the certificates Pebble issues (it makes a new one at each start). */
  issuingRoot(): Promise<string>;
  close(): Promise<void>;
}

function fetchText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url} answered ${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function startPebble(opts: { httpPort: number }): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'pdk-pebble-'));
  const ca = await createCa('Pebble listener test CA');
  const listener = await issueFromCa(ca, ['localhost']);
  const listenerCaFile = join(dir, 'listener-ca.pem');
  writeFileSync(listenerCaFile, ca.certPem);
  writeFileSync(join(dir, 'cert.pem'), listener.certPem);
  writeFileSync(join(dir, 'key.pem'), listener.keyPem);
  const [port, managementPort, dnsPort, dnsManagementPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort: opts.httpPort,
      tlsPort: await freePort(),
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }));
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => { logs.push(d.toString()); if (logs.length > 200) logs.shift(); });
    children.push(child);
    return child;
  };
  run('pebble-challtestsrv', ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsManagementPort}`]);
  // No random sleeps before validations, no random nonce rejections, no reuse of a valid authorization (every order
  // is checked through the edge): the tests wait on outcomes, not luck.
  run('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' });
  const directoryUrl = `https://localhost:${port}/dir`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetchText(directoryUrl, ca.certPem);
      break;
    } catch (err) {
      if (children.some((c) => c.exitCode !== null) || Date.now() > deadline) {
        for (const c of children) c.kill('SIGKILL');
        throw new Error(`Pebble did not start: ${(err as Error).message}\n${logs.join('')}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    directoryUrl,
    listenerCaFile,
    dnsManagementPort,
    issuingRoot: () => fetchText(`https://localhost:${managementPort}/roots/0`, ca.certPem),
    async close() {
      await Promise.all(children.map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
