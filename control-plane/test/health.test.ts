import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openPlatform } from '../src/platform/platform.js';
import { buildServer } from '../src/api/server.js';
import { startTestPlatform, suffix, type TestPlatform } from './support/platform.js';

describe('health, metrics, OpenAPI and the error shape', () => {
  let t: TestPlatform;
  before(async () => { t = await startTestPlatform(); });
  after(async () => { await t.close(); });

  test('healthz answers ok after a real Postgres query and a Redis round-trip', async () => {
    const res = await t.app.inject('/healthz');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.checks.postgres.ok, true);
    assert.equal(body.checks.redis.ok, true);
  });

  test('the platform Redis keeps what it was given (a real round-trip)', async () => {
    const key = `pdktest:roundtrip:${suffix()}`;
    await t.platform.redis.set(key, 'paddock', 'EX', 10);
    assert.equal(await t.platform.redis.get(key), 'paddock');
    await t.platform.redis.del(key);
  });

  test('healthz answers 503 naming the dependency that is down', async () => {
    const config = loadConfig({ ...process.env, PADDOCK_ENV: 'test', PADDOCK_LOG_LEVEL: 'silent', PADDOCK_DATABASE_URL: t.config.databaseUrl, PADDOCK_REDIS_URL: 'redis://127.0.0.1:1' });
    const platform = openPlatform(config, { logger: createLogger('silent'), queuePrefix: `pdktest:${suffix()}` });
    const app = await buildServer(platform);
    try {
      const res = await app.inject('/healthz');
      assert.equal(res.statusCode, 503);
      const body = res.json();
      assert.equal(body.status, 'unavailable');
      assert.equal(body.checks.postgres.ok, true);
      assert.equal(body.checks.redis.ok, false);
      assert.ok(body.checks.redis.error);
    } finally {
      await app.close();
      await platform.close();
    }
  });

  test('metrics are Prometheus text and count requests', async () => {
    await t.app.inject('/healthz');
    const res = await t.app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(res.body, /paddock_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    assert.match(res.body, /paddock_process_cpu_user_seconds_total/);
  });

  test('openapi.json is an OpenAPI 3 document listing the routes', async () => {
    const res = await t.app.inject('/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/healthz'].get);
    assert.ok(doc.paths['/metrics'].get);
    // Parameters with defaults are optional to the client.
    const params = doc.paths['/v1/admin/sites'].get.parameters as { name: string; required?: boolean }[];
    for (const name of ['page', 'limit']) assert.equal(params.find((p) => p.name === name)?.required, false, name);
    assert.equal(doc.paths['/v1/sites/{site}'].get.parameters.find((p: { name: string }) => p.name === 'site').required, true);
    const docs = await t.app.inject('/docs/');
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });

  test('an unknown route answers 404 in the one error shape', async () => {
    const res = await t.app.inject('/v1/no-such-thing');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(Object.keys(res.json()), ['error']);
    assert.equal(res.json().error.code, 'PDK_NOT_FOUND');
    assert.equal(typeof res.json().error.message, 'string');
  });
});
