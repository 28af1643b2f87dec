// Attacks on the tenant cache ACL through client tracking: `CLIENT TRACKING ON BCAST` would push
// every other tenant's key names (session keys included) to the attacker as invalidations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { RedisProvisioner } from '../../src/provisioners/redis.js';
import type { TenantResource } from '../../src/provisioners/provisioner.js';

const adminUrl = process.env.PADDOCK_CACHE_ADMIN_URL;
if (!adminUrl) throw new Error('PADDOCK_CACHE_ADMIN_URL is not set: run `npm run stack` and load ~/.local/state/paddock/stack.env.');
const provisioner = new RedisProvisioner([adminUrl]);
const admin = new Redis(adminUrl);
let tenant: TenantResource;

before(async () => {
  const siteId = randomUUID();
  tenant = { siteId, kind: 'redis', server: provisioner.servers[0]!, ...provisioner.names(siteId), password: randomBytes(16).toString('hex') };
  // A user left by an older release with the old rules: `ensure` must bring it to the new ones.
  await admin.call('ACL', 'SETUSER', tenant.username, 'reset', 'on', `>${tenant.password}`, '+client', '+hello');
  await provisioner.ensure(tenant);
});
after(async () => {
  await provisioner.destroy(tenant);
  await provisioner.close();
  admin.disconnect();
});

const dryrun = (...cmd: string[]) => admin.call('ACL', 'DRYRUN', tenant.username, ...cmd) as Promise<string>;

test('ACL DRYRUN denies the client subcommands that track or reveal other connections', async () => {
  for (const cmd of [['client', 'tracking', 'on', 'bcast'], ['client', 'tracking', 'on'], ['client', 'caching', 'yes'], ['client', 'getredir'],
    ['client', 'trackinginfo'], ['client', 'list'], ['client', 'kill', 'id', '1'], ['client', 'no-evict', 'on'], ['client', 'pause', '1'], ['client', 'unblock', '1']]) {
    assert.match(await dryrun(...cmd), /no permissions/, cmd.join(' '));
  }
  for (const cmd of [['client', 'setname', 'x'], ['client', 'getname'], ['client', 'id'], ['get', `${tenant.keyPrefix}k`]]) {
    assert.equal(await dryrun(...cmd), 'OK', cmd.join(' '));
  }
});

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** A raw RESP3 connection: `send` writes commands and waits until everything read so far matches. */
async function rawConnection() {
  const u = new URL(adminUrl!);
  const sock: Socket = connect(Number(u.port || 6379), u.hostname);
  let buf = '';
  let waiter: (() => void) | undefined;
  sock.on('data', (d) => { buf += d.toString('latin1'); waiter?.(); });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  return {
    read: () => buf,
    send(commands: string[][], untilRe: RegExp): Promise<string> {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply matching ${untilRe} in: ${JSON.stringify(buf)}`)), 3000);
        waiter = () => { if (untilRe.test(buf)) { clearTimeout(timer); waiter = undefined; resolve(buf); } };
        sock.write(commands.map((c) => resp(...c)).join(''));
      });
    },
    close: () => sock.destroy(),
  };
}

test('a tenant cannot turn on broadcast tracking over RESP3 to learn other tenants\' key names', async () => {
  const spy = await rawConnection();
  try {
    const out = await spy.send([['HELLO', '3', 'AUTH', tenant.username, tenant.password], ['CLIENT', 'TRACKING', 'ON', 'BCAST'], ['PING']], /\+PONG\r\n/);
    assert.match(out, /^%\d+\r\n/, 'HELLO 3 authenticated (a RESP3 map came back)');
    // Another tenant's session key changes: with tracking on, its name would be pushed to the spy.
    const victimKey = `s:${randomBytes(6).toString('hex')}:session:secret`;
    await admin.set(victimKey, '1', 'EX', 5);
    await admin.del(victimKey);
    const after = await spy.send([['PING', 'again']], /again\r\n$/);
    assert.equal(after.includes(victimKey), false, `the victim's key name was pushed: ${JSON.stringify(after)}`);
    assert.match(out, /-NOPERM[^\r]*client\|tracking/i, 'CLIENT TRACKING was refused');
  } finally {
    spy.close();
  }
});

test('tenant users made by an older release lose CLIENT TRACKING as soon as a provisioner reaches their server', async () => {
  // As the old rules left them: +@connection (which holds every CLIENT subcommand), a password, keys.
  const legacy = `s_${randomUUID().replace(/-/g, '')}`;
  await admin.call('ACL', 'SETUSER', legacy, 'reset', 'on', `>${randomBytes(8).toString('hex')}`, `~${legacy}:*`, '-@all', '+@read', '+@connection');
  const fresh = new RedisProvisioner([adminUrl!]);
  try {
    assert.equal(await admin.call('ACL', 'DRYRUN', legacy, 'client', 'tracking', 'on', 'bcast'), 'OK', 'the old rules allowed it');
    await fresh.usage(tenant); // any operation on the server
    assert.match(await admin.call('ACL', 'DRYRUN', legacy, 'client', 'tracking', 'on', 'bcast') as string, /no permissions/);
    assert.equal(await admin.call('ACL', 'DRYRUN', legacy, 'client', 'id'), 'OK');
    assert.equal(await admin.call('ACL', 'DRYRUN', legacy, 'get', `${legacy}:k`), 'OK', 'the rest of its rules stay');
  } finally {
    await fresh.close();
    await admin.call('ACL', 'DELUSER', legacy);
  }
});
