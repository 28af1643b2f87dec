import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ImproperlyConfigured, SiteNotFound } from '@paddock/runtime';
import { loadSite } from '@paddock/runtime/host';
import { resolveSettings, settingsFromEnv } from '../src/settings.js';
import { call, TEST_SECRET } from './helpers/site.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const starters = join(import.meta.dirname, '..', 'starters');
const env = { SECRET_KEY: TEST_SECRET, ALLOWED_HOSTS: 'testserver' };

describe('loading a site folder', () => {
  it('boots a precompiled site.js as well as a site.ts', async () => {
    const js = await loadSite(join(fixtures, 'hello-js'), { env });
    assert.equal((await call(js, '/')).text(), 'Hello from JS');
    const ts = await loadSite(join(fixtures, 'hello'), { env });
    assert.equal((await call(ts, '/')).text(), 'Hello, world!');
  });

  it('boots the blank starter and renders its page', async () => {
    const site = await loadSite(join(starters, 'blank'), { env });
    const res = await call(site, '/');
    assert.equal(res.status, 200);
    assert.match(res.text(), /It works/);
  });

  it('says what to do when the folder holds no site', async () => {
    await assert.rejects(loadSite(fixtures, { env }), SiteNotFound);
  });
});

describe('settings', () => {
  it('maps the container env (PORT, DATABASE_URL, CACHE_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG) onto settings', () => {
    const s = settingsFromEnv({
      PORT: '9000', DATABASE_URL: 'postgres://u:p@db/x', CACHE_URL: 'redis://c:6380/0', SECRET_KEY: 'k',
      ALLOWED_HOSTS: 'a.example, .b.example', DEBUG: 'false', PADDOCK_SECURE_HSTS_SECONDS: '60', PADDOCK_CSRF_TRUSTED_ORIGINS: 'https://x.example',
    });
    assert.deepEqual(s, {
      PORT: 9000, DATABASES: { default: { url: 'postgres://u:p@db/x' } }, CACHES: { default: { url: 'redis://c:6380/0' } }, SECRET_KEY: 'k',
      ALLOWED_HOSTS: ['a.example', '.b.example'], DEBUG: false, SECURE_HSTS_SECONDS: 60, CSRF_TRUSTED_ORIGINS: ['https://x.example'],
    });
    assert.throws(() => settingsFromEnv({ DEBUG: 'maybe' }), /not a boolean/);
    assert.throws(() => settingsFromEnv({ PORT: 'eighty' }), /not a whole number/);
  });

  it('reads the proxy header the platform vouches for (PADDOCK_SECURE_PROXY_SSL_HEADER) as a [header, value] pair', () => {
    assert.deepEqual(settingsFromEnv({ PADDOCK_SECURE_PROXY_SSL_HEADER: 'X-Forwarded-Proto, https' }), { SECURE_PROXY_SSL_HEADER: ['X-Forwarded-Proto', 'https'] });
    assert.deepEqual(settingsFromEnv({ PADDOCK_SECURE_PROXY_SSL_HEADER: '' }), { SECURE_PROXY_SSL_HEADER: null });
    assert.throws(() => settingsFromEnv({ PADDOCK_SECURE_PROXY_SSL_HEADER: 'X-Forwarded-Proto' }), /not "header,value"/);
  });

  it('layers defaults < site.ts < environment, and requires SECRET_KEY outside DEBUG', () => {
    const base = { MIDDLEWARE: [], TEMPLATES: { BACKEND: 'nunjucks' as const, DIRS: [], APP_DIRS: true, CONTEXT_PROCESSORS: [], OPTIONS: {} } };
    const s = resolveSettings({ APPEND_SLASH: false, PORT: 7000, SECRET_KEY: 'site' }, { PORT: '7001' }, base);
    assert.equal(s.APPEND_SLASH, false);
    assert.equal(s.PORT, 7001);
    assert.equal(s.X_FRAME_OPTIONS, 'DENY');
    assert.throws(() => resolveSettings({}, {}, base), ImproperlyConfigured);
    assert.doesNotThrow(() => resolveSettings({}, { DEBUG: 'true' }, base));
  });
});
