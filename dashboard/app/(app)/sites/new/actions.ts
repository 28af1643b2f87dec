'use server';
// Creates a site, then opens its page (where provisioning progress shows).
import { redirect } from 'next/navigation';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { createSite, SITE_NAME } from '@/lib/sites';

export async function createSiteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const name = field(form, 'name').toLowerCase();
  const org = field(form, 'org');
  if (!SITE_NAME.test(name)) {
    return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { name: 'Use lowercase letters, digits and hyphens (up to 63), starting and ending with a letter or digit.' }, values };
  }
  const token = await requireToken();
  try {
    await createSite(token, { name, ...(org ? { org } : {}) });
  } catch (e) {
    return failure(e, values);
  }
  redirect(`/sites/${encodeURIComponent(name)}`);
}
