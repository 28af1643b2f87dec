'use server';
// Organisation changes: invitations, members' roles, API tokens (the new token is shown once).
import { revalidatePath } from 'next/cache';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { createToken, invite, removeMember, revokeToken, ROLES, setMemberRole, withdrawInvitation, type Role, type Scope } from '@/lib/orgs';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SCOPES: Scope[] = ['read', 'secrets', 'write', 'admin'];

export async function inviteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const org = field(form, 'org');
  const email = field(form, 'email').toLowerCase();
  const role = field(form, 'role') as Role;
  const fieldErrors: Record<string, string> = {};
  if (!EMAIL.test(email)) fieldErrors.email = 'Enter an email address like them@example.com.';
  if (!ROLES.includes(role)) fieldErrors.role = 'Choose a role.';
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  const token = await requireToken();
  try {
    await invite(token, org, { email, role });
  } catch (e) {
    return failure(e, values);
  }
  revalidatePath('/org');
  return { status: 'success', message: `Invitation sent to ${email} as ${role}.`, values: { org } };
}

export async function memberAction(_prev: FormState, form: FormData): Promise<FormState> {
  const org = field(form, 'org');
  const accountId = field(form, 'accountId');
  const email = field(form, 'email');
  const op = field(form, 'op');
  const role = field(form, 'role') as Role;
  const token = await requireToken();
  try {
    if (op === 'remove') await removeMember(token, org, accountId);
    else if (ROLES.includes(role)) await setMemberRole(token, org, accountId, role);
    else return { status: 'error', message: 'Choose a role.' };
  } catch (e) {
    return failure(e, typedValues(form));
  }
  revalidatePath('/org');
  return { status: 'success', message: op === 'remove' ? `${email} removed.` : `${email} is now ${role}.` };
}

export async function withdrawInvitationAction(form: FormData): Promise<void> {
  const token = await requireToken();
  await withdrawInvitation(token, field(form, 'org'), field(form, 'id'));
  revalidatePath('/org');
}

export async function createTokenAction(_prev: FormState, form: FormData): Promise<FormState> {
  const name = field(form, 'name');
  const scopes = form.getAll('scopes').filter((s): s is Scope => typeof s === 'string' && (SCOPES as string[]).includes(s));
  const days = field(form, 'expiresInDays');
  const values = { ...typedValues(form), scopes: scopes.join(',') };
  const fieldErrors: Record<string, string> = {};
  if (!name) fieldErrors.name = 'Give the token a name, e.g. "laptop" or "CI".';
  if (scopes.length === 0) fieldErrors.scopes = 'Choose at least one scope.';
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  const token = await requireToken();
  try {
    const created = await createToken(token, { name, scopes, ...(days ? { expiresInDays: Number(days) } : {}) });
    revalidatePath('/org/tokens');
    return { status: 'success', message: `Token "${name}" created. Copy it now: it is not shown again.`, secret: created.token };
  } catch (e) {
    return failure(e, values);
  }
}

export async function revokeTokenAction(form: FormData): Promise<void> {
  const token = await requireToken();
  await revokeToken(token, field(form, 'id'));
  revalidatePath('/org/tokens');
}
