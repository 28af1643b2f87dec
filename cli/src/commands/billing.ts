// Billing commands, on platforms that charge for plans (the operator configured Stripe): the plan,
// usage and subscription; a Checkout link to subscribe; a Customer Portal link for cards,
// invoices, plan changes and cancellation. Where billing is off they say so: plans are then set by
// the platform's operator.
import { defineCommand, type Context } from '../command.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { BillingSession, BillingSummary } from '@paddock/control-plane/api-types';

const orgOption = {
  org: { type: 'string', placeholder: 'org', description: 'the organisation (default: your personal one)' },
} as const;

async function orgName(ctx: Context, given: string | undefined): Promise<string> {
  if (given) return given;
  const answer = await ctx.api.json<{ organisations: Array<{ name: string; personal: boolean }> }>('GET', '/v1/orgs');
  const personal = answer.organisations.find((o) => o.personal) ?? answer.organisations[0];
  if (!personal) throw new CliError('PDK_ORG_NOT_FOUND', 'You belong to no organisation.', 'Name one with --org <org>.', ExitCode.notFound, 404);
  return personal.name;
}

/** Billing-off answers name what to do instead. */
function billingOff(e: unknown): never {
  if (e instanceof CliError && e.code === 'PDK_BILLING_OFF') {
    throw new CliError(e.code, 'Billing is off on this platform: its operator sets plans.', 'Ask the platform\'s operator to change your plan.', ExitCode.notFound, 404);
  }
  throw e;
}

const money = (cents: number) => `$${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)}`;

export const billing = defineCommand({
  name: 'billing',
  group: 'Account',
  summary: "Show an organisation's plan, subscription, usage and invoices (platforms that charge)",
  usage: 'billing [--org <org>]',
  description: 'Shows the plan and its quotas, the subscription\'s status and period, the sites used against the plan, the plans for sale, and the upcoming and past invoices (with links to their PDFs on Stripe).\nOn a platform without billing (no Stripe configured) it says so: the operator sets plans there.',
  options: orgOption,
  examples: ['paddock billing', 'paddock billing --org acme', 'paddock billing --json'],
  async run(ctx, { values }) {
    const org = await orgName(ctx, values.org);
    const s = await ctx.api.json<BillingSummary>('GET', `/v1/orgs/${encodeURIComponent(org)}/billing`).catch(billingOff);
    ctx.out.data(s, () => {
      ctx.out.fields([
        ['Organisation', s.org],
        ['Plan', s.planTitle],
        ['Subscription', s.subscription ? `${s.subscription.status}${s.subscription.periodEnd ? `, period ends ${s.subscription.periodEnd.slice(0, 10)}` : ''}` : 'none'],
        ['Sites', `${s.usage.sites.used} of ${s.usage.sites.limit}`],
        ['Quotas', `${s.quotas.replicas} replicas/site, ${s.quotas.memoryMb} MiB/replica, ${s.quotas.databaseMb} MiB database/site`],
      ]);
      if (s.subscription?.status === 'past_due') ctx.out.warn('The last payment failed: update the card with `paddock billing:portal`.');
      ctx.out.line();
      ctx.out.table(s.plans, [
        ['PLAN', (p) => (p.name === s.plan ? `${p.name} (current)` : p.name)],
        ['MONTHLY', (p) => money(p.monthlyCents)],
        ['SITES', (p) => String(p.quotas.sites)],
        ['USAGE', (p) => p.usagePrices.map((u) => `${money(u.cents)}/${u.per}`).join(', ')],
      ]);
      if (s.invoices?.upcoming) ctx.out.line(`\nUpcoming invoice: ${money(s.invoices.upcoming.amountDueCents)}${s.invoices.upcoming.date ? ` on ${s.invoices.upcoming.date.slice(0, 10)}` : ''} (plus metered usage)`);
      if (s.invoices?.past.length) {
        ctx.out.line();
        ctx.out.table(s.invoices.past, [
          ['INVOICE', (i) => i.number ?? i.id],
          ['DATE', (i) => i.created.slice(0, 10)],
          ['TOTAL', (i) => money(i.totalCents)],
          ['STATUS', (i) => i.status ?? ''],
          ['PDF', (i) => i.pdfUrl ?? i.hostedUrl ?? ''],
        ]);
      }
      if (s.subscription && !s.invoices) ctx.out.warn('Stripe did not answer: invoices are not shown; try again shortly.');
      if (!s.subscription || !['active', 'trialing', 'past_due'].includes(s.subscription.status)) ctx.out.info('Subscribe with `paddock billing:upgrade <plan>`.');
    });
  },
});

export const billingUpgrade = defineCommand({
  name: 'billing:upgrade',
  group: 'Account',
  summary: 'Print the Stripe Checkout link that subscribes an organisation to a plan (owners)',
  usage: 'billing:upgrade <plan> [--org <org>]',
  description: 'Opens a Stripe Checkout session and prints its link; the plan changes once the payment is through.\nAn organisation subscribed already changes plan in the customer portal (`paddock billing:portal`).',
  options: orgOption,
  positionals: { min: 1, max: 1, names: '<plan>' },
  examples: ['paddock billing:upgrade pro', 'paddock billing:upgrade business --org acme', 'paddock billing:upgrade pro --json'],
  async run(ctx, { values, positionals }) {
    const org = await orgName(ctx, values.org);
    const { url } = await ctx.api.json<BillingSession>('POST', `/v1/orgs/${encodeURIComponent(org)}/billing/checkout`, { body: { plan: positionals[0] } }).catch(billingOff);
    ctx.out.data({ org, plan: positionals[0], url }, () => {
      ctx.out.line(`Pay for ${positionals[0]} on Stripe: ${url}`);
      ctx.out.info('The plan changes as soon as Stripe confirms the payment; `paddock billing` shows it.');
    });
  },
});

export const billingPortal = defineCommand({
  name: 'billing:portal',
  group: 'Account',
  summary: "Print the link to an organisation's Stripe customer portal: cards, invoices, plan changes, cancellation (owners)",
  usage: 'billing:portal [--org <org>]',
  options: orgOption,
  examples: ['paddock billing:portal', 'paddock billing:portal --org acme --json'],
  async run(ctx, { values }) {
    const org = await orgName(ctx, values.org);
    const { url } = await ctx.api.json<BillingSession>('POST', `/v1/orgs/${encodeURIComponent(org)}/billing/portal`).catch(billingOff);
    ctx.out.data({ org, url }, () => ctx.out.line(`Manage billing on Stripe: ${url}`));
  },
});
