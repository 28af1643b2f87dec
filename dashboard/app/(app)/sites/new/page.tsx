// Create a site.
import type { Metadata } from 'next';
import { Breadcrumbs } from '@/app/ui/breadcrumbs';
import { listOrgs, type Org } from '@/lib/orgs';
import { load } from '@/lib/load';
import { siteAddress } from '@/lib/config';
import { ProblemPanel } from '@/app/ui/problem';
import { CreateSiteForm } from './create-site-form';

/** Organisations where the user may create sites (admin or owner), the personal one first. */
function creatable(orgs: Org[]): Org[] {
  return orgs.filter((o) => o.role === 'owner' || o.role === 'admin').sort((a, b) => Number(b.personal) - Number(a.personal));
}

export const metadata: Metadata = { title: 'New site' };

export default async function NewSitePage() {
  const orgs = await load((v) => listOrgs(v.token));
  return (
    <div className="narrow stack">
      <Breadcrumbs trail={[{ href: '/sites', label: 'Sites' }]} />
      <h1>New site</h1>
      {orgs.ok ? (
        creatable(orgs.data).length === 0 ? (
          <p className="notice notice-error" role="alert">Creating sites needs the admin or owner role in an organisation; ask an owner of yours.</p>
        ) : (
          <CreateSiteForm orgs={creatable(orgs.data).map((o) => o.name)} address={siteAddress('<name>')} />
        )
      ) : (
        <ProblemPanel problem={orgs.problem} />
      )}
    </div>
  );
}
