// Point-in-time recovery of one site's database from the WAL pgBackRest archives of its tenant
// server. pgBackRest restores the server's newest base backup before the moment — with
// `--db-include`, only that database's files (the others are left empty) — into a scratch folder,
// a scratch server replays the archived WAL up to the moment and opens, and its copy of the
// database is dumped (to be restored into a fresh database on the pool, like a backup).
//
// The scratch server listens only on a Unix socket in its own folder and lets the tenant server's
// provisioning role in without a password (trust, local only); it never archives (its WAL would
// join the stanza's).
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../config.js';

export type PitrConfig = Pick<Config, 'pgbackrestConfig' | 'pgbackrestStanzas' | 'pgbackrestUser'>;

/** The stanza archiving `server` (host:port), if point-in-time restore is set up for it. */
export function stanzaOf(config: PitrConfig, server: string): string | undefined {
  return config.pgbackrestConfig ? config.pgbackrestStanzas[server] || undefined : undefined;
}

/** Runs a program as the servers' OS user; resolves with stdout, rejects with stderr's tail. */
function runAs(config: PitrConfig, file: string, args: string[], timeoutMs = 600_000): Promise<string> {
  const other = config.pgbackrestUser && config.pgbackrestUser !== userInfo().username;
  const [cmd, argv] = other ? ['runuser', ['-u', config.pgbackrestUser, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-4000); });
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new Error(`${file} is not installed on this server (Debian: apt-get install ${file === 'pgbackrest' ? 'pgbackrest' : 'postgresql'})`) : e));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.find((a) => !a.startsWith('-')) ?? ''} exited with ${code}: ${(err || out).trim().split('\n').slice(-3).join(' ')}`))));
  });
}

const pgbackrest = (config: PitrConfig, stanza: string, args: string[]) =>
  runAs(config, 'pgbackrest', [`--config=${config.pgbackrestConfig}`, `--stanza=${stanza}`, ...args]);

/** From when the stanza can recover: the end of its oldest base backup (undefined: none yet). */
export async function recoverableSince(config: PitrConfig, stanza: string): Promise<Date | undefined> {
  const info = JSON.parse(await pgbackrest(config, stanza, ['--output=json', 'info'])) as { backup?: { timestamp: { stop: number } }[] }[];
  const stops = (info[0]?.backup ?? []).map((b) => b.timestamp.stop);
  // pgBackRest records whole seconds, and recovers only to moments strictly after a backup's stop.
  return stops.length ? new Date((Math.min(...stops) + 1) * 1000) : undefined;
}

/** Makes the server switch to a new WAL segment and waits until it is archived (what `check` does). */
export async function archiveNow(config: PitrConfig, stanza: string): Promise<void> {
  await pgbackrest(config, stanza, ['check']);
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error(`no Postgres server programs under ${root} (Debian: apt-get install postgresql)`);
  return join(root, versions[0], 'bin');
}

export interface RecoveredServer {
  /** Where to reach the recovered database: the scratch server's socket folder and port, as `user`. */
  host: string;
  port: number;
  user: string;
  close(): Promise<void>;
}

/**
 * Recovers `database` of the stanza's server as of `time` into a scratch server, which it starts;
 * `user` is a role of the server that may read the database (the provisioning role).
 */
export async function recoverDatabase(config: PitrConfig, stanza: string, database: string, time: Date, user: string): Promise<RecoveredServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pdk-pitr-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  chmodSync(dir, 0o755);
  const bin = postgresBinDir();
  const owner = config.pgbackrestUser && config.pgbackrestUser !== userInfo().username ? config.pgbackrestUser : undefined;
  const self = { ...config, pgbackrestUser: '' };
  const ids = owner ? { uid: Number((await runAs(self, 'id', ['-u', owner])).trim()), gid: Number((await runAs(self, 'id', ['-g', owner])).trim()) } : undefined;
  const own = (path: string) => { if (ids) chownSync(path, ids.uid, ids.gid); };
  own(dir);
  own(data);
  const port = 20000 + randomInt(20000);
  const stop = () => runAs(config, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], 60_000).catch(() => undefined);
  try {
    await pgbackrest(config, stanza, [`--pg1-path=${data}`, '--type=time', `--target=${time.toISOString().replace('T', ' ').replace('Z', '+00')}`,
      '--target-action=promote', `--db-include=${database}`, 'restore']);
    // Only local connections, without a password, into a folder only the owner and root can write.
    const files = { 'postgresql.conf': '', 'pg_hba.conf': 'local all all trust\n', 'pg_ident.conf': '' };
    for (const [name, text] of Object.entries(files)) {
      const f = join(data, name);
      writeFileSync(f, text);
      own(f);
    }
    await runAs(config, join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '600', '-o',
      `-p ${port} -k ${dir} -c listen_addresses= -c archive_mode=off -c hba_file=${join(data, 'pg_hba.conf')} -c ident_file=${join(data, 'pg_ident.conf')}`, 'start'], 660_000);
    // pg_ctl returns once connections are accepted; the promotion (end of recovery) follows.
    const client = new pg.Client({ host: dir, port, user, database: 'postgres' });
    await client.connect().catch(async () => { await client.end().catch(() => undefined); throw new Error('the scratch server does not accept connections'); });
    try {
      const end = Date.now() + 600_000;
      while ((await client.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0]?.r) {
        if (Date.now() > end) throw new Error('the scratch server did not finish recovery in 10 minutes');
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await client.end();
    }
  } catch (err) {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
    await stop();
    rmSync(dir, { recursive: true, force: true });
    if (/before configured recovery target was reached/.test(log)) {
      throw new Error(`the archive does not reach ${time.toISOString()} yet; try a moment a minute earlier`, { cause: err });
    }
    throw err;
  }
  return {
    host: dir, port, user,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
