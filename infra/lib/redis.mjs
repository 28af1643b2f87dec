// The two Redis instances: the platform's (queues, locks; noeviction) and the tenant cache pool
// (allkeys-lru, password-protected, one ACL user per site persisted in an ACL file).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, stateDir, writePrivateFile } from './env.mjs';
import { StackError } from './log.mjs';
import { createConnection } from 'node:net';
import { ensurePackages, must, portOpen, run, waitFor, which } from './system.mjs';

/** Resolves true when the Redis on this port accepts `AUTH default <password>`. */
function authWorks(port, password) {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    const done = (v) => { sock.destroy(); resolve(v); };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => {
      const args = ['AUTH', 'default', password];
      sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    sock.once('data', (d) => done(d.toString().startsWith('+OK')));
  });
}

export const PLATFORM_PORT = Number(process.env.PADDOCK_REDIS_PORT ?? 6379);
export const CACHE_PORT = Number(process.env.PADDOCK_CACHE_PORT ?? 6380);

function config(kind, port, dir, password) {
  const common = [
    `# Written by Paddock's dev stack (infra/stack.mjs): the ${kind} Redis.`,
    `port ${port}`,
    'daemonize yes',
    `pidfile ${join(dir, 'redis.pid')}`,
    `logfile ${join(dir, 'redis.log')}`,
    `dir ${dir}`,
  ];
  if (kind === 'platform') {
    return [...common, 'bind 127.0.0.1 -::1', 'appendonly yes', 'maxmemory-policy noeviction'].join('\n') + '\n';
  }
  // Tenant containers connect over their bridge networks, so this one listens beyond loopback;
  // every user, the default one included, needs a password.
  const aclFile = join(dir, 'users.acl');
  if (!existsSync(aclFile)) writePrivateFile(aclFile, `user default on >${password} ~* &* +@all\n`);
  return [...common, 'bind 0.0.0.0', 'protected-mode no', `aclfile ${aclFile}`,
    'maxmemory 512mb', 'maxmemory-policy allkeys-lru', 'save ""', 'appendonly no'].join('\n') + '\n';
}

async function ensureOne(kind, port, password) {
  const dir = ensureDir(join(stateDir, `redis-${port}`));
  if (await portOpen(port)) return { note: `${kind} Redis on ${port} (already running)` };
  if (!which('redis-server')) ensurePackages(['redis-server'], `the ${kind} Redis`);
  const conf = join(dir, 'redis.conf');
  writePrivateFile(conf, config(kind, port, dir, password));
  // Redis writes its ACL file (tenant users' password hashes) and data with the umask it gets.
  must('sh', ['-c', 'umask 077 && exec redis-server "$0"', conf]);
  await waitFor(() => portOpen(port), { what: `Redis on ${port}`, timeoutMs: 15000 });
  return { note: `${kind} Redis on ${port}, data in ${dir} (started)`, started: true };
}

export async function ensureRedis(secrets) {
  const env = {};
  const notes = [];
  if (process.env.PADDOCK_REDIS_URL) notes.push('platform Redis given by PADDOCK_REDIS_URL');
  else {
    notes.push((await ensureOne('platform', PLATFORM_PORT)).note);
    env.PADDOCK_REDIS_URL = `redis://127.0.0.1:${PLATFORM_PORT}`;
  }
  if (process.env.PADDOCK_CACHE_ADMIN_URL) notes.push('cache Redis given by PADDOCK_CACHE_ADMIN_URL');
  else {
    const password = secrets.CACHE_ADMIN_PASSWORD;
    // Every checkout on the machine shares the stack's secrets, so the cache pool answers to ours.
    if (await portOpen(CACHE_PORT) && !(await authWorks(CACHE_PORT, password))) {
      throw new StackError(
        `A Redis server already listens on port ${CACHE_PORT}, but it does not accept this dev stack's cache password.`,
        'Stop it, or set PADDOCK_CACHE_ADMIN_URL=redis://default:PASSWORD@host:port to use it as the tenant cache pool.',
      );
    }
    notes.push((await ensureOne('tenant cache', CACHE_PORT, password)).note);
    env.PADDOCK_CACHE_ADMIN_URL = `redis://default:${encodeURIComponent(password)}@127.0.0.1:${CACHE_PORT}`;
  }
  return { env, notes };
}

export function stopRedis() {
  const stopped = [];
  for (const port of [PLATFORM_PORT, CACHE_PORT]) {
    const pidFile = join(stateDir, `redis-${port}`, 'redis.pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid && run('kill', ['-TERM', String(pid)]).ok) stopped.push(`Redis on ${port} stopped`);
  }
  return stopped;
}
