import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, deploySettings, loadConfig, settings } from '../src/config.js';

test('defaults give a working dev configuration', () => {
  const c = loadConfig({});
  assert.equal(c.env, 'dev');
  assert.equal(c.apiPort, 4000);
  assert.equal(c.edgePort, 8080);
  assert.equal(c.siteDomain, 'localhost');
  assert.deepEqual(c.pgAdminUrls.length, 1);
});

test('pools are comma-separated lists', () => {
  const c = loadConfig({ PADDOCK_PG_ADMIN_URL: 'postgres://a@h1/postgres, postgres://a@h2:5433/postgres', PADDOCK_CACHE_ADMIN_URL: 'redis://h1:6380,redis://h2:6380' });
  assert.deepEqual(c.pgAdminUrls, ['postgres://a@h1/postgres', 'postgres://a@h2:5433/postgres']);
  assert.equal(c.cacheAdminUrls.length, 2);
});

test('bad values are reported together, each naming its variable, secrets hidden', () => {
  assert.throws(() => loadConfig({ PADDOCK_API_PORT: 'eighty', PADDOCK_MASTER_KEY: 'short-secret', PADDOCK_LOG_LEVEL: 'loud', PADDOCK_REDIS_URL: 'http://x' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 4);
    assert.match(e.message, /PADDOCK_API_PORT="eighty" is invalid/);
    assert.match(e.message, /PADDOCK_LOG_LEVEL="loud"/);
    assert.match(e.message, /PADDOCK_REDIS_URL/);
    assert.match(e.message, /PADDOCK_MASTER_KEY=\(hidden\)/);
    assert.doesNotMatch(e.message, /short-secret/);
    return true;
  });
});

test('production requires real secrets and refuses the dev master key', () => {
  assert.throws(() => loadConfig({ PADDOCK_ENV: 'production' }), /PADDOCK_DATABASE_URL is required in production[\s\S]*PADDOCK_MASTER_KEY is required/);
  const dev = settings.find((s) => s.env === 'PADDOCK_MASTER_KEY')!.default as string;
  assert.throws(() => loadConfig({ PADDOCK_ENV: 'production', PADDOCK_DATABASE_URL: 'postgres://x/y', PADDOCK_PG_ADMIN_URL: 'postgres://x/p', PADDOCK_CACHE_ADMIN_URL: 'redis://x', PADDOCK_MASTER_KEY: dev }), /public dev key/);
  const prod = loadConfig({ PADDOCK_ENV: 'production', PADDOCK_DATABASE_URL: 'postgres://x/y', PADDOCK_PG_ADMIN_URL: 'postgres://x/p', PADDOCK_CACHE_ADMIN_URL: 'redis://x', PADDOCK_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') });
  assert.equal(prod.passwordCost, 17);
});

test("the README's configuration table lists every setting", () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const missing = settings.map((s) => s.env).filter((env) => !readme.includes(`\`${env}\``));
  assert.deepEqual(missing, [], 'add these to the README configuration table');
});

test('deploy, edge and sleep settings keep their variables, default under the state dir, and are validated', () => {
  const d = deploySettings(loadConfig({ PADDOCK_STATE_DIR: '/srv/paddock' }));
  assert.equal(d.artifactsDir, '/srv/paddock/artifacts');
  assert.equal(d.edgeDir, '/srv/paddock/edge');
  assert.equal(d.maxUploadBytes, 100 * 1024 * 1024);
  assert.deepEqual(d.sleep.free, { pauseAfterS: 300, stopAfterS: 3600 });
  assert.equal(d.driver, 'docker');
  const custom = deploySettings(loadConfig({ PADDOCK_BUILD_DIR: '/tmp/b', PADDOCK_MAX_UPLOAD_MB: '5', PADDOCK_SLEEP_PAUSE_PRO_S: '60', PADDOCK_DRIVER: 'process', PADDOCK_EDGE_ADMIN_PORT: '0' }));
  assert.equal(custom.buildDir, '/tmp/b');
  assert.equal(custom.maxUploadBytes, 5 * 1024 * 1024);
  assert.equal(custom.sleep.pro?.pauseAfterS, 60);
  assert.equal(custom.driver, 'process');
  assert.equal(custom.edgeAdminPort, 0);
  assert.throws(() => loadConfig({ PADDOCK_DRIVER: 'kubernetes', PADDOCK_MAX_UPLOAD_MB: 'lots' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /PADDOCK_DRIVER="kubernetes" is invalid/);
    assert.match(e.message, /PADDOCK_MAX_UPLOAD_MB="lots" is invalid/);
    return true;
  });
});
