// Create a site.
import type { Metadata } from 'next';
import Link from 'next/link';
import { listOrgs } from '@/lib/orgs';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { CreateSiteForm } from './create-site-form';

export const metadata: Metadata = { title: 'New site' };

export default async function NewSitePage() {
  const orgs = await load((v) => listOrgs(v.token));
  const siteDomain = process.env.PADDOCK_SITE_DOMAIN ?? 'localhost';
  return (
    <div className="narrow stack">
      <p className="crumbs"><Link href="/sites">Sites</Link> /</p>
      <h1>New site</h1>
      {orgs.ok ? (
        <CreateSiteForm orgs={orgs.data.map((o) => ({ slug: o.name, name: o.name }))} siteDomain={siteDomain} />
      ) : (
        <ProblemPanel problem={orgs.problem} />
      )}
    </div>
  );
}
