'use server';
// Environment variable changes (each makes a new release of a live site; one that changes nothing says so) and revealing one value.
import { revalidatePath } from 'next/cache';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { envVars, setEnvVars } from '@/lib/site-config';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function released(deploy: { id: string } | undefined): string {
  return deploy ? ' A new release is on its way; follow it under Deploys.' : '';
}

export async function setVarAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const name = field(form, 'name');
  // Values are kept exactly as typed (spaces included).
  const value = typeof form.get('value') === 'string' ? String(form.get('value')) : '';
  const values = { ...typedValues(form, []), value };
  if (!NAME.test(name)) return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { name: 'Letters, digits and _, not starting with a digit.' }, values };
  const token = await requireToken();
  try {
    const r = await setEnvVars(token, site, { [name]: value });
    if (r.changed === false) return { status: 'success', message: `${name} already has this value; nothing changed.` };
    revalidatePath(`/sites/${encodeURIComponent(site)}/env`);
    return { status: 'success', message: `${name} is set.${released(r.deploy)}` };
  } catch (e) {
    return failure(e, values);
  }
}

export async function removeVarAction(_prev: FormState, form: FormData): Promise<FormState> {
  const site = field(form, 'site');
  const name = field(form, 'name');
  const token = await requireToken();
  try {
    const r = await setEnvVars(token, site, { [name]: null });
    if (r.changed === false) return { status: 'success', message: `${name} is not set; nothing changed.` };
    revalidatePath(`/sites/${encodeURIComponent(site)}/env`);
    return { status: 'success', message: `${name} is removed.${released(r.deploy)}` };
  } catch (e) {
    return failure(e, {});
  }
}

/** One value, on request: the page itself never carries values. */
export async function revealVarAction(site: string, name: string): Promise<{ value?: string; error?: string }> {
  const token = await requireToken();
  try {
    const vars = await envVars(token, site);
    return name in vars ? { value: vars[name] } : { error: `${name} is no longer set.` };
  } catch (e) {
    return { error: failure(e, {}).message ?? 'Could not read the value.' };
  }
}
