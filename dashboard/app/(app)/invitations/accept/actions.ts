'use server';
// Accepting an invitation is a POST from a button, never a side effect of opening the link.
import { redirect } from 'next/navigation';
import { failure, field, type FormState } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { acceptInvitation } from '@/lib/orgs';

export async function acceptAction(_prev: FormState, form: FormData): Promise<FormState> {
  const token = await requireToken();
  let org: string;
  try {
    org = (await acceptInvitation(token, field(form, 'token'))).name;
  } catch (e) {
    return failure(e, {});
  }
  redirect(`/org?org=${encodeURIComponent(org)}`);
}
