'use server';
// Billing actions: off to Stripe's Checkout to subscribe, or to its Customer Portal. A refusal
// (not an owner, billing not set up) comes back to the page as ?problem=<message>.
import type { Route } from 'next';
import { redirect } from 'next/navigation';
import { field } from '@/lib/form-state';
import { requireToken } from '@/lib/guard';
import { checkoutUrl, portalUrl } from '@/lib/billing';
import { ApiError } from '@/lib/errors';

async function goTo(org: string, url: () => Promise<string>): Promise<never> {
  let target: string;
  try {
    target = await url();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    redirect(`/billing?${new URLSearchParams({ org, problem: `${e.message} (${e.code})` }).toString()}` as Route);
  }
  redirect(target as Route); // a page on Stripe
}

export async function checkoutAction(form: FormData): Promise<void> {
  const token = await requireToken();
  const org = field(form, 'org');
  await goTo(org, () => checkoutUrl(token, org, field(form, 'plan')));
}

export async function portalAction(form: FormData): Promise<void> {
  const token = await requireToken();
  const org = field(form, 'org');
  await goTo(org, () => portalUrl(token, org));
}
