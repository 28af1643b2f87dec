// The browser's window on a deploy's live log.
import { deployEventsPath } from '@/lib/deploys';
import { relayEvents } from '@/lib/event-stream';

export async function GET(request: Request, ctx: RouteContext<'/sites/[site]/deploys/[id]/events'>): Promise<Response> {
  const { site, id } = await ctx.params;
  return relayEvents(request, deployEventsPath(decodeURIComponent(site), id));
}
