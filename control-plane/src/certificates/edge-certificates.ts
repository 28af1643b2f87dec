// The certificates an edge's HAProxy serves, kept in step with the platform database without a
// reload: a new one is created, filled and committed over the runtime API (`new ssl cert`,
// `set ssl cert`, `commit ssl cert`) and appended to the crt-list (`add ssl crt-list`); a renewed
// one is replaced in place (`set` + `commit`: connections already open keep the old one); a
// removed one leaves the crt-list and memory (`del ssl crt-list`, `del ssl cert`). The same state
// is written to files first (certs/<host>.pem, 0600; crt-list.txt; tls-hosts.map), which HAProxy
// reads when it starts, reloads or is started again after dying.
// The tls-hosts map lists the hosts with a certificate: plain HTTP to them is redirected to HTTPS.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selfSigned } from './pem.js';
import type { ServedCertificate } from './certificates.js';

export const tlsFiles = (dir: string) => ({
  certs: join(dir, 'certs'),
  fallback: join(dir, 'certs', '_fallback.pem'),
  crtList: join(dir, 'crt-list.txt'),
  hostsMap: join(dir, 'tls-hosts.map'),
  challengesMap: join(dir, 'acme-challenges.map'),
});

/** An HTTP-01 challenge the edge answers: GET /.well-known/acme-challenge/<token> → keyAuthorization. */
export interface Challenge {
  token: string;
  keyAuthorization: string;
}

/** ACME tokens and key authorizations are base64url (and a dot): anything else is not written to a map. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const KEY_AUTHORIZATION = /^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{1,256}$/;

export interface CertificateChanges {
  added: string[];
  replaced: string[];
  removed: string[];
}

/** One command on HAProxy's admin socket, answered in full. */
export type RuntimeCommand = (command: string) => Promise<string>;

/** What HAProxy's runtime API answers when it refused something. */
const REFUSED = /unknown|not found|error|invalid|can't|cannot|failed|unable|no such|require/i;

function writePrivate(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
  chmodSync(`${path}.tmp`, 0o600);
  renameSync(`${path}.tmp`, path);
}

/** HAProxy's PEM: chain then key, without blank lines (a blank line ends a runtime API payload). */
const bundle = (c: ServedCertificate) => `${c.certPem.trim()}\n${c.keyPem.trim()}\n`.replace(/\n\s*\n/g, '\n');

export class EdgeCertificates {
  readonly files: ReturnType<typeof tlsFiles>;
  /** host → serial HAProxy serves now. */
  private loaded = new Map<string, string>();
  /** token → key authorization HAProxy answers now. */
  private challenges = new Map<string, string>();
  /** Certificates added, replaced and removed over the runtime API since start. */
  changes = 0;

  constructor(dir: string) {
    this.files = tlsFiles(dir);
  }

  private certFile(host: string): string {
    // Host names are DNS names (letters, digits, dots, hyphens): safe as file names.
    if (!/^[a-z0-9.-]+$/.test(host)) throw new Error(`Not a host name: ${JSON.stringify(host)}`);
    return join(this.files.certs, `${host}.pem`);
  }

  /** Writes the files HAProxy starts from (its fallback certificate made once); call before HAProxy starts. */
  async prepare(certs: ServedCertificate[]): Promise<void> {
    mkdirSync(this.files.certs, { recursive: true, mode: 0o700 });
    chmodSync(this.files.certs, 0o700);
    if (!existsSync(this.files.fallback)) {
      const own = await selfSigned('Paddock edge (no certificate for this host)');
      writePrivate(this.files.fallback, `${own.certPem.trim()}\n${own.keyPem.trim()}\n`);
    }
    for (const c of certs) writePrivate(this.certFile(c.host), bundle(c));
    this.loaded = new Map(certs.map((c) => [c.host, c.serial]));
    this.writeLists();
    this.writeChallenges();
  }

  private writeChallenges(): void {
    writePrivate(this.files.challengesMap, [...this.challenges].map(([t, k]) => `${t} ${k}\n`).join(''));
  }

