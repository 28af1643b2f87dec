import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { commands } from '../src/commands/index.js';
import { exitCodeDocs, ExitCode } from '../src/exit-codes.js';
import { CliError } from '../src/errors.js';
import { failedBecause } from '../src/deploy-stream.js';
import { cliHome } from './support/cli.js';

const home = cliHome();
after(() => home.cleanup());

/** A port with nothing listening: bound then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('paddock binary: help, suggestions, version, exit codes', () => {
  test('--help lists every command by group and exits 0', async () => {
    const r = await home.run(['--help']);
    assert.equal(r.code, 0);
    for (const c of commands) assert.match(r.stdout, new RegExp(`\\n  ${c.name.replace(':', '\\:')}\\b`), `${c.name} missing from --help`);
    assert.match(r.stdout, /PADDOCK_TOKEN/);
    assert.match(r.stdout, /Documentation .*docs\/index\.md.*npm run docs/, 'points to the documentation');
  });

  test('every command has --help with usage and at least one example', async () => {
    // One process per command would take ~15 s; the first few through the binary, all through help's text.
    for (const c of commands) {
      assert.ok(c.examples.length > 0, `${c.name} has no examples`);
      assert.ok(c.examples.every((e) => e.includes('paddock')), `${c.name}: examples should be full command lines`);
    }
    for (const name of ['push', 'sites:delete', 'env:set']) {
      const r = await home.run([name, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: paddock ${name}`));
      assert.match(r.stdout, /Examples:\n {2}\$ paddock /);
    }
    const viaHelp = await home.run(['help', 'rollback']);
    assert.match(viaHelp.stdout, /Usage: paddock rollback/);
  });

  test('a mistyped command exits 2 and suggests the closest ones', async () => {
    const r = await home.run(['sitse']);
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /"sitse" is not a paddock command/);
    assert.match(r.stderr, /Did you mean `paddock sites`/);
    const r2 = await home.run(['sites:creat', 'x']);
    assert.match(r2.stderr, /paddock sites:create/);
    const far = await home.run(['xyzzyplugh']);
    assert.equal(far.code, ExitCode.usage);
    assert.doesNotMatch(far.stderr, /Did you mean/);
  });

  test('a mistyped option exits 2 and suggests the right one', async () => {
    const r = await home.run(['login', '--emial', 'a@b.c']);
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /Unknown option --emial/);
    assert.match(r.stderr, /Did you mean --email/);
  });

  test('scale 0 is refused before any request, in words, with what to do instead', async () => {
    // No login and no API: the check is the CLI's own.
    const r = await home.run(['scale', '0', '--site', 'blog']);
    assert.equal(r.code, ExitCode.usage, r.stderr);
    assert.match(r.stderr, /A site runs at least 1 replica, so it cannot be scaled to 0\./);
    assert.match(r.stderr, /suspend it on its page in the dashboard/);
    assert.doesNotMatch(r.stderr, /openapi|body\/|\/v1\//);
    const notANumber = await home.run(['scale', 'two', '--site', 'blog']);
    assert.equal(notANumber.code, ExitCode.usage);
    assert.match(notANumber.stderr, /"two" is not a replica count/);
  });

  test('a reason quoted at the end of a message leaves one full stop, never ".."', () => {
    assert.equal(failedBecause('Scaling blog failed', { id: 'd', status: 'failed', error: 'The release failed and the previous one keeps serving: the replica exited.' }),
      'Scaling blog failed: the release failed and the previous one keeps serving: the replica exited.');
    assert.equal(failedBecause('Rollback of blog failed', { id: 'd', status: 'failed', error: null }), 'Rollback of blog failed.');
    const e = new CliError('CLI_X', 'Provisioning failed: out of disk..', 'Try again..', ExitCode.failure);
    assert.deepEqual([e.message, e.hint], ['Provisioning failed: out of disk.', 'Try again.']);
  });

  test('missing arguments exit 2 with the usage line', async () => {
    const r = await home.run(['sites:create']);
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /needs a site name/);
    assert.match(r.stderr, /Usage: paddock sites:create <name>/);
  });

  test('--version and --version --json', async () => {
    const r = await home.run(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^paddock 0\.1\.0/);
    const j = await home.run(['version', '--json']);
    assert.deepEqual(Object.keys(JSON.parse(j.stdout)), ['version', 'node']);
  });

  test('help exit-codes documents every code', async () => {
    const r = await home.run(['help', 'exit-codes']);
    for (const [code, text] of exitCodeDocs) assert.ok(r.stdout.includes(`${code}  ${text}`), `exit code ${code} undocumented`);
  });

  test('output has no colour codes when not a terminal, even when errors are printed', async () => {
    const r = await home.run(['nope']);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout + r.stderr, /\u001b\[/);
  });

  test('without a login, commands that need one exit 3 and name `paddock login`', async () => {
    const r = await home.run(['sites']);
    assert.equal(r.code, ExitCode.auth);
    assert.match(r.stderr, /not logged in/);
    assert.match(r.stderr, /paddock login/);
  });

  test('with --json an error is one JSON object on stderr with the code and the hint', async () => {
    const r = await home.run(['whoami', '--json']);
    assert.equal(r.code, ExitCode.auth);
    const err = JSON.parse(r.stderr) as { error: { code: string; hint: string } };
    assert.equal(err.error.code, 'CLI_NOT_LOGGED_IN');
    assert.match(err.error.hint, /paddock login/);
  });

  test('an unreachable API exits 5 and says which address failed and what to check', async () => {
    const port = await closedPort();
    const r = await home.run(['login', '--email', 'a@example.com', '--password', 'x', '--api', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, ExitCode.network);
    assert.match(r.stderr, new RegExp(`Could not reach the Paddock API at http://127.0.0.1:${port} \\(connection refused\\)\\.\\n`));
    assert.match(r.stderr, /PADDOCK_API/);
  });

  test('without a terminal, login without --email fails with exit 2 naming the flag instead of waiting for input', async () => {
    const r = await home.run(['login'], { timeoutMs: 10_000 });
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /not a terminal/);
    assert.match(r.stderr, /--email/);
  });

  test('without a terminal, sites:delete without --yes refuses (exit 2) and deletes nothing', async () => {
    const r = await home.run(['sites:delete', 'anything'], { env: { PADDOCK_TOKEN: 'pdk_unused' } });
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /--yes/);
  });

  test('commands that need a site say how to link one when the directory is not linked', async () => {
    const r = await home.run(['releases'], { env: { PADDOCK_TOKEN: 'pdk_unused' } });
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /No site is linked/);
    assert.match(r.stderr, /paddock sites:create/);
    assert.match(r.stderr, /--site/);
  });

  test('push outside a site directory says how to start one, before any upload', async () => {
    const r = await home.run(['push', '--site', 'anything', '--api', 'http://127.0.0.1:1'], { env: { PADDOCK_TOKEN: 'pdk_unused' } });
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /No Paddock site in .* \(no site\.ts\)/);
    assert.match(r.stderr, /paddock init/);
  });

  test('run passes everything after -- (or after the command name) through, options included', async () => {
    const port = await closedPort();
    const env = { PADDOCK_TOKEN: 'pdk_unused' };
    for (const args of [['run', '--site', 's', '--', 'ls', '-la'], ['run', '-s', 's', 'check', '--deploy']]) {
      const r = await home.run(['--api', `http://127.0.0.1:${port}`, ...args], { env });
      // Parsing succeeded: the failure is the unreachable API, not an unknown -la / --deploy option.
      assert.equal(r.code, ExitCode.network, r.stderr);
      assert.doesNotMatch(r.stderr, /Unknown option/);
    }
  });
});

describe('paddock: flags before the command', () => {
  test('global and command flags may come before the command name, as with heroku and flyctl', async () => {
    const port = await closedPort();
    for (const args of [['--site', 'guestbook', 'info'], ['-s', 'guestbook', '--json', 'releases'], ['--api', `http://127.0.0.1:${port}`, '--site', 'guestbook', 'info']]) {
      const r = await home.run(args, { env: { PADDOCK_TOKEN: 'pdk_unused', PADDOCK_API: `http://127.0.0.1:${port}` } });
      // Parsed as the command with its flags: the failure is the unreachable API, not an unknown command.
      assert.doesNotMatch(r.stderr, /is not a paddock command/, args.join(' '));
      assert.equal(r.code, ExitCode.network, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

describe('paddock logs: lines the platform skipped', () => {
  test('logs -f says how many lines were skipped when the connection fell behind, between the lines it got', async () => {
    // The platform's SSE protocol: `log` events carry a line, or `{"dropped":N}` after it shed lines for a slow reader.
    const { createServer: createHttpServer } = await import('node:http');
    const srv = createHttpServer((req, res) => {
      if (!req.url?.startsWith('/v1/sites/blog/logs')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: log\ndata: ${JSON.stringify({ at: '2026-11-24T01:00:00.000Z', source: 'web', line: 'first' })}\n\n`);
      res.write(`event: log\ndata: ${JSON.stringify({ dropped: 42 })}\n\n`);
      res.write(`event: log\ndata: ${JSON.stringify({ at: '2026-11-24T01:00:01.000Z', source: 'web', line: 'after the gap' })}\n\n`);
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as { port: number }).port;
      const r = await home.run(['logs', '-f', '--site', 'blog'], { env: { PADDOCK_API: `http://127.0.0.1:${port}`, PADDOCK_TOKEN: 'pdk_test' } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /first\n[^]*after the gap/);
      assert.match(r.stderr, /42 line\(s\) skipped/);
      assert.doesNotMatch(r.stdout, /\n\n|^\n/, 'no empty line printed for the skipped-lines event');
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
