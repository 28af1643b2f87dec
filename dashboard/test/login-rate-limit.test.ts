// The API's login limit counts per browser behind the dashboard, not per dashboard: the dashboard
// (server.mjs) forwards each browser's own address, and a browser that sends X-Forwarded-For (or
// the dashboard's private header) cannot choose the address it is counted as. No browser needed:
// the login and signup forms work without JavaScript, so plain form posts from different loopback
// source addresses stand for different browsers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';

interface Answer { status: number; location: string | undefined; body: string }

function send(url: string, from: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET', headers: init.headers, localAddress: from }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const entities: Record<string, string> = { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#x27;': "'", '&#39;': "'" };

/** Fills the page's form (its hidden server-action fields plus `fields`) and posts it as a browser without JavaScript would, from `from`. */
async function submitForm(dash: RunningDashboard, path: string, fields: Record<string, string>, from: string, spoof: string): Promise<Answer> {
  const page = await send(`${dash.url}${path}`, from);
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const form = new FormData();
  for (const m of page.body.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g)) {
    form.append(m[1]!, (m[2] ?? '').replace(/&(quot|amp|lt|gt|#x27|#39);/g, (e) => entities[e] ?? e));
  }
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const encoded = new Response(form);
  return send(`${dash.url}${path}`, from, {
    method: 'POST',
    // What an attacker's browser would add to get a fresh budget on every try.
    headers: { 'content-type': encoded.headers.get('content-type')!, 'x-forwarded-for': spoof, 'x-paddock-client-address': spoof },
    body: Buffer.from(await encoded.arrayBuffer()),
  });
}

describe('login rate limit per browser behind the dashboard', () => {
  let api: RunningApi;
  let dash: RunningDashboard;

  before(async () => {
    api = await startApi({ env: { PADDOCK_AUTH_RATE_LIMIT: '3' } });
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
  });
  after(async () => {
    await dash?.stop();
    await api?.stop();
  });

  test('one browser hammering the login form is limited, another one is not, and forged X-Forwarded-For does not help', async () => {
    const email = `nobody-${suffix()}@dashboard-test.paddock.localhost`;
    const tries: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await submitForm(dash, '/login', { email, password: `guess-${i}-long-enough` }, '127.0.0.9', `198.51.100.${i + 1}`);
      tries.push(/Too many requests/.test(r.body) ? 'limited' : r.status === 200 ? 'refused' : `status ${r.status}`);
    }
    assert.deepEqual(tries, ['refused', 'refused', 'refused', 'limited']);
    const other = await submitForm(dash, '/login', { email, password: 'another-guess-long' }, '127.0.0.10', '198.51.100.1');
    assert.equal(other.status, 200);
    assert.equal(/Too many requests/.test(other.body), false, 'another browser still has its own attempts');
  });

  test('the API records the browser\'s own address for a session made through the dashboard', async () => {
    const email = uniqueEmail('ip');
    const r = await submitForm(dash, '/signup', { name: 'Ip Owner', email, password: `pw-${suffix()}-${suffix()}` }, '127.0.0.11', '198.51.100.77');
    assert.ok(r.status === 303 || r.status === 307 || r.status === 200, `signup answered ${r.status}`);
    const row = await api.platform.db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select('sessions.ip').where('accounts.email', '=', email).executeTakeFirst();
    assert.equal(row?.ip, '127.0.0.11');
  });
});
