// pg_dump and pg_restore of one site's database. They log in as the tenant server's provisioning
// role, which has the site role's privileges (provisioners/postgres.ts makes it a member) and may
// read the catalogs tenants may not (pg_database); a restore creates everything as the site's
// role (`--role`), so the site owns what it gets back. The password goes in the child's
// environment, never its argv.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** Where a tool logs in: a host (or a Unix socket's folder), a port, a role and its password, a database. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** The provisioning role's URL, pointed at one database. */
export function targetOf(adminUrl: string, database: string): PgTarget {
  const u = new URL(adminUrl);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database };
}

function connection(t: PgTarget): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: ['--host', t.host, '--port', String(t.port), '--username', t.user, '--no-password', '--dbname', t.database],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'paddock-backup', ...(t.password ? { PGPASSWORD: t.password } : {}) },
  };
}

/** A child whose failure (spawn error, non-zero exit) rejects `done` with its stderr's tail. */
function run(tool: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(tool, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new Error(`${tool} is not installed on this server: install the PostgreSQL client programs (Debian: postgresql-client)`)
      : err));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stderr);
      else reject(new Error(`${tool} ${signal ? `was killed (${signal})` : `exited with ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`));
    });
  });
  return { child, done };
}

/** `pg_dump -Fc` of the site's database: its stdout, and a promise of its end. */
export function dump(t: PgTarget): { stdout: Readable; done: Promise<string> } {
  const c = connection(t);
  const { child, done } = run('pg_dump', ['--format=custom', '--compress=6', '--no-subscriptions', ...c.args], c.env);
  child.stdin?.end();
  return { stdout: child.stdout!, done };
}

/**
 * What `pg_restore --list` reads from the dump on `input`: proof it is a complete, readable
 * archive, and what it holds.
 */
export async function list(input: Readable): Promise<{ tables: string[]; serverVersion: string }> {
  const { child, done } = run('pg_restore', ['--list'], { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  await Promise.all([feed(input, child.stdin!), done]);
  const tables = [...out.matchAll(/^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) \S+$/gm)].map((m) => `${m[1]}.${m[2]}`);
  const serverVersion = /^;\s+Dumped from database version: (.+)$/m.exec(out)?.[1]?.trim() ?? 'unknown';
  return { tables, serverVersion };
}

/**
 * Restores the dump on `input` into the (empty) database of `t`, in one transaction (all of it, or
 * nothing), as `role`: it owns every object.
 */
export async function restore(input: Readable, t: PgTarget, role: string): Promise<void> {
  const c = connection(t);
  const { child, done } = run('pg_restore', ['--no-owner', '--no-acl', '--exit-on-error', '--single-transaction', `--role=${role}`, ...c.args], c.env);
  await Promise.all([feed(input, child.stdin!), done]);
}

/** Pipes `input` into a child's stdin; an input error fails it, a child that stops reading does not hang it. */
function feed(input: Readable, stdin: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stdin.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') resolve(); else reject(err); });
    input.on('error', (err) => { stdin.destroy(); reject(err); });
    stdin.on('finish', () => resolve());
    input.pipe(stdin);
  });
}
