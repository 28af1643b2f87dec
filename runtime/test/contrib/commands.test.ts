import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authApp, sessionsApp } from './helpers/apps.js';
import { testDatabase } from './helpers/db.js';
import { runBatteryCommand } from '../../src/contrib/commands.js';
import { User } from '../../src/contrib/auth/index.js';
import { tempDir } from '../helpers/site.js';

const bin = fileURLToPath(new URL('../../bin/paddock-runtime.mjs', import.meta.url));
const siteDir = fileURLToPath(new URL('./fixtures/batteries-site/', import.meta.url));
let db: Awaited<ReturnType<typeof testDatabase>>;

before(async () => { db = await testDatabase([authApp, sessionsApp]); });
after(async () => { await db.drop(); });

async function run(args: string[]): Promise<string> {
  const lines: string[] = [];
  await runBatteryCommand(args[0] as string, args.slice(1), (l) => lines.push(l));
  return lines.join('\n');
}

test('paddock-runtime createsuperuser reads the password from stdin and refuses a weak one', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PADDOCK_RUNTIME_FROM: 'source', DATABASE_URL: db.url, SECRET_KEY: 'cmd-test-secret-cmd-test-secret-cmd-test-secret', LOG_LEVEL: 'warn' };
  delete env.PADDOCK_SUPERUSER_PASSWORD;
  const r = spawnSync(process.execPath, [bin, 'createsuperuser', siteDir, '--username', 'admin', '--email', 'a@example.com'],
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
