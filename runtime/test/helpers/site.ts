// Test helpers: build a Site in-process from a definition and send it requests without a socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSite, logger, Site, type Response, type SiteSettings, type URLEntry, type AppEntry, nunjucksEngine } from '@paddock/runtime';

// Views that raise on purpose would otherwise fill the test output with error logs.
logger.level = process.env.LOG_LEVEL ?? 'fatal';

export const TEST_SECRET = 'test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG';

/** A template engine (Nunjucks, auto-escaping as configured) whose templates are the given sources, not files. */
export const inlineTemplates = (sources: Record<string, string>) => (opts: Parameters<typeof nunjucksEngine>[0]) => {
  const engine = nunjucksEngine({ ...opts, dirs: [] });
  return {
    has: (n: string) => n in sources,
    render: (n: string, ctx: Record<string, unknown>) => engine.renderString(sources[n] ?? '', ctx),
    renderString: (s: string, ctx: Record<string, unknown>) => engine.renderString(s, ctx),
  };
};

export function makeSite(opts: { urls: URLEntry[]; settings?: SiteSettings; apps?: AppEntry[]; dir?: string; env?: Record<string, string> }): Site {
  return new Site(defineSite({ urls: opts.urls, settings: { ALLOWED_HOSTS: ['testserver'], SECRET_KEY: TEST_SECRET, ...opts.settings }, apps: opts.apps ?? [] }), {
    dir: opts.dir ?? process.cwd(), env: opts.env ?? {},
  });
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  secure?: boolean;
}

export function call(site: Site, url: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { host: 'testserver', ...opts.headers };
  const req = site.request({
    method: opts.method ?? 'GET', url, headers,
    body: opts.body === undefined ? null : Buffer.from(opts.body), ip: '127.0.0.1', encrypted: opts.secure ?? false,
  });
  return site.handle(req);
}

/** The csrftoken cookie value and a masked token from a page that rendered one. */
export function csrfFrom(res: Response): { cookie: string; token: string } {
  const line = res.cookies.find((c) => c.startsWith('csrftoken=')) ?? '';
  const cookie = decodeURIComponent(line.slice('csrftoken='.length).split(';')[0] ?? '');
  const m = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(res.text());
  return { cookie, token: m?.[1] ?? '' };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
