// The control plane's health as the dashboard shows it: ok, degraded (some check failing) or down.
import 'server-only';
import { apiBaseUrl, API_TIMEOUT_MS } from './config';

export type Health =
  | { state: 'ok' | 'degraded'; checks: Record<string, string>; apiUrl: string }
  | { state: 'down'; reason: string; apiUrl: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The most telling part of a failed fetch: ECONNREFUSED, a timeout, a DNS failure... */
export function failureReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError') return `no answer within ${API_TIMEOUT_MS} ms`;
  const cause: unknown = e.cause;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  if (cause instanceof Error) return cause.message;
  return e.message;
}

/** One check as a short text: "ok (3 ms)", or what went wrong. Accepts `"ok"` or `{ ok, ms, error }`. */
function describeCheck(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!isRecord(v)) return JSON.stringify(v);
  const ms = typeof v.ms === 'number' ? ` (${v.ms} ms)` : '';
  if (v.ok === true || v.status === 'ok') return `ok${ms}`;
  if (typeof v.error === 'string') return `failing: ${v.error}`;
  return typeof v.status === 'string' ? v.status : 'failing';
}

export async function fetchHealth(): Promise<Health> {
  const apiUrl = apiBaseUrl();
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/healthz`, { cache: 'no-store', signal: AbortSignal.timeout(API_TIMEOUT_MS) });
  } catch (e) {
    return { state: 'down', reason: `no answer from ${apiUrl} (${failureReason(e)})`, apiUrl };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { state: 'down', reason: `${apiUrl}/healthz answered ${res.status} without JSON`, apiUrl };
  }
  const checks: Record<string, string> = {};
  if (isRecord(body) && isRecord(body.checks)) {
    for (const [k, v] of Object.entries(body.checks)) checks[k] = describeCheck(v);
  }
  const ok = res.ok && isRecord(body) && body.status === 'ok';
  return { state: ok ? 'ok' : 'degraded', checks, apiUrl };
}
