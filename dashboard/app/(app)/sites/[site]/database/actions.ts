'use server';
// Revealing a site's database or cache connection URL, on request only: the API checks the deploy
// role and audits it; the URL goes back to the one component that asked, never into a URL, a
// cookie or a cached page.
import { failure } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { siteData } from '@/lib/database';

export async function revealUrlAction(site: string, which: 'database' | 'cache'): Promise<{ url?: string; error?: string }> {
  const token = await requireToken();
  try {
    const data = await siteData(token, site, true);
    const url = which === 'database' ? data.database.url : data.cache?.url;
    return url ? { url } : { error: 'This site has no cache.' };
  } catch (e) {
    return { error: failure(e, {}).message ?? 'Could not read the connection URL.' };
  }
}
