import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authApp, sessionsApp } from './helpers/apps.js';
import { testDatabase } from './helpers/db.js';
import { callCommand, loadSite } from '@paddock/runtime/host';
import type { Site } from '@paddock/runtime';
import { authSettings, User } from '@paddock/runtime/contrib/auth';
import { tempDir } from '../helpers/site.js';

const binPath = fileURLToPath(new URL('../../bin/paddock-runtime.mjs', import.meta.url));
const siteDir = fileURLToPath(new URL('./fixtures/batteries-site/', import.meta.url));
let db: Awaited<ReturnType<typeof testDatabase>>;
let site: Site;

before(async () => {
  db = await testDatabase([authApp, sessionsApp]);
  site = await loadSite(siteDir, { checkOnly: true, env: {} });
});
after(async () => { await db.drop(); });

/** Runs a command of the fixture site in this process, on the test database; resolves with its output. */
async function run(args: string[]): Promise<string> {
  const lines: string[] = [];
  await callCommand(site, args[0] as string, args.slice(1), { out: (l) => lines.push(l) });
  return lines.join('\n');
}

function bin(args: string[], env: NodeJS.ProcessEnv = {}, cwd = siteDir) {
  return spawnSync(process.execPath, [binPath, ...args], {
    cwd, encoding: 'utf8', timeout: 90_000, env: { ...process.env, PADDOCK_RUNTIME_FROM: 'source', LOG_LEVEL: 'warn', ...env },
  });
}

test('paddock-runtime createsuperuser reads the password from stdin and refuses a weak one', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PADDOCK_RUNTIME_FROM: 'source', DATABASE_URL: db.url, SECRET_KEY: 'cmd-test-secret-cmd-test-secret-cmd-test-secret', LOG_LEVEL: 'warn' };
  delete env.PADDOCK_SUPERUSER_PASSWORD;
  const r = spawnSync(process.execPath, [binPath, 'createsuperuser', '--site-dir', siteDir, '--username', 'admin', '--email', 'a@example.com'],
    { input: 'violet-harbour-90\n', encoding: 'utf8', timeout: 90_000, env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Superuser 'admin' created/);
});

test('createsuperuser refuses a weak password; dumpdata, loaddata and clearsessions work', async () => {
  process.env.PADDOCK_SUPERUSER_PASSWORD = '123';
  await assert.rejects(run(['createsuperuser', '--username', 'weak']), /too short/);
  delete process.env.PADDOCK_SUPERUSER_PASSWORD;
  assert.equal(await User.objects.filter({ username: 'weak' }).exists(), false);
  const records = JSON.parse(await run(['dumpdata', 'auth.User', '--indent', '2'])) as Array<{ fields: { username: string; isSuperuser: boolean } }>;
  assert.equal(records[0]?.fields.username, 'admin');
  assert.equal(records[0]?.fields.isSuperuser, true);
  const { dir, cleanup } = tempDir('pdk-loaddata-');
  try {
    const file = join(dir, 'groups.json');
    writeFileSync(file, JSON.stringify([{ model: 'auth.group', pk: 10, fields: { name: 'editors', permissions: [] } }]));
    assert.match(await run(['loaddata', file]), /Installed 1 objects/);
    assert.match(await run(['dumpdata', 'auth.Group', '--format', 'xml']), /<field name="name" type="char">editors<\/field>/);
  } finally {
    cleanup();
  }
  assert.match(await run(['clearsessions']), /Deleted 0 expired sessions/);
  await assert.rejects(run(['dumpdata', 'nosuchapp']), /No model or app/);
});

test('changepassword sets a user\'s password through the validators, from PADDOCK_NEW_PASSWORD', async () => {
  const before = (await User.objects.get({ username: 'admin' })).password;
  process.env.PADDOCK_NEW_PASSWORD = 'admin';
  await assert.rejects(run(['changepassword', 'admin']), /too similar to the username|too short/);
  process.env.PADDOCK_NEW_PASSWORD = 'copper-lantern-58';
  try {
    assert.match(await run(['changepassword', 'admin']), /Password changed for user 'admin'/);
    await assert.rejects(run(['changepassword', 'nobody']), /There is no user 'nobody'/);
  } finally {
    delete process.env.PADDOCK_NEW_PASSWORD;
  }
  const after = (await User.objects.get({ username: 'admin' })).password;
  assert.notEqual(after, before);
  assert.equal((await authSettings().hashers.check('copper-lantern-58', after)).valid, true);
});

test('paddock-runtime help lists the commands by app with their help: the runtime\'s, the batteries\' and the site\'s own', () => {
  const r = bin(['help']);
  assert.equal(r.status, 0, r.stderr);
  const section = (app: string) => new RegExp(`\\[${app}\\]\\n((?:  .*\\n?|\\s{51}.*\\n?)+)`).exec(r.stdout)?.[1] ?? '';
  assert.match(section('runtime'), /serve .*\n?.*serve the site/);
  assert.match(section('runtime'), /migrate \[app\] \[target\] +apply migrations/);
  assert.match(section('auth'), /createsuperuser --username U \[--email E\]\s+create an admin account/);
  assert.match(section('auth'), /changepassword <username>\s+set a user's password/);
  assert.match(section('sessions'), /clearsessions\s+delete expired database sessions/);
  assert.match(section('greetings'), /greet <name> \[--shout\]\s+say hello to someone/);
  assert.doesNotMatch(section('runtime'), /createsuperuser|clearsessions/, 'the batteries\' commands come from their apps');
  const outside = bin(['help'], {}, tempDir('pdk-nosite-').dir);
  assert.equal(outside.status, 0);
  assert.match(outside.stdout, /\[runtime\]/);
  assert.match(outside.stdout, /in a site's folder .* to list its apps' commands too/);
  const elsewhere = bin(['help', '--site-dir', siteDir], {}, tempDir('pdk-nosite-').dir);
  assert.match(elsewhere.stdout, /\[greetings\]/, '--site-dir names the site from anywhere');
});

test('a site app\'s own command runs from its commands/ folder (from any folder of the site); unknown commands and arguments say what to run', () => {
  const r = bin(['greet', 'World', '--shout'], {}, join(siteDir, 'greetings'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'HELLO, WORLD, FROM AUTH + SESSIONS + ADMIN + GREETINGS!');
  const help = bin(['greet', '--help']);
  assert.match(help.stdout, /Usage: paddock-runtime greet <name> \[--shout\] \[--site-dir <folder>\]/);
  assert.match(help.stdout, /--shout +in capitals/);
  const unknown = bin(['nosuchcommand']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown command 'nosuchcommand'\. Run `paddock-runtime help`/);
  const extra = bin(['greet', 'a', 'b']);
  assert.equal(extra.status, 2);
  assert.match(extra.stderr, /greet takes at most 1 argument, but was given 'b'/);
});
