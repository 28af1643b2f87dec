'use server';
// Operator actions: suspend or resume a site, change an organisation's plan.
import { revalidatePath } from 'next/cache';
import { setOrgPlan, setSiteSuspended } from '@/lib/admin';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireViewer } from '@/lib/guard';

export async function suspendSiteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const suspend = field(form, 'op') === 'suspend';
  const { token } = await requireViewer();
  try {
    await setSiteSuspended(token, site, suspend);
  } catch (e) {
    return failure(e, typedValues(form));
  }
  revalidatePath('/admin/sites');
  return { status: 'success', message: `${site} ${suspend ? 'suspended' : 'resumed'}.` };
}

export async function setPlanAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const org = field(form, 'org');
  const plan = field(form, 'plan');
  if (!plan) return { status: 'error', message: 'Choose a plan.', values };
  const { token } = await requireViewer();
  try {
    await setOrgPlan(token, org, plan);
  } catch (e) {
    return failure(e, values);
  }
  revalidatePath('/admin/orgs');
  return { status: 'success', message: `${org} is now on the ${plan} plan.`, values };
}
