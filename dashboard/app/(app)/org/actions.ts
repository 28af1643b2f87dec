'use server';
// Organisation changes: invite someone, create an API token (shown once), revoke one.
import { revalidatePath } from 'next/cache';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireViewer } from '@/lib/guard';
import { createToken, invite, revokeToken, ROLES, type Role } from '@/lib/orgs';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function inviteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const org = field(form, 'org');
  const email = field(form, 'email').toLowerCase();
  const role = field(form, 'role') as Role;
  const fieldErrors: Record<string, string> = {};
  if (!EMAIL.test(email)) fieldErrors.email = 'Enter an email address like them@example.com.';
  if (!ROLES.includes(role)) fieldErrors.role = 'Choose a role.';
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  const { token } = await requireViewer();
  try {
    await invite(token, org, { email, role });
  } catch (e) {
    return failure(e, values);
  }
  revalidatePath('/org');
  return { status: 'success', message: `Invitation sent to ${email} as ${role}.`, values: { org } };
}

export async function createTokenAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const name = field(form, 'name');
  if (!name) return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { name: 'Give the token a name, e.g. "laptop" or "CI".' }, values };
  const { token } = await requireViewer();
  try {
    const created = await createToken(token, { name });
    revalidatePath('/org/tokens');
    return { status: 'success', message: `Token "${name}" created. Copy it now: it is not shown again.`, secret: created.token };
  } catch (e) {
    return failure(e, values);
  }
}

export async function revokeTokenAction(form: FormData): Promise<void> {
  const { token } = await requireViewer();
  await revokeToken(token, field(form, 'id'));
  revalidatePath('/org/tokens');
}
