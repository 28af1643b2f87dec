// The dashboard's one HTTP client for the control-plane API. Server-only: the session token goes
// out as `Authorization: Bearer`, the browser's address as `X-Forwarded-For` (the API's login
// limits count per browser), and API errors come back as ApiError with the API's own code.
import 'server-only';
import { headers as requestHeaders } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { CLIENT_ADDRESS_HEADER } from './client-address.mjs';
import { apiBaseUrl, API_TIMEOUT_MS } from './config';
import { ApiError, DashboardError } from './errors';
import { failureReason } from './health';

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | undefined;
  query?: Query;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function urlFor(path: string, query?: Query): string {
  const url = new URL(`${apiBaseUrl()}${path}`);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  return url.toString();
}

/**
 * The browser's address as server.mjs worked it out, as `X-Forwarded-For` for the API (which
 * believes it from the dashboard's address only, PADDOCK_TRUST_PROXY). Empty outside a request,
 * or under plain `next start`/`next dev` (no server.mjs): the browser's own X-Forwarded-For is
 * never passed on, so a browser cannot pick the address its login attempts count against.
 */
export async function forwardedFor(): Promise<Record<string, string>> {
  let address: string | null;
  try {
    address = (await requestHeaders()).get(CLIENT_ADDRESS_HEADER);
  } catch (e) {
    unstable_rethrow(e); // Next.js's own signals (dynamic rendering) must go through
    return {};
  }
  return address ? { 'x-forwarded-for': address } : {};
}

/** Calls the API and returns its JSON body (undefined for 204); throws ApiError or DashboardError. */
export async function api<T>(path: string, req: ApiRequest = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(await forwardedFor()) };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let body: string | undefined;
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.body);
  }
  let res: Response;
  try {
    res = await fetch(urlFor(path, req.query), {
      method: req.method ?? 'GET',
      headers,
      body,
      cache: 'no-store',
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
  } catch (e) {
    throw new DashboardError('PDK_DASHBOARD_API_UNREACHABLE', `${apiBaseUrl()}: ${failureReason(e)}`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new DashboardError('PDK_DASHBOARD_API_BAD_RESPONSE', `${req.method ?? 'GET'} ${path} answered ${res.status} with non-JSON`);
    }
  }
  if (!res.ok) {
    const err = isRecord(json) && isRecord(json.error) ? json.error : {};
    const code = typeof err.code === 'string' ? err.code : `HTTP_${res.status}`;
    const message = typeof err.message === 'string' ? err.message : `The API answered ${res.status} ${res.statusText}.`;
    throw new ApiError(res.status, code, message, typeof err.field === 'string' ? err.field : undefined);
  }
  return json as T;
}
