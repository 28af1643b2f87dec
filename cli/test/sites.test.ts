import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../src/exit-codes.js';
import { cliHome, runOnTerminal, type CliHome } from './support/cli.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

describe('site commands against a real control plane', () => {
  let p: RunningPlatform;
  let home: CliHome;
  let project: string;
  const site = `cli-${suffix()}`;
  const email = `sites-${suffix()}@example.com`;
  const password = `pw ${suffix()} pw`;

  before(async () => {
    p = await startPlatform();
    home = cliHome({ PADDOCK_API: '' });
    home.env.PADDOCK_API = p.api;
    const r = await home.run(['signup', '--email', email, '--password', password]);
    assert.equal(r.code, 0, r.stderr);
    project = join(home.dir, 'project');
    mkdirSync(project);
  });
  after(async () => {
    // Leave no tenant database or cache user behind: wait for teardown of what the tests created.
    await p.waitForTeardown();
    home.cleanup();
    await p.close();
  });

  test('sites with no sites says how to create one', async () => {
    const r = await home.run(['sites']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No sites yet.*paddock sites:create/);
  });

  test('sites:create waits until provisioned and links the directory', async () => {
    const r = await home.run(['sites:create', site], { cwd: project });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Created site ${site} \\(ready\\)`));
    assert.match(r.stdout, new RegExp(`http://${site}\\.localhost`));
    const link = JSON.parse(readFileSync(join(project, '.paddock', 'site.json'), 'utf8')) as { site: string; api: string };
    assert.deepEqual(link, { site, api: p.api });
    assert.ok(existsSync(join(project, '.paddock', '.gitignore')));
  });

  test('a taken name fails with the API\'s code; an invalid one is explained before asking', async () => {
    const taken = await home.run(['sites:create', site, '--no-link']);
    assert.equal(taken.code, ExitCode.failure);
    assert.match(taken.stderr, /PDK_SITE_NAME_TAKEN/);
    const bad = await home.run(['sites:create', 'Not_A_Label', '--no-link']);
    assert.equal(bad.code, ExitCode.usage);
    assert.match(bad.stderr, /cannot be a site name[\s\S]*lowercase letters, digits and hyphens/);
  });

  test('sites lists it, as a table and as JSON', async () => {
    const r = await home.run(['sites']);
    assert.match(r.stdout, /^NAME\s+STATUS\s+ORG\s+URL/);
    assert.match(r.stdout, new RegExp(`${site}\\s+ready`));
    const j = JSON.parse((await home.run(['sites', '--json'])).stdout) as Array<{ name: string }>;
    assert.deepEqual(j.map((s) => s.name), [site]);
  });

  test('info finds the site through the link from a subdirectory, and by --site / PADDOCK_SITE anywhere', async () => {
    const sub = join(project, 'deep', 'er');
    mkdirSync(sub, { recursive: true });
    const viaLink = await home.run(['info'], { cwd: sub });
    assert.equal(viaLink.code, 0, viaLink.stderr);
    assert.match(viaLink.stdout, new RegExp(`name:\\s+${site}`));
    assert.match(viaLink.stdout, /status:\s+ready/);
    const viaFlag = await home.run(['info', '--site', site, '--json']);
    assert.equal((JSON.parse(viaFlag.stdout) as { name: string }).name, site);
    const viaEnv = await home.run(['open', '--print'], { env: { PADDOCK_SITE: site } });
    assert.equal(viaEnv.stdout.trim(), `http://${site}.localhost:8080/`);
  });

  test('a site that does not exist exits 4 and says how to list yours', async () => {
    const r = await home.run(['info', '--site', `nope-${suffix()}`]);
    assert.equal(r.code, ExitCode.notFound);
    assert.match(r.stderr, /PDK_SITE_NOT_FOUND/);
    assert.match(r.stderr, /paddock sites/);
  });

  test('another account cannot see the site: 404, exit 4', async () => {
    const other = cliHome({ PADDOCK_API: p.api });
    try {
      assert.equal((await other.run(['signup', '--email', `other-${suffix()}@example.com`, '--password', `pw ${suffix()} pw`])).code, 0);
      const r = await other.run(['info', '--site', site]);
      assert.equal(r.code, ExitCode.notFound);
      const d = await other.run(['sites:delete', site, '--yes']);
      assert.equal(d.code, ExitCode.notFound);
    } finally {
      other.cleanup();
    }
  });

  test('env:set, env and env:unset keep a site\'s variables (no release before the first push)', async () => {
    const set = await home.run(['env:set', 'GREETING=hello world', 'MODE=test'], { cwd: project });
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /Set GREETING, MODE on/);
    const shell = await home.run(['env', '--shell'], { cwd: project });
    assert.equal(shell.stdout, "GREETING='hello world'\nMODE=test\n");
    const bad = await home.run(['env:set', 'NOEQUALS'], { cwd: project });
    assert.equal(bad.code, ExitCode.usage);
    const reserved = await home.run(['env:set', 'DATABASE_URL=postgres://elsewhere'], { cwd: project });
    assert.equal(reserved.code, ExitCode.failure);
    assert.match(reserved.stderr, /set by the platform/);
    assert.equal((await home.run(['env:unset', 'MODE'], { cwd: project })).code, 0);
    assert.deepEqual(JSON.parse((await home.run(['env', '--json'], { cwd: project })).stdout), { GREETING: 'hello world' });
    // A change that changes nothing says so, rather than "Removed" or "Set".
    const nope = await home.run(['env:unset', 'NOPE'], { cwd: project });
    assert.equal(nope.code, 0, nope.stderr);
    assert.equal(nope.stdout, 'NOPE is not set; nothing changed.\n');
    const same = await home.run(['env:set', 'GREETING=hello world'], { cwd: project });
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, 'GREETING already has this value; nothing changed.\n');
  });

  test('scale sets the replica count within the plan, with the API\'s quota error beyond it', async () => {
    // A new site runs 1 replica already: nothing to change.
    const r = await home.run(['scale', '1'], { cwd: project });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${site} already runs 1 replica; nothing changed.\n`);
    const tooMany = await home.run(['scale', '50'], { cwd: project });
    assert.equal(tooMany.code, ExitCode.failure);
    assert.match(tooMany.stderr, /PDK_QUOTA_EXCEEDED|plan/);
    // The API's own check, in words, with where to read what the command takes.
    const beyond = await home.run(['scale', '5000'], { cwd: project });
    assert.equal(beyond.code, ExitCode.failure);
    assert.match(beyond.stderr, /The platform did not accept this: replicas must be at most 1000\. \(PDK_VALIDATION\)\n/);
    assert.match(beyond.stderr, /`paddock scale --help` shows what it takes/);
    assert.doesNotMatch(beyond.stderr, /openapi|body\//);
  });

  test('a suspended site refuses env changes and scaling, says so and how to resume it, and changes nothing', async () => {
    const login = await fetch(`${p.api}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const token = ((await login.json()) as { session: { token: string } }).session.token;
    const as = (method: string, path: string) => fetch(`${p.api}/v1/sites/${site}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    assert.equal((await as('POST', '/suspend')).status, 200);
    try {
      const before = await home.run(['env', '--json'], { cwd: project });
      const set = await home.run(['env:set', 'WHILE=suspended'], { cwd: project });
      assert.equal(set.code, ExitCode.failure);
      assert.match(set.stderr, new RegExp(`Site "${site}" is suspended: its visitors get a 503 page, and it takes no env var changes until it is resumed; nothing was changed\\. Resume it on its page in the dashboard`));
      assert.match(set.stderr, /\(PDK_SITE_SUSPENDED\)/);
      // Not the old story: saved, then put back, then "the previous release keeps serving".
      assert.doesNotMatch(set.stdout + set.stderr, /saved|put back|keeps serving|Set WHILE/);
      assert.equal((await home.run(['env', '--json'], { cwd: project })).stdout, before.stdout);
      const scale = await home.run(['scale', '1'], { cwd: project });
      assert.equal(scale.code, ExitCode.failure);
      assert.match(scale.stderr, /is suspended: .*takes no scaling/);
    } finally {
      assert.equal((await as('POST', '/resume')).status, 200);
    }
  });

  test('domains:add prints the DNS record to create; domains lists it; domains:remove removes it', async () => {
    const host = `www.${site}.example.com`;
    const add = await home.run(['domains:add', host], { cwd: project });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /pending/);
    assert.match(add.stdout, new RegExp(`TXT\\s+_paddock-challenge\\.${host.replace(/\./g, '\\.')}\\s+\\S+`));
    const list = JSON.parse((await home.run(['domains', '--json'], { cwd: project })).stdout) as Array<{ hostname: string }>;
    assert.deepEqual(list.map((d) => d.hostname), [host]);
    const table = (await home.run(['domains'], { cwd: project })).stdout;
    assert.match(table, /HOST\s+STATUS\s+CERTIFICATE/);
    assert.match(table, new RegExp(`${host.replace(/\./g, '\\.')}\\s+pending\\s+-`), 'no certificate before the domain is verified');
    assert.equal((await home.run(['domains:remove', host], { cwd: project })).code, 0);
    assert.match((await home.run(['domains'], { cwd: project })).stdout, /No custom domains/);
  });

  test('a command whose route the platform lacks says so plainly (exit 1), not "site not found"', async () => {
    const r = await home.run(['db:url'], { cwd: project });
    if (r.code === 0) return; // the platform grew the route: nothing to report
    assert.equal(r.code, ExitCode.failure, r.stderr);
    assert.match(r.stderr, /does not offer what this command needs/);
    assert.match(r.stderr, /does not support the command yet/);
  });

  test('on a terminal, login asks for the email and the password, and never shows the password', async () => {
    const other = cliHome({ PADDOCK_API: p.api });
    try {
      const r = await runOnTerminal(['login'], other.env, [['Email: ', email], ['Password: ', password]]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, new RegExp(`Email: ${email}\n`));
      assert.match(r.stdout, new RegExp(`Logged in as .*${email}`));
      assert.ok(!r.stdout.includes(password), 'the password was echoed');
    } finally {
      other.cleanup();
    }
  });

  test('on a terminal, output has colours unless NO_COLOR is set', async () => {
    const coloured = await runOnTerminal(['sites'], home.env, []);
    // eslint-disable-next-line no-control-regex
    assert.match(coloured.stdout, /\u001b\[1mNAME/);
    const plain = await runOnTerminal(['sites'], { ...home.env, NO_COLOR: '1' }, []);
    assert.match(plain.stdout, /^NAME/m);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(plain.stdout, /\u001b\[/);
  });

  test('on a terminal, sites:delete asks for the name again; a wrong answer deletes nothing', async () => {
    const r = await runOnTerminal(['sites:delete', site], home.env, [['Type the site name to confirm: ', 'not-the-name']]);
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stdout, /nothing was deleted/);
    const still = await p.platform.db.selectFrom('sites').select('status').where('name', '=', site).executeTakeFirstOrThrow();
    assert.equal(still.status, 'ready');
  });

  test('sites:delete without a terminal and without --yes refuses; with --yes deletes', async () => {
    const refused = await home.run(['sites:delete', site]);
    assert.equal(refused.code, ExitCode.usage);
    assert.match(refused.stderr, /--yes/);
    const still = await p.platform.db.selectFrom('sites').select('status').where('name', '=', site).executeTakeFirstOrThrow();
    assert.equal(still.status, 'ready');

    const r = await home.run(['sites:delete', site, '--yes'], { cwd: project });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Deleted site ${site}`));
    assert.match(r.stdout, /still linked/);
    const list = JSON.parse((await home.run(['sites', '--json'])).stdout) as Array<{ name: string; status: string }>;
    assert.ok(list.every((s) => s.name !== site || s.status === 'deleting'));
  });
});
