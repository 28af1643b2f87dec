// Time zones as Django's USE_TZ: instants stay instants; the current zone (TIME_ZONE, or the visitor's) decides how
// templates show them and how forms read the wall-clock times people type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultMiddleware, path, render, Response, type Request } from '@paddock/runtime';
import { defineForm, fields } from '@paddock/runtime/forms';
import { localeMiddleware, override } from '@paddock/runtime/i18n';
import {
  activateTimezone, deactivateTimezone, fromWallTime, getCurrentTimezone, localdate, overrideTimezone, setTimezone,
  timezoneMiddleware, toLocalInput, utcOffset, wallTime,
} from '@paddock/runtime/timezone';
import { call, csrfFrom, inlineTemplates, makeSite } from '../helpers/site.js';

// 2026-07-14 10:30 UTC: 12:30 in Paris (summer time), 19:30 in Tokyo, 06:30 in New York.
const WHEN = new Date('2026-07-14T10:30:00Z');

const Meeting = defineForm({ starts: fields.datetime() });

/** Intl's output with its no-break spaces as plain ones (ICU versions differ in which they use). */
const norm = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');

const templates = inlineTemplates({
  'when.html': '{{ when|date("datetime") }}|{{ when|date("date") }}|{{ when|date }}|{{ when|utc|date("time") }}'
    + '|{{ when|timezone("Asia/Tokyo")|date("time") }}|{% timezone "America/New_York" %}{{ when|date("time") }}{% endtimezone %}|{{ TIME_ZONE }}',
  'form.html': '{{ form.asDiv() }}',
});

async function meetingView(req: Request): Promise<Response> {
  const form = req.method === 'POST' ? new Meeting({ data: req.form }) : new Meeting({ initial: { starts: WHEN } });
  if (req.method === 'POST' && await form.isValid()) return new Response(form.cleanedData.starts.toISOString());
  return render(req, 'form.html', { form });
}

function tzSite(settings: Record<string, unknown> = {}) {
  return makeSite({
    urls: [
      path('when/', (req) => render(req, 'when.html', { when: WHEN })),
      path('meeting/', meetingView),
      path('tz/', setTimezone),
      path('token/', (req) => new Response(String(new Meeting().renderForm({ request: req })))),
    ],
    settings: {
      TEMPLATES: { BACKEND: templates },
      MIDDLEWARE: [...defaultMiddleware, localeMiddleware, timezoneMiddleware({ fromRequest: (req) => req.headers['x-user-tz'] as string | undefined })],
      ...settings,
    },
  });
}

test('templates show instants in TIME_ZONE, or in the visitor\'s zone from the cookie, in the visitor\'s language', async () => {
  const site = tzSite({ TIME_ZONE: 'Europe/Paris' });
  assert.equal(norm((await call(site, '/when/')).text()), 'Jul 14, 2026, 12:30 PM|2026-07-14|2026-07-14T10:30:00.000Z|10:30 AM|7:30 PM|6:30 AM|Europe/Paris');
  const tokyo = await call(site, '/when/', { headers: { cookie: 'paddock_timezone=Asia/Tokyo', 'accept-language': 'de' } });
  assert.equal(norm(tokyo.text()), '14.07.2026, 19:30|2026-07-14|2026-07-14T10:30:00.000Z|10:30|19:30|06:30|Asia/Tokyo');
  assert.match(tokyo.headers.vary ?? '', /Cookie/);
  const fromProfile = await call(site, '/when/', { headers: { cookie: 'paddock_timezone=Asia/Tokyo', 'x-user-tz': 'America/New_York' } });
  assert.match(norm(fromProfile.text()), /^Jul 14, 2026, 6:30 AM\|/, "the user's own zone wins over the cookie");
  const bogus = await call(site, '/when/', { headers: { cookie: 'paddock_timezone=Mars/Olympus' } });
  assert.match(norm(bogus.text()), /^Jul 14, 2026, 12:30 PM\|.*\|Europe\/Paris$/, 'an unknown zone is ignored');
  const late = await call(tzSite({ TIME_ZONE: 'Pacific/Kiritimati' }), '/when/', { headers: { 'accept-language': 'fr' } });
  assert.equal(norm(late.text()).split('|').slice(0, 2).join('|'), '15 juil. 2026, 00:30|2026-07-15', 'UTC+14: already the next day');
});

