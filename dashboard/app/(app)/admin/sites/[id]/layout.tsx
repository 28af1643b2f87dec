// An operator's page of one site: a site that does not exist (by id or name) answers 404 here,
// before anything streams; below it, loading.tsx shows while the page waits for the API. Other
// failures (API down, session gone) are left to the page, which shows them in place.
import { notFound, unstable_rethrow } from 'next/navigation';
import { adminSite } from '@/lib/admin';
import { ApiError } from '@/lib/errors';
import { withViewer } from '@/lib/guard';
import { isMissingRoute } from '@/lib/load';

export default async function AdminSiteLayout({ children, params }: LayoutProps<'/admin/sites/[id]'>) {
  const id = decodeURIComponent((await params).id);
  try {
    await withViewer((v) => adminSite(v.token, id));
  } catch (e) {
    unstable_rethrow(e); // a redirect to log in goes through
    if (e instanceof ApiError && e.status === 404 && !isMissingRoute(e)) notFound();
  }
  return children;
}
