'use server';
// Roll a site back to an earlier release (a new release of the old build).
import { revalidatePath } from 'next/cache';
import { failure, field, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { rollback } from '@/lib/deploys';

export async function rollbackAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const version = Number(field(form, 'version'));
  const token = await requireToken();
  try {
    await rollback(token, site, Number.isInteger(version) && version > 0 ? version : undefined);
  } catch (e) {
    return failure(e, {});
  }
  revalidatePath(`/sites/${encodeURIComponent(site)}/deploys`);
  return { status: 'success', message: `Rolling back to v${version}: follow it in the log below.` };
}
