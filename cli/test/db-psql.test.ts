// `paddock db:psql` against a real control plane: psql gets the site's database URL without its
// password on its command line (which any local user can read in ps or /proc/<pid>/cmdline), the
// password in its environment (PGPASSWORD), and the real psql still connects with that.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHome, type CliHome } from './support/cli.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

describe('db:psql keeps the database password off the command line', () => {
  let p: RunningPlatform;
  let home: CliHome;
  let project: string;
  const site = `clipsql-${suffix()}`;

  before(async () => {
    p = await startPlatform();
    home = cliHome({ PADDOCK_API: p.api });
    const r = await home.run(['signup', '--email', `psql-${suffix()}@example.com`, '--password', `pw ${suffix()} pw`]);
    assert.equal(r.code, 0, r.stderr);
    project = join(home.dir, 'project');
    mkdirSync(project);
    const created = await home.run(['sites:create', site], { cwd: project });
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await home?.run(['sites:delete', site, '--yes'], { cwd: project }).catch(() => undefined);
    // Leave no tenant database or cache user behind: wait for the teardown of the site.
    await p?.waitForTeardown();
    home?.cleanup();
    await p?.close();
  });

  test("psql's argv carries no password, its environment does; the real psql connects", async () => {
    const revealed = await home.run(['db:url'], { cwd: project });
    assert.equal(revealed.code, 0, revealed.stderr);
    const url = new URL(revealed.stdout.trim());
    const password = decodeURIComponent(url.password);
    assert.ok(password.length >= 8, 'the site database has a password to keep');

    // A psql on PATH that records what it was started with: a real process, as the real one is.
    const fakeBin = join(home.dir, 'fake-bin');
    const record = join(home.dir, 'record');
    mkdirSync(fakeBin);
    mkdirSync(record);
    writeFileSync(join(fakeBin, 'psql'), [
      '#!/bin/sh',
      `tr '\\0' '\\n' < /proc/$$/cmdline > '${record}/cmdline'`,
      `printf '%s' "$PGPASSWORD" > '${record}/pgpassword'`,
      'exit 7',
      '',
    ].join('\n'));
    chmodSync(join(fakeBin, 'psql'), 0o755);
    const faked = await home.run(['db:psql', '--', '-c', 'select 1'], { cwd: project, env: { PATH: `${fakeBin}:/usr/bin:/bin` } });
    assert.equal(faked.code, 7, `psql's exit code is paddock's: ${faked.stderr}`);
    const argv = readFileSync(join(record, 'cmdline'), 'utf8');
    assert.match(argv, /postgres(ql)?:\/\//, 'psql got the URL');
    assert.ok(argv.includes(`${url.hostname}:${url.port}${url.pathname}`), argv);
    assert.ok(!argv.includes(password) && !argv.includes(url.password), `no password on psql's command line: ${argv}`);
    assert.equal(readFileSync(join(record, 'pgpassword'), 'utf8'), password, 'the password is in its environment');

    const real = await home.run(['db:psql', '--', '-At', '-c', 'select current_user'], { cwd: project });
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stdout.trim(), decodeURIComponent(url.username));
  });
});
