// Content negotiation: one URL answering HTML, JSON or XML according to the Accept header.
import { NotAcceptable } from '../errors.js';
import type { Request } from '../http/request.js';
import type { Response } from '../http/response.js';

interface Range { type: string; sub: string; q: number; order: number }

function parseAccept(header: string): Range[] {
  const out: Range[] = [];
  header.split(',').forEach((part, order) => {
    const [mt, ...params] = part.trim().split(';');
    const [type, sub] = (mt ?? '').trim().toLowerCase().split('/');
    if (!type || !sub) return;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number(v);
    }
    if (Number.isFinite(q) && q > 0) out.push({ type, sub, q, order });
  });
  return out;
}

function specificity(r: Range): number { return (r.type === '*' ? 0 : 1) + (r.sub === '*' ? 0 : 1); }

/** The best of `offered` for this Accept header (the first offered when there is no header), or null. */
export function bestMatch(accept: string | undefined, offered: readonly string[]): string | null {
  if (!accept) return offered[0] ?? null;
  const ranges = parseAccept(accept);
  let best: string | null = null;
  let bestQ = 0;
  let bestSpec = -1;
  for (const o of offered) {
    const [type, sub] = o.toLowerCase().split('/');
    for (const r of ranges) {
      if ((r.type === '*' || r.type === type) && (r.sub === '*' || r.sub === sub)) {
        const s = specificity(r);
        if (r.q > bestQ || (r.q === bestQ && s > bestSpec)) { best = o; bestQ = r.q; bestSpec = s; }
      }
    }
  }
  return best;
}

/**
 * Calls the renderer for the best media type, adds Vary: Accept, and raises NotAcceptable (406) when none fits.
 * `negotiate(req, { 'text/html': () => render(...), 'application/json': () => json(...) })`
 */
export async function negotiate(req: Request, renderers: Record<string, () => Response | Promise<Response>>): Promise<Response> {
  const offered = Object.keys(renderers);
  const chosen = bestMatch(req.headers.accept, offered);
  if (!chosen) throw new NotAcceptable(offered);
  const res = await (renderers[chosen] as () => Response | Promise<Response>)();
  res.appendHeaderValue('vary', 'Accept');
  return res;
}
