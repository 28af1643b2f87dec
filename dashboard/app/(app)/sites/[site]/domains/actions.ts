'use server';
// Custom domains: add one (with the DNS record to create), check its record now, remove it.
import { revalidatePath } from 'next/cache';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { addDomain, removeDomain, verifyDomain } from '@/lib/site-config';

const HOST = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const page = (site: string) => `/sites/${encodeURIComponent(site)}/domains`;

export async function addDomainAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const site = field(form, 'site');
  const hostname = field(form, 'hostname').toLowerCase().replace(/\.$/, '');
  if (!HOST.test(hostname)) return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { hostname: 'A host name like www.example.com.' }, values };
  const token = await requireToken();
  try {
    const d = await addDomain(token, site, hostname);
    revalidatePath(page(site));
    return { status: 'success', message: d.verified ? `${hostname} is verified and routed to the site.` : `${hostname} is added; create the DNS record shown below, then check it.` };
  } catch (e) {
    return failure(e, values);
  }
}

export async function verifyDomainAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const hostname = field(form, 'hostname');
  const token = await requireToken();
  try {
    await verifyDomain(token, site, hostname);
  } catch (e) {
    return failure(e, {});
  }
  revalidatePath(page(site));
  return { status: 'success', message: `${hostname} is verified.` };
}

export async function removeDomainAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const hostname = field(form, 'hostname');
  const token = await requireToken();
  try {
    await removeDomain(token, site, hostname);
  } catch (e) {
    return failure(e, {});
  }
  revalidatePath(page(site));
  return { status: 'success', message: `${hostname} is removed.` };
}
