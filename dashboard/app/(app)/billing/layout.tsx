// The Billing page exists only on platforms that charge for plans. Billing is on or off for the
// whole platform, so any of the user's organisations tells; deciding here, before the page
// streams, makes the answer a real 404 where it is off.
import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import { requireToken } from '@/lib/guard';
import { listOrgs } from '@/lib/orgs';
import { billingOf } from '@/lib/billing';

export default async function BillingLayout({ children }: { children: ReactNode }) {
  const token = await requireToken();
  const enabled = await listOrgs(token)
    .then(async (orgs) => (orgs[0] ? (await billingOf(token, orgs[0].name)) !== null : false))
    // The API failing is for the page to explain, not a reason to hide it.
    .catch(() => true);
  if (!enabled) notFound();
  return children;
}
