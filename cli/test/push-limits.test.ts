// A tarball over the platform's upload limit: refused with the API's reason and what to do,
// not mistaken for a network error and retried.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../src/exit-codes.js';
import { cliHome, type CliHome } from './support/cli.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

describe('push over the upload limit', () => {
  let p: RunningPlatform;
  let home: CliHome;
  const site = `clilimit-${suffix()}`;

  before(async () => {
    // Read by the deploy pipeline when this process's platform first needs it.
    process.env.PADDOCK_MAX_UPLOAD_MB = '1';
    p = await startPlatform();
    home = cliHome({ PADDOCK_API: p.api });
    assert.equal((await home.run(['signup', '--email', `limit-${suffix()}@example.com`, '--password', `pw ${suffix()} pw`])).code, 0);
  });
  after(async () => {
    await home.run(['sites:delete', site, '--yes']);
    await p.waitForTeardown();
    home.cleanup();
    await p.close();
  });

  test('a 2 MB site against a 1 MB limit fails once, with the reason and the .paddockignore advice', async () => {
    const dir = join(home.dir, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'site.ts'), 'export default {};\n');
    writeFileSync(join(dir, 'data.bin'), randomBytes(2 * 1024 * 1024));
    assert.equal((await home.run(['sites:create', site], { cwd: dir })).code, 0);
    const r = await home.run(['push'], { cwd: dir });
    assert.equal(r.code, ExitCode.failure, r.stderr);
    assert.doesNotMatch(r.stderr, /retrying/);
    assert.match(r.stderr, /larger than 1 MB.*PDK_TARBALL_TOO_LARGE/);
    assert.match(r.stderr, /\.paddockignore/);
  });
});
