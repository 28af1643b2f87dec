import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { IgnoreRules } from '@paddock/runtime/paddockignore';
import { listSiteFiles, packSite } from '../src/pack.js';
import { readSse } from '../src/sse.js';
import { suggest } from '../src/suggest.js';
import { parseSince } from '../src/commands/operate.js';
import { Output, type Streams } from '../src/output.js';
import { ProgressBar } from '../src/progress.js';

const root = mkdtempSync(join(tmpdir(), 'paddock-pack-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

function tree(dir: string, files: Record<string, string>): string {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

describe('.paddockignore and packing', () => {
  test('gitignore-style rules: globs, anchors, folders only, negation, last rule wins', () => {
    const rules = IgnoreRules.forSite(['# a comment', '*.tmp', '/build', 'media/', 'docs/**/*.pdf', '!keep.tmp', 'secret?.txt'].join('\n'));
    assert.equal(rules.ignores('a.tmp', false), true);
    assert.equal(rules.ignores('deep/b.tmp', false), true);
    assert.equal(rules.ignores('keep.tmp', false), false);
    assert.equal(rules.ignores('build', true), true);
    assert.equal(rules.ignores('src/build', true), false, 'a leading / anchors to the root');
    assert.equal(rules.ignores('media', true), true);
    assert.equal(rules.ignores('media', false), false, 'a trailing / matches folders only');
    assert.equal(rules.ignores('docs/a/b/c.pdf', false), true);
    assert.equal(rules.ignores('docs/c.pdf', false), true);
    assert.equal(rules.ignores('secret1.txt', false), true);
    assert.equal(rules.ignores('secret12.txt', false), false);
    assert.equal(rules.ignores('node_modules', true), true, 'defaults apply');
    assert.equal(rules.ignores('.env', false), true);
    assert.equal(rules.ignores('blog/views.ts', false), false);
  });

  test('push packs the site without ignored files, secrets, VCS or dependencies, and drops links out of the site', async () => {
    const dir = tree(join(root, 'site'), {
      'site.ts': 'export default {}',
      'blog/views.ts': 'x',
      'blog/templates/blog/index.html': '<h1>hi</h1>',
      '.paddockignore': 'drafts/\n*.bak\n',
      'drafts/post.md': 'not yet',
      'views.bak': 'old',
      '.env': 'SECRET=1',
      '.git/HEAD': 'ref',
      'node_modules/x/index.js': 'x',
      '.paddock/site.json': '{}',
    });
    symlinkSync('/etc/passwd', join(dir, 'passwd'));
    symlinkSync('blog/views.ts', join(dir, 'alias.ts'));
    const listed = listSiteFiles(dir);
    assert.deepEqual(listed.files, ['.paddockignore', 'alias.ts', 'blog/templates/blog/index.html', 'blog/views.ts', 'site.ts']);
    assert.deepEqual(listed.skipped, ['passwd']);

    const packed = await packSite(dir);
    try {
      const entries: string[] = [];
      await tar.list({ file: packed.file, onReadEntry: (e) => void entries.push(e.path) });
      assert.deepEqual(entries.sort(), listed.files);
      assert.equal(packed.files, 5);
      assert.match(packed.sha256, /^[0-9a-f]{64}$/);
      const again = await packSite(dir);
      assert.equal(again.sha256, packed.sha256, 'the same tree packs to the same bytes');
      again.cleanup();
    } finally {
      packed.cleanup();
    }
  });
});

describe('small parsers', () => {
  test('SSE: events, multi-line data, comments, CRLF, and a chunk split anywhere', async () => {
    const text = ': keepalive\r\nevent: log\r\ndata: {"line":"a"}\r\n\r\nid: 7\ndata: one\ndata: two\n\nevent: result\ndata: {"status":"succeeded"}\n\n';
    for (const size of [1, 3, 1000]) {
      const bytes = new TextEncoder().encode(text);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
          c.close();
        },
      });
      const events = [];
      for await (const e of readSse(stream)) events.push(e);
      assert.deepEqual(events, [
        { event: 'log', data: '{"line":"a"}' },
        { event: 'message', data: 'one\ntwo', id: '7' },
        { event: 'result', data: '{"status":"succeeded"}', id: '7' },
      ]);
    }
  });

  test('suggestions: typos, transpositions and prefixes, nothing for unrelated words', () => {
    const names = ['sites', 'sites:create', 'sites:delete', 'push', 'deploy', 'logs', 'login', 'logout', 'env:set'];
    assert.equal(suggest('sties', names)[0], 'sites');
    assert.equal(suggest('psuh', names)[0], 'push');
    assert.ok(suggest('logn', names).includes('login'));
    assert.equal(suggest('site', names)[0], 'sites');
    assert.deepEqual(suggest('qwertyuiop', names), []);
  });

  test('--since takes durations and times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(parseSince('15m', now), '2026-01-01T11:45:00.000Z');
    assert.equal(parseSince('2h', now), '2026-01-01T10:00:00.000Z');
    assert.equal(parseSince('2026-01-01T00:00:00Z', now), '2026-01-01T00:00:00.000Z');
    assert.throws(() => parseSince('yesterday-ish', now), /--since takes/);
  });

  test('the progress bar redraws one line on a terminal and prints a line per quarter otherwise', () => {
    const capture = (isTTY: boolean) => {
      const written: string[] = [];
      const sink = { isTTY, write: (s: string) => void written.push(s) };
      const streams = { stdout: sink, stderr: sink, stdin: process.stdin } as unknown as Streams;
      const bar = new ProgressBar(new Output(streams, { json: false, noColor: false, env: {} }), 'Uploading', 1000);
      for (let sent = 0; sent <= 1000; sent += 50) bar.update(sent);
      bar.finish();
      return written.join('');
    };
    const tty = capture(true);
    assert.match(tty, /\rUploading [█░]{30} 100% 1000 B\/1000 B/);
    assert.ok(!tty.slice(0, -1).includes('\n'), 'a terminal gets one redrawn line');
    const plain = capture(false);
    assert.deepEqual(plain.trim().split('\n').map((l) => l.replace(/ \(.*/, '')), ['Uploading 0%', 'Uploading 25%', 'Uploading 50%', 'Uploading 75%', 'Uploading 100%']);
    assert.equal(capture(false).includes('\r'), false);
  });
});
