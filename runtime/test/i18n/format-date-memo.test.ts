// formatDate keeps the text of instants it printed per named format: each instant, zone and language still gets its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDate } from '../../src/i18n/formats.js';
import { overrideTimezone } from '../../src/timezone/timezone.js';

describe('formatDate with named formats', () => {
  it('prints each instant in its own zone and language, also past the 1,000 instants it remembers per format', () => {
    const start = Date.UTC(2026, 0, 1, 23, 30);
    for (let i = 0; i < 1500; i++) {
      const d = new Date(start + i * 86_400_000);
      const expected = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
      assert.equal(formatDate(d, 'long', undefined, 'en'), expected);
    }
    const d = new Date(start);
    assert.equal(formatDate(d, 'long', undefined, 'en'), 'January 1, 2026');
    assert.equal(formatDate(d, 'long', undefined, 'fr'), '1 janvier 2026');
    assert.equal(overrideTimezone('Europe/Paris', () => formatDate(d, 'long', undefined, 'en')), 'January 2, 2026');
    assert.equal(formatDate(d, 'long', 'short', 'en'), new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(d));
    assert.equal(formatDate(d, 'no-such-format' as 'long', undefined, 'en'), formatDate(d, 'medium', undefined, 'en'));
  });
});
