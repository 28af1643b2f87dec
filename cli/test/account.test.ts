import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode } from '../src/exit-codes.js';
import { cliHome, type CliHome } from './support/cli.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

interface StoredConfig {
  api: string;
  credentials: Record<string, { token: string; tokenId?: string; email: string }>;
}

describe('account commands against a real control plane', () => {
  let p: RunningPlatform;
  let home: CliHome;
  const email = `cli-${suffix()}@example.com`;
  const password = `correct horse ${suffix()}`;

  before(async () => {
    p = await startPlatform();
    home = cliHome({ PADDOCK_API: '' });
    home.env.PADDOCK_API = p.api;
  });
  after(async () => {
    home.cleanup();
    await p.close();
  });

  const storedConfig = () => JSON.parse(readFileSync(home.configFile, 'utf8')) as StoredConfig;

  test('signup logs in and keeps an API token (not the password) in a 0600 file in a 0700 folder', async () => {
    const r = await home.run(['signup', '--email', email, '--password-stdin'], { input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Signed up and logged in as ${email}`));
    assert.equal(statSync(home.configFile).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(home.configFile)).mode & 0o777, 0o700);
    const text = readFileSync(home.configFile, 'utf8');
    assert.ok(!text.includes(password), 'the password must never be stored');
    const cred = storedConfig().credentials[p.api];
    assert.ok(cred?.token && cred.tokenId, 'an API token with its id is stored');
    const row = await p.platform.db.selectFrom('api_tokens').select(['name', 'scopes', 'revoked_at']).where('id', '=', cred.tokenId!).executeTakeFirstOrThrow();
    assert.match(row.name, /^paddock CLI on /);
    assert.equal(row.revoked_at, null);
    // The short-lived login session was ended once the token existed.
    const sessions = await p.platform.db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id').select('sessions.id').where('accounts.email', '=', email).execute();
    assert.equal(sessions.length, 0);
  });

  test('whoami prints the account, and JSON with --json; a config file readable by others is tightened to 0600', async () => {
    chmodSync(home.configFile, 0o644);
    const r = await home.run(['whoami']);
    assert.equal(statSync(home.configFile).mode & 0o777, 0o600);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${email} on ${p.api}`));
    const j = await home.run(['whoami', '--json']);
    const me = JSON.parse(j.stdout) as { email: string; organisations: Array<{ role: string }>; api: string };
    assert.equal(me.email, email);
    assert.equal(me.api, p.api);
    assert.equal(me.organisations[0]?.role, 'owner');
  });

  test('signing up twice with the same email fails with the API code and exit 1', async () => {
    const other = cliHome({ PADDOCK_API: p.api });
    try {
      const r = await other.run(['signup', '--email', email, '--password', password]);
      assert.equal(r.code, ExitCode.failure);
      assert.match(r.stderr, /exists already/);
      assert.match(r.stderr, /PDK_EMAIL_TAKEN/);
    } finally {
      other.cleanup();
    }
  });

  test('a wrong password exits 3 with "Wrong email or password" and stores nothing', async () => {
    const other = cliHome({ PADDOCK_API: p.api });
    try {
      const r = await other.run(['login', '--email', email, '--password', 'not the password']);
      assert.equal(r.code, ExitCode.auth);
      assert.match(r.stderr, /Wrong email or password/);
      assert.throws(() => statSync(other.configFile), /ENOENT/);
    } finally {
      other.cleanup();
    }
  });

  test('logout revokes the token on the server: reusing it is refused with exit 3 and advice', async () => {
    const { token, tokenId } = storedConfig().credentials[p.api]!;
    const r = await home.run(['logout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(storedConfig().credentials[p.api], undefined);
    const row = await p.platform.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', tokenId!).executeTakeFirstOrThrow();
    assert.ok(row.revoked_at, 'the token is revoked server-side');
    const reuse = await home.run(['whoami'], { env: { PADDOCK_TOKEN: token } });
    assert.equal(reuse.code, ExitCode.auth);
    assert.match(reuse.stderr, /PADDOCK_TOKEN is not accepted/);
    const after = await home.run(['whoami']);
    assert.equal(after.code, ExitCode.auth);
    assert.match(after.stderr, /paddock login/);
  });

  test('login with a password, then tokens:create, then login --token on another machine', async () => {
    const r = await home.run(['login', '-e', email, '--password-stdin'], { input: password });
    assert.equal(r.code, 0, r.stderr);
    const created = await home.run(['tokens:create', `ci-${suffix()}`, '--json', '--password-stdin'], { input: password });
    assert.equal(created.code, 0, created.stderr);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const ci = cliHome({ PADDOCK_API: p.api });
    try {
      const viaEnv = await ci.run(['whoami'], { env: { PADDOCK_TOKEN: token } });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      const l = await ci.run(['login', '--token', token]);
      assert.equal(l.code, 0, l.stderr);
      assert.match((await ci.run(['whoami'])).stdout, new RegExp(email));
    } finally {
      ci.cleanup();
    }
    const noTty = await home.run(['tokens:create', 'no-password']);
    assert.equal(noTty.code, ExitCode.usage);
    assert.match(noTty.stderr, /--password-stdin/);
    const list = await home.run(['tokens', '--json']);
    const tokens = JSON.parse(list.stdout) as Array<{ name: string; revokedAt: string | null }>;
    assert.ok(tokens.some((t) => t.name.startsWith('ci-')));
    assert.ok(tokens.some((t) => t.name.startsWith('paddock CLI') && t.revokedAt === null));
  });

  test('tokens:create --scope: a read token is refused env values with the command that makes one that may; a secrets token reads them', async () => {
    const site = `scoped-${suffix()}`;
    const { token: login } = storedConfig().credentials[p.api]!;
    const made = await fetch(`${p.api}/v1/sites`, { method: 'POST', headers: { authorization: `Bearer ${login}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: site }) });
    assert.equal(made.status, 202, await made.text());
    const tokenWith = async (scope: string) => {
      const r = await home.run(['tokens:create', `${scope}-${suffix()}`, '--scope', scope, '--json', '--password-stdin'], { input: password });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { token: string; scopes: string[] }).token;
    };
    const ci = cliHome({ PADDOCK_API: p.api });
    try {
      const read = await ci.run(['env', '--site', site], { env: { PADDOCK_TOKEN: await tokenWith('read') } });
      assert.equal(read.code, ExitCode.failure, read.stderr);
      assert.match(read.stderr, /lacks the "secrets" scope/);
      assert.match(read.stderr, /paddock tokens:create <name> --scope secrets/);
      assert.match(read.stderr, /PADDOCK_TOKEN/);
      const secrets = await ci.run(['env', '--site', site, '--json'], { env: { PADDOCK_TOKEN: await tokenWith('secrets') } });
      assert.equal(secrets.code, 0, secrets.stderr);
      assert.deepEqual(JSON.parse(secrets.stdout), {});
    } finally {
      ci.cleanup();
    }
    const bogus = await home.run(['tokens:create', 'x', '--scope', 'root', '--password-stdin'], { input: password });
    assert.equal(bogus.code, ExitCode.usage);
    assert.match(bogus.stderr, /"root" is not a token scope: use read, secrets, write, admin/);
    const help = await home.run(['tokens:create', '--help']);
    assert.match(help.stdout, /secrets +read, plus secret values/);
  });

  test('logging in again revokes the token of the previous login on this machine', async () => {
    const before = storedConfig().credentials[p.api]!;
    const r = await home.run(['login', '-e', email, '--password-stdin'], { input: password });
    assert.equal(r.code, 0, r.stderr);
    const now = storedConfig().credentials[p.api]!;
    assert.notEqual(now.tokenId, before.tokenId);
    const old = await p.platform.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', before.tokenId!).executeTakeFirstOrThrow();
    assert.ok(old.revoked_at, 'the replaced token is revoked');
  });

  test('an expired token is refused with exit 3 and the command that fixes it', async () => {
    const { tokenId } = storedConfig().credentials[p.api]!;
    await p.platform.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', tokenId!).execute();
    const r = await home.run(['sites']);
    assert.equal(r.code, ExitCode.auth);
    assert.match(r.stderr, /paddock login/);
  });

  test('credentials stay with their API: another --api gets no token sent', async () => {
    const r = await home.run(['whoami', '--api', 'http://127.0.0.1:9']);
    assert.equal(r.code, ExitCode.auth);
    assert.match(r.stderr, /not logged in to http:\/\/127\.0\.0\.1:9/);
  });
});
