// Assertions about responses, templates, queries and forms (Django's TestCase assertions), usable with any test
// function of node:test. Each throws node's AssertionError with a message that shows what was found instead.
import { AssertionError } from 'node:assert';
import { NON_FIELD_ERRORS } from '../errors.js';
import { captureQueries, type QueryEvent } from '../db/connections.js';
import type { TestResponse } from './client.js';

function fail(message: string, actual?: unknown, expected?: unknown, fn?: (...args: never[]) => unknown): never {
  throw new AssertionError({ message, actual, expected, ...(fn ? { stackStartFn: fn } : {}) });
}

function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export interface ContainsOptions {
  /** The status the response must have (default 200). */
  status?: number;
  /** How many times the text must appear (default: at least once). */
  count?: number;
}

function occurrences(haystack: string, needle: string): number {
  if (!needle) return 0;
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** The response has `status` (default 200) and its body contains `text` (exactly `count` times, when given). */
export function assertContains(res: TestResponse, text: string, options: ContainsOptions = {}): void {
  const status = options.status ?? 200;
  if (res.status !== status) {
    fail(`Couldn't retrieve content: the response's status is ${res.status}, not ${status} (${res.request.method} ${res.request.path}).`, res.status, status, assertContains);
  }
  const found = occurrences(res.text, text);
  if (options.count !== undefined) {
    if (found !== options.count) fail(`Found ${found} instances of '${text}' in the response (expected ${options.count}).`, found, options.count, assertContains);
  } else if (found === 0) {
    fail(`Couldn't find '${text}' in the response: ${excerpt(res.text)}`, res.text, text, assertContains);
  }
}

/** The response has `status` (default 200) and its body does not contain `text`. */
export function assertNotContains(res: TestResponse, text: string, options: { status?: number } = {}): void {
  const status = options.status ?? 200;
  if (res.status !== status) {
    fail(`Couldn't retrieve content: the response's status is ${res.status}, not ${status} (${res.request.method} ${res.request.path}).`, res.status, status, assertNotContains);
  }
  const found = occurrences(res.text, text);
  if (found > 0) fail(`Found ${found} instance${found === 1 ? '' : 's'} of '${text}' in the response, expected none.`, found, 0, assertNotContains);
}

export interface RedirectOptions {
  /** The redirect's status (default 302). */
  status?: number;
  /** The status of the page it leads to (default 200). */
  targetStatus?: number;
  /** Fetch the target with the same client and check its status (default true; false for a page outside the site). */
  fetchRedirectResponse?: boolean;
}

/**
 * The response redirects to `expectedUrl` (a path, or a full URL) with `status` (default 302), and that page answers
 * `targetStatus` (default 200). For a response fetched with `follow: true`, the chain's first redirect is checked and
 * the final response is the target.
 */
export async function assertRedirects(res: TestResponse, expectedUrl: string, options: RedirectOptions = {}): Promise<void> {
  const status = options.status ?? 302;
  const targetStatus = options.targetStatus ?? 200;
  const normal = (url: string) => {
    const u = new URL(url, `http://testserver${res.request.path}`);
    return u.host === 'testserver' || u.host === res.request.headers.host ? `${u.pathname}${u.search}` : u.href;
  };
  let location: string | undefined;
  let first: number;
  if (res.redirectChain.length) {
    location = (res.redirectChain[res.redirectChain.length - 1] as readonly [string, number])[0];
    first = (res.redirectChain[0] as readonly [string, number])[1];
    if (res.status !== targetStatus) fail(`The page the redirect leads to answered ${res.status}, not ${targetStatus}.`, res.status, targetStatus);
    if (first !== status) fail(`The response redirected with ${first}, not ${status}.`, first, status);
  } else {
    first = res.status;
    if (first !== status) fail(`The response's status is ${first}, not the redirect ${status} expected (${res.request.method} ${res.request.path}).`, first, status);
    location = res.location;
    if (!location) fail('The response is a redirect without a Location header.');
  }
  if (normal(location) !== normal(expectedUrl)) fail(`The response redirected to '${location}', not '${expectedUrl}'.`, location, expectedUrl);
  if (!res.redirectChain.length && options.fetchRedirectResponse !== false) {
    const target = new URL(location, `http://testserver${res.request.path}`);
    if (target.host === 'testserver' || target.host === res.request.headers.host) {
      const next = await res.client.get(`${target.pathname}${target.search}`, { secure: target.protocol === 'https:' });
      if (next.status !== targetStatus) {
        fail(`The redirect to '${location}' answered ${next.status}, not ${targetStatus}.`, next.status, targetStatus);
      }
    }
  }
}

/** The template `name` was rendered to make the response (the page's own, or one it extends or includes); `count`: that many times. */
export function assertTemplateUsed(res: TestResponse, name: string, options: { count?: number } = {}): void {
  const used = res.templates.filter((t) => t === name).length;
  if (options.count !== undefined ? used !== options.count : used === 0) {
    const list = res.templates.length ? res.templates.join(', ') : 'none';
    fail(`Template '${name}' was ${options.count !== undefined ? `used ${used} times, not ${options.count}` : 'not used'} to render the response. Templates used: ${list}.`,
      res.templates, name, assertTemplateUsed);
  }
}

/** The template `name` was not rendered to make the response. */
export function assertTemplateNotUsed(res: TestResponse, name: string): void {
  if (res.templates.includes(name)) fail(`Template '${name}' was used to render the response.`, res.templates, name, assertTemplateNotUsed);
}

/**
 * Runs `fn` and checks it sent exactly `count` database statements (on every database, or `using` only); the
 * failure lists them. Returns what `fn` returned.
 */
export async function assertNumQueries<T>(count: number, fn: () => Promise<T> | T, options: { using?: string } = {}): Promise<T> {
  const { result, queries } = await captureQueries(async () => fn());
  const counted = options.using ? queries.filter((q: QueryEvent) => q.alias === options.using) : queries;
  if (counted.length !== count) {
    const list = counted.map((q: QueryEvent, i: number) => `  ${i + 1}. ${q.sql}`).join('\n');
    fail(`${counted.length} queries executed, ${count} expected.\nCaptured queries were:\n${list || '  (none)'}`, counted.length, count);
  }
  return result;
}

/** What assertFormError reads: a form (the runtime's Form) after isValid() ran. */
export interface FormLike {
  readonly errors: Readonly<Record<string, ReadonlyArray<{ readonly message: string }>>>;
}

/**
 * The form's `field` has exactly these errors (`null` for the form's own errors, not a field's); `[]` or '' means
 * none. Pass the form itself, e.g. `res.context.form`.
 */
export function assertFormError(form: unknown, field: string | null, errors: string | readonly string[]): void {
  if (typeof form !== 'object' || form === null || typeof (form as FormLike).errors !== 'object') {
    fail(`assertFormError needs a form (with .errors), got ${form === null ? 'null' : typeof form}. Did the view put it in the context?`);
  }
  const key = field ?? NON_FIELD_ERRORS;
  const all = (form as FormLike).errors;
  const actual = (all[key] ?? []).map((e) => e.message);
  const expected = typeof errors === 'string' ? (errors ? [errors] : []) : [...errors];
  if (actual.length !== expected.length || actual.some((m, i) => m !== expected[i])) {
    const where = field ? `field '${field}'` : 'the form (non-field errors)';
    const others = Object.keys(all).filter((k) => k !== key);
    fail(`The errors of ${where} are ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}.${others.length ? ` Other fields with errors: ${others.join(', ')}.` : ''}`,
      actual, expected, assertFormError);
  }
}
