// Test support: a Postgres server of the test's own — initdb into a temporary folder, a free port
// on loopback — that the test may stop and start again, so a fault test can take the platform
// database away for real without touching the machine's shared server. It uses the binaries of
// the Postgres the dev stack installed (Debian's /usr/lib/postgresql/<version>/bin), run as the
// `postgres` user when the tests run as root (initdb refuses root).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../deploy/support.js';

export interface ScratchPostgres {
  /** A superuser's URL to the database `paddock` of this server. */
  url: string;
  port: number;
  /** Its data folder (owned by the OS user it runs as). */
  dataDir: string;
  /** Fast shutdown: sessions are ended, the port closes, connections are refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error(`No Postgres server binaries under ${root}: run \`npm test\`, whose preparation installs Debian's postgresql.`);
  return join(root, versions[0], 'bin');
}

function run(file: string, args: string[], asUser: string | undefined): Promise<string> {
  const [cmd, argv] = asUser ? ['runuser', ['-u', asUser, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { cwd: '/', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The uid and gid of a user, from /etc/passwd. */
async function ids(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user], undefined), run('id', ['-g', user], undefined)]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** `conf`, `hba`: lines added to its postgresql.conf and put first in its pg_hba.conf before it first starts (the backup tests). */
export async function startScratchPostgres(opts: { conf?: string[]; hba?: string[] } = {}): Promise<ScratchPostgres> {
  const bin = binDir();
  const asUser = userInfo().uid === 0 ? 'postgres' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pdk-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  writeFileSync(join(dir, 'pw'), password);
  chmodSync(join(dir, 'pw'), 0o600);
  if (asUser) {
    const { uid, gid } = await ids(asUser);
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pw'), uid, gid);
  }
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'paddock', `--pwfile=${join(dir, 'pw')}`, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8'], asUser);
  if (opts.hba?.length) writeFileSync(join(data, 'pg_hba.conf'), `${opts.hba.join('\n')}\n${readFileSync(join(data, 'pg_hba.conf'), 'utf8')}`);
  if (opts.conf?.length) appendFileSync(join(data, 'postgresql.conf'), `\n${opts.conf.join('\n')}\n`);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = () => run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start'], asUser).then(() => undefined);
  const stop = (mode: 'fast' | 'immediate') => run(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], asUser).then(() => undefined);
  await start();
  const base = `postgres://paddock:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query('create database paddock');
  await admin.end();
  return {
    url: `${base}/paddock`,
    port,
    dataDir: data,
    start,
    stop: () => stop('fast'),
    async destroy() {
      await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
