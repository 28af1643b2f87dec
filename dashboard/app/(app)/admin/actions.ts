'use server';
// Operator actions: suspend, resume or delete any site; change an organisation's plan and quotas.
import { revalidatePath } from 'next/cache';
import { adminDeleteSite, adminSetPlan, adminSetSuspended } from '@/lib/admin';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';

export async function suspendSiteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = field(form, 'id');
  const name = field(form, 'name');
  const suspend = field(form, 'op') === 'suspend';
  const token = await requireToken();
  try {
    await adminSetSuspended(token, id, suspend);
  } catch (e) {
    return failure(e, {});
  }
  revalidatePath('/admin/sites', 'layout');
  return { status: 'success', message: `${name} ${suspend ? 'suspended' : 'resumed'}.` };
}

export async function deleteSiteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const id = field(form, 'id');
  const name = field(form, 'name');
  if (field(form, 'confirm') !== name) return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { confirm: `Type the site's name, ${name}, to confirm.` }, values };
  const token = await requireToken();
  try {
    await adminDeleteSite(token, id);
  } catch (e) {
    return failure(e, values);
  }
  revalidatePath('/admin/sites', 'layout');
  return { status: 'success', message: `${name} is being deleted.` };
}

const QUOTAS = ['sites', 'replicas', 'memoryMb', 'databaseMb'] as const;

export async function setPlanAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const id = field(form, 'id');
  const name = field(form, 'name');
  const plan = field(form, 'plan');
  const quotas: Record<string, number> = {};
  const fieldErrors: Record<string, string> = {};
  for (const q of QUOTAS) {
    const raw = field(form, q);
    if (raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) fieldErrors[q] = 'A whole number, 0 or more (empty keeps the plan’s).';
    else quotas[q] = n;
  }
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  const token = await requireToken();
  try {
    await adminSetPlan(token, id, { ...(plan ? { plan } : {}), ...(Object.keys(quotas).length ? { quotas } : {}) });
  } catch (e) {
    return failure(e, values);
  }
  revalidatePath('/admin/orgs');
  return { status: 'success', message: `${name}: plan ${plan}${Object.keys(quotas).length ? `, quotas ${Object.entries(quotas).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}.`, values };
}
