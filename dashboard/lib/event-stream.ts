// Relays one of the API's Server-Sent Event streams (a deploy's log, a site's logs) to the
// browser, adding the session token on the server side so it never reaches the page.
import { forwardedFor } from '@/lib/api';
import { apiBaseUrl } from '@/lib/config';
import { sessionToken } from '@/lib/session';

export async function relayEvents(request: Request, apiPath: string): Promise<Response> {
  const token = await sessionToken();
  if (!token) return Response.json({ error: { code: 'PDK_UNAUTHENTICATED', message: 'Log in first.' } }, { status: 401 });
  let upstream: Response;
  try {
    upstream = await fetch(`${apiBaseUrl()}${apiPath}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(await forwardedFor()) },
      // The browser leaving ends the upstream stream too.
      signal: request.signal,
      cache: 'no-store',
    });
  } catch {
    return Response.json({ error: { code: 'PDK_DASHBOARD_API_UNREACHABLE', message: 'The control-plane API does not answer.' } }, { status: 502 });
  }
  if (!upstream.ok || !upstream.body) {
    return new Response(await upstream.text(), { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' } });
  }
  return new Response(upstream.body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform keeps the response compressor from buffering the stream.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