  /** Brings the challenges HAProxy answers to `want`, over the runtime API. */
  async applyChallenges(want: Challenge[], run: RuntimeCommand): Promise<void> {
    const next = new Map(want.filter((c) => TOKEN.test(c.token) && KEY_AUTHORIZATION.test(c.keyAuthorization)).map((c) => [c.token, c.keyAuthorization]));
    const commands: string[] = [];
    for (const [token, key] of next) {
      if (!this.challenges.has(token)) commands.push(`add map ${this.files.challengesMap} ${token} ${key}`);
      else if (this.challenges.get(token) !== key) commands.push(`set map ${this.files.challengesMap} ${token} ${key}`);
    }
    for (const token of this.challenges.keys()) if (!next.has(token)) commands.push(`del map ${this.files.challengesMap} ${token}`);
    if (commands.length === 0) return;
    this.challenges = next;
    this.writeChallenges();
    const answer = await run(commands.join(';'));
    const refused = answer.split('\n').filter((l) => REFUSED.test(l));
    if (refused.length) throw new Error(`HAProxy refused an ACME challenge change: ${refused.join(' / ')}`);
  }

  private writeLists(): void {
    const hosts = [...this.loaded.keys()].sort();
    // The first entry is what a client naming no known host gets.
    writePrivate(this.files.crtList, [this.files.fallback, ...hosts.map((h) => this.certFile(h))].join('\n') + '\n');
    writePrivate(this.files.hostsMap, hosts.map((h) => `${h} 1`).join('\n') + (hosts.length ? '\n' : ''));
  }

  /**
   * Brings the running HAProxy to `certs` over the runtime API; resolves with what changed. Call it
   * where no reload runs at the same time (HaproxyEdge.exclusive).
   */
  async apply(certs: ServedCertificate[], run: RuntimeCommand): Promise<CertificateChanges> {
    return this.applyChanged(certs, async () => certs, run);
  }

  /**
   * The same, from host and serial only: `load` is asked for the certificates (keys opened) of the
   * hosts that changed, so an unchanged one is not decrypted on every sync.
   */
  async applyChanged(
    want: Array<{ host: string; serial: string }>,
    load: (hosts: string[]) => Promise<ServedCertificate[]>,
    run: RuntimeCommand,
  ): Promise<CertificateChanges> {
    const wanted = new Map(want.map((c) => [c.host, c.serial]));
    const changedHosts = want.filter((c) => this.loaded.get(c.host) !== c.serial).map((c) => c.host);
    const certs = changedHosts.length ? (await load(changedHosts)).filter((c) => wanted.has(c.host)) : [];
    const added = certs.filter((c) => !this.loaded.has(c.host));
    const replaced = certs.filter((c) => this.loaded.has(c.host) && this.loaded.get(c.host) !== c.serial);
    const removed = [...this.loaded.keys()].filter((h) => !wanted.has(h));
    const must = async (command: string) => {
      const answer = await run(command);
      const line = answer.trim().split('\n').find((l) => REFUSED.test(l) && !/success/i.test(l));
      if (line) throw new Error(`HAProxy refused "${command.split('\n')[0]}": ${answer.trim()}`);
      return answer;
    };
    for (const c of [...added, ...replaced]) {
      const file = this.certFile(c.host);
      // The file first: a reload or restart from here on starts with it.
      writePrivate(file, bundle(c));
      const isNew = !this.loaded.has(c.host);
      if (isNew) await must(`new ssl cert ${file}`);
      await must(`set ssl cert ${file} <<\n${bundle(c)}`);
      await must(`commit ssl cert ${file}`);
      if (isNew) {
        this.loaded.set(c.host, c.serial);
        this.writeLists();
        await must(`add ssl crt-list ${this.files.crtList} ${file}`);
        await must(`add map ${this.files.hostsMap} ${c.host} 1`);
      } else {
        this.loaded.set(c.host, c.serial);
      }
      this.changes++;
    }
    for (const host of removed) {
      const file = this.certFile(host);
      this.loaded.delete(host);
      this.writeLists();
      await must(`del map ${this.files.hostsMap} ${host}`);
      await must(`del ssl crt-list ${this.files.crtList} ${file}`);
      await must(`del ssl cert ${file}`);
      rmSync(file, { force: true });
      this.changes++;
    }
    return { added: added.map((c) => c.host), replaced: replaced.map((c) => c.host), removed };
  }

  /** Serial HAProxy serves for `host`, as this edge last applied it. */
  serialOf(host: string): string | undefined {
    return this.loaded.get(host);
  }

  /** The PEM file HAProxy reads for `host` (tests look at its mode). */
  fileOf(host: string): string {
    return this.certFile(host);
  }
}
