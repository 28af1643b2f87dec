// The browser's window on a deploy's live log: relays the API's Server-Sent Events, adding the
// session token on the server side so it never reaches the page.
import { apiBaseUrl } from '@/lib/config';
import { deployEventsPath } from '@/lib/deploys';
import { sessionToken } from '@/lib/session';

export async function GET(request: Request, ctx: RouteContext<'/sites/[site]/deploys/[id]/events'>): Promise<Response> {
  const { site, id } = await ctx.params;
  const token = await sessionToken();
  if (!token) return Response.json({ error: { code: 'PDK_UNAUTHENTICATED', message: 'Log in first.' } }, { status: 401 });
  let upstream: Response;
  try {
    upstream = await fetch(`${apiBaseUrl()}${deployEventsPath(decodeURIComponent(site), id)}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
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
