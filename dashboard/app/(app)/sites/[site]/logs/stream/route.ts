// The browser's window on a site's live logs: relays the API's Server-Sent Events with the
// session token added on the server side.
import { apiBaseUrl } from '@/lib/config';
import { logsPath } from '@/lib/site-config';
import { sessionToken } from '@/lib/session';

export async function GET(request: Request, ctx: RouteContext<'/sites/[site]/logs/stream'>): Promise<Response> {
  const { site } = await ctx.params;
  const token = await sessionToken();
  if (!token) return Response.json({ error: { code: 'PDK_UNAUTHENTICATED', message: 'Log in first.' } }, { status: 401 });
  let upstream: Response;
  try {
    upstream = await fetch(`${apiBaseUrl()}${logsPath(decodeURIComponent(site), true)}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
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
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
  });
}
