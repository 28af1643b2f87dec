// The browser's window on a site's live logs.
import { logsPath } from '@/lib/site-config';
import { relayEvents } from '@/lib/event-stream';

export async function GET(request: Request, ctx: RouteContext<'/sites/[site]/logs/stream'>): Promise<Response> {
  const { site } = await ctx.params;
  return relayEvents(request, logsPath(decodeURIComponent(site), true));
}