test('forms read a datetime-local value as wall-clock time in the current zone and show one in it', async () => {
  const site = tzSite({ TIME_ZONE: 'Europe/Paris' });
  assert.match((await call(site, '/meeting/')).text(), /type="datetime-local" name="starts" value="2026-07-14T12:30"/);
  assert.match((await call(site, '/meeting/', { headers: { cookie: 'paddock_timezone=America/New_York' } })).text(), /value="2026-07-14T06:30"/);
  const csrf = csrfFrom(await call(site, '/token/'));
  const post = (starts: string, cookie = '', lang = 'en') => call(site, '/meeting/', {
    method: 'POST', body: `csrfmiddlewaretoken=${csrf.token}&starts=${encodeURIComponent(starts)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf.cookie}; ${cookie}`, 'accept-language': lang },
  });
  assert.equal((await post('2026-07-14T12:30')).text(), '2026-07-14T10:30:00.000Z');
  assert.equal((await post('2026-01-14T12:30')).text(), '2026-01-14T11:30:00.000Z', 'winter time: UTC+1');
  assert.equal((await post('2026-07-14T12:30', 'paddock_timezone=Asia/Tokyo')).text(), '2026-07-14T03:30:00.000Z');
  assert.equal((await post('2026-07-14T12:30:00+00:00')).text(), '2026-07-14T12:30:00.000Z', 'an explicit offset is kept');
  const skipped = await post('2026-03-29T02:30');
  assert.match(skipped.text(), /“2026-03-29T02:30” couldn’t be interpreted in time zone Europe\/Paris; it may be ambiguous or it may not exist\./);
  assert.match((await post('2026-10-25T02:30', '', 'fr')).text(), /n’a pas pu être interprété dans le fuseau horaire Europe\/Paris/, 'the hour clocks repeat, in French');
});

test('set_timezone stores a real zone in the cookie and goes back', async () => {
  const site = tzSite();
  const csrf = csrfFrom(await call(site, '/token/'));
  const post = (body: string) => call(site, '/tz/', {
    method: 'POST', body: `csrfmiddlewaretoken=${csrf.token}&${body}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf.cookie}` },
  });
  const ok = await post('timezone=europe%2Fberlin&next=/when/');
  assert.equal(ok.headers.location, '/when/');
  assert.match(ok.cookies.join('\n'), /^paddock_timezone=Europe%2FBerlin; Max-Age=31536000; Path=\/; SameSite=Lax$/m);
  const bad = await post('timezone=Nowhere%2FLand&next=/when/');
  assert.equal(bad.cookies.length, 0);
});

test('activateTimezone, overrideTimezone and the helpers convert between instants and wall-clock times', () => {
  assert.equal(getCurrentTimezone(), 'UTC');
  overrideTimezone('Australia/Adelaide', () => {
    assert.equal(getCurrentTimezone(), 'Australia/Adelaide');
    assert.equal(utcOffset(WHEN), 570, 'UTC+9:30 in its winter');
    assert.equal(toLocalInput(WHEN), '2026-07-14T20:00');
    assert.equal(localdate(WHEN), '2026-07-14');
  });
  activateTimezone('America/Los_Angeles');
  try {
    assert.deepEqual(wallTime(WHEN), { year: 2026, month: 7, day: 14, hour: 3, minute: 30, second: 0, millisecond: 0 });
  } finally {
    deactivateTimezone();
  }
  assert.throws(() => activateTimezone('Europe/Atlantis'), /'Europe\/Atlantis' is not a time zone/);
  assert.throws(() => fromWallTime({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York'),
    (e: unknown) => (e as { problem?: string }).problem === 'nonexistent');
  assert.throws(() => fromWallTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York'),
    (e: unknown) => (e as { problem?: string }).problem === 'ambiguous');
});

test('an instant read as wall-clock time in any zone comes back as the same instant (unless the clocks repeat it)', () => {
  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham'];
  fc.assert(fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
    const instant = new Date(Math.floor(ms / 60_000) * 60_000);
    const w = wallTime(instant, zone);
    try {
      assert.equal(fromWallTime(w, zone).getTime(), instant.getTime());
    } catch (e) {
      // The hour after clocks go back happens twice: the only case an instant's own wall time is not unique.
      assert.equal((e as { problem?: string }).problem, 'ambiguous');
    }
  }), { numRuns: 3000 });
});

test('the date and number filters follow the active language', async () => {
  const engine = inlineTemplates({})({ dirs: [], debug: false, options: {}, reverse: () => '', staticUrl: (p) => p });
  const src = '{{ d|date("long") }}|{{ d|date("full", "short") }}|{{ n|number }}|{{ n|number(2) }}|{{ 0.256|number(1, { style: "percent" }) }}|{{ "x"|number }}|{{ "nope"|date }}';
  const ctx = { d: WHEN, n: 1234567.891 };
  assert.equal(norm(await engine.renderString(src, ctx)), 'July 14, 2026|Tuesday, July 14, 2026 at 10:30 AM|1,234,567.891|1,234,567.89|25.6%||');
  assert.equal(norm(await override('de', () => engine.renderString(src, ctx))), '14. Juli 2026|Dienstag, 14. Juli 2026 um 10:30|1.234.567,891|1.234.567,89|25,6 %||');
  assert.equal(norm(await override('fr', () => overrideTimezone('Europe/Paris', () => engine.renderString('{{ d|date("full", "short") }}', ctx)))),
    'mardi 14 juillet 2026 à 12:30');
});
