'use server';
// Changes to one site: scale, suspend or resume, delete (confirmed by typing its name).
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { deleteSite, resizeSite, setSuspended } from '@/lib/sites';

const path = (site: string) => `/sites/${encodeURIComponent(site)}`;

export async function scaleAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const site = field(form, 'site');
  const replicas = Number(field(form, 'replicas'));
  const memoryMb = Number(field(form, 'memoryMb'));
  const fieldErrors: Record<string, string> = {};
  if (!Number.isInteger(replicas) || replicas < 1) fieldErrors.replicas = 'Use a whole number, 1 or more.';
  if (!Number.isInteger(memoryMb) || memoryMb < 64) fieldErrors.memoryMb = 'Use a whole number of MB, 64 or more.';
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  const token = await requireToken();
  try {
    await resizeSite(token, site, { replicas, memoryMb });
  } catch (e) {
    return failure(e, values);
  }
  revalidatePath(path(site));
  return { status: 'success', message: `${site} now runs ${replicas} replica${replicas === 1 ? '' : 's'} of ${memoryMb} MB.`, values };
}

export async function suspendAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const suspend = field(form, 'op') === 'suspend';
  const token = await requireToken();
  try {
    await setSuspended(token, site, suspend);
  } catch (e) {
    return failure(e, {});
  }
  revalidatePath(path(site));
  return { status: 'success', message: suspend ? `${site} is suspended: it no longer serves.` : `${site} is resumed.` };
}

export async function deleteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const site = field(form, 'site');
  if (field(form, 'confirm') !== site) {
    return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { confirm: `Type the site's name, ${site}, to confirm.` }, values };
  }
  const token = await requireToken();
  try {
    await deleteSite(token, site);
  } catch (e) {
    return failure(e, values);
  }
  redirect(`/sites?deleted=${encodeURIComponent(site)}`);
}
