// Every page of one site: a site that does not exist (or is not the viewer's) answers 404 here,
// before anything streams; below it, loading.tsx shows while a page waits for the API. Other
// failures (API down, session gone) are left to the page, which shows them in place.
import { notFound, unstable_rethrow } from 'next/navigation';
import { ApiError } from '@/lib/errors';
import { withViewer } from '@/lib/guard';
import { isMissingRoute } from '@/lib/load';
import { getSite } from '@/lib/sites';

export default async function SiteLayout({ children, params }: LayoutProps<'/sites/[site]'>) {
  const name = decodeURIComponent((await params).site);
  try {
    await withViewer((v) => getSite(v.token, name));
  } catch (e) {
    unstable_rethrow(e); // a redirect to log in goes through
    if (e instanceof ApiError && e.status === 404 && !isMissingRoute(e)) notFound();
  }
  return children;
}
