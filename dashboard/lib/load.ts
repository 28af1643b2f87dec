// Loading page data without letting an API failure become a blank error page: the page renders
// the problem (what failed, what to do) in place, and a lost session still goes to log in.
import 'server-only';
import { notFound } from 'next/navigation';
import { ApiError, DashboardError } from './errors';
import { withViewer, type Viewer } from './guard';

export type Loaded<T> = { ok: true; data: T } | { ok: false; problem: Problem };

export interface Problem {
  title: string;
  message: string;
  code: string;
}

/** The API's answer for a route it does not have: it is older than this dashboard. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.code === 'PDK_NOT_FOUND';
}

export function toProblem(e: unknown): Problem {
  if (isMissingRoute(e)) {
    return {
      title: 'Not available from this platform version',
      message: 'The control-plane API does not offer this yet: the dashboard is newer than the platform. Upgrade the control plane to see it here.',
      code: 'PDK_NOT_FOUND',
    };
  }
  if (e instanceof ApiError) return { title: e.status === 403 ? 'Not allowed' : 'The API refused this', message: e.message, code: e.code };
  if (e instanceof DashboardError) return { title: e.code === 'PDK_DASHBOARD_API_UNREACHABLE' ? 'The API is down' : 'Unexpected answer from the API', message: e.message, code: e.code };
  throw e;
}

/** For a page's main data: 404s become the not-found page, other failures a Problem to render. */
export async function load<T>(fn: (v: Viewer) => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await withViewer(fn) };
  } catch (e) {
    // A missing site or organisation is the not-found page; a missing API route (an API older
    // than this dashboard) is a problem to show.
    if (e instanceof ApiError && e.status === 404 && !isMissingRoute(e)) notFound();
    return { ok: false, problem: toProblem(e) };
  }
}
