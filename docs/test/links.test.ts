// Every link in the documentation (docs/ and the README, generated reference included) leads somewhere: a relative
// link to a file that exists, an anchor to a heading (or id) that exists on that page. And none leads out of the
// repository: addresses are only the reader's own (localhost) or examples (example.com).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown, resolveLink, type RenderedPage } from '../site/pages/markdown.js';

const docsDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(docsDir, '..');

/**
 * Pages other work adds (the index links to them ahead of time). A link to one of these may dangle until it lands;
 * once the page exists it must leave this list, so the list only shrinks.
 */
const PENDING_PAGES = new Set<string>([]);

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'site', 'tools', 'test'].includes(name) && dir === docsDir) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) markdownFiles(p, out);
    else if (name.endsWith('.md')) out.push(p);
  }
  return out;
}

const LOCAL_HOSTS = /^(localhost|[\w-]+\.localhost|127\.0\.0\.1|\[::1\]|([\w-]+\.)*example\.(com|org|net))(:\d+)?$/;

describe('links in the documentation', () => {
  const files = [...markdownFiles(docsDir), join(repoRoot, 'README.md'), join(repoRoot, 'cli', 'README.md')];
  const pages = new Map<string, RenderedPage>();
  /** Paths relative to the repository root, so README.md and docs/ resolve against one tree. */
  const key = (file: string) => relative(repoRoot, file);
  for (const f of files) pages.set(key(f), renderMarkdown(key(f), readFileSync(f, 'utf8')));

  test('the generated reference is there (npm run build -w docs writes it)', () => {
    for (const f of ['reference/api/index.md', 'reference/cli.md', 'reference/paddock-runtime.md', 'reference/platform-api.md']) {
      assert.ok(existsSync(join(docsDir, f)), `docs/${f} is missing: run \`npm run build -w docs\` (npm test does it first).`);
    }
  });

  test('every relative link and anchor resolves', () => {
    const broken: string[] = [];
    for (const [from, page] of pages) {
      for (const href of page.links) {
        const target = resolveLink(from, href);
        if (!target) continue;
        const below = relative('docs', target.file);
        if (!existsSync(join(repoRoot, target.file))) {
          if (!PENDING_PAGES.has(below)) broken.push(`${from}: ${href} (no file ${target.file})`);
          continue;
        }
        if (!target.hash) continue;
        const linked = pages.get(target.file);
        if (!linked) broken.push(`${from}: ${href} (an anchor into a file that is not a Markdown page)`);
        else if (!linked.anchors.has(target.hash)) broken.push(`${from}: ${href} (no heading or id "${target.hash}" in ${target.file})`);
      }
    }
    assert.deepEqual(broken, [], `Broken links:\n${broken.join('\n')}`);
  });

  test('pages that were pending have landed only once', () => {
    const landed = [...PENDING_PAGES].filter((p) => existsSync(join(docsDir, p)));
    assert.deepEqual(landed, [], `These pages exist now: remove them from PENDING_PAGES in docs/test/links.test.ts.`);
  });

  test('no link leads outside the repository', () => {
    const outside: string[] = [];
    for (const [from, page] of pages) {
      for (const href of page.links) {
        if (!/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//')) {
          if (href.startsWith('/')) outside.push(`${from}: ${href} (an absolute path: write a relative link)`);
          continue;
        }
        let url: URL;
        try { url = new URL(href); } catch { outside.push(`${from}: ${href} (not a URL)`); continue; }
        if (url.protocol === 'mailto:' && /@example\.(com|org|net)$/.test(url.pathname)) continue;
        if ((url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.test(url.host)) continue;
        outside.push(`${from}: ${href}`);
      }
    }
    assert.deepEqual(outside, [], `Links out of the repository (the docs speak of what is here):\n${outside.join('\n')}`);
  });
});
