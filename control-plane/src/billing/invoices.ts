// An organisation's invoices as Stripe holds them: the upcoming one (a preview of the current
// subscription's next invoice) and the recent ones, with links to Stripe's hosted page and PDF.
// Read live from Stripe; when Stripe does not answer the billing summary says so (null) rather
// than failing, since plan and usage are known without it.
import type Stripe from 'stripe';
import type { Platform } from '../platform/platform.js';
import type { Billing } from './stripe.js';

export interface InvoiceOut {
  id: string;
  number: string | null;
  status: string | null;
  totalCents: number;
  currency: string;
  created: string;
  hostedUrl: string | null;
  pdfUrl: string | null;
}

export interface Invoices {
  upcoming: { amountDueCents: number; currency: string; date: string | null } | null;
  past: InvoiceOut[];
}

const iso = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);

export async function invoicesOf(platform: Platform, billing: Billing, customerId: string, subscriptionId: string | null): Promise<Invoices | null> {
  try {
    const [list, preview] = await Promise.all([
      billing.stripe.invoices.list({ customer: customerId, limit: 12 }),
      subscriptionId ? billing.stripe.invoices.createPreview({ customer: customerId, subscription: subscriptionId }) : Promise.resolve(null),
    ]);
    return {
      upcoming: preview ? { amountDueCents: preview.amount_due, currency: preview.currency, date: iso(preview.next_payment_attempt ?? preview.period_end) } : null,
      past: list.data.filter((i: Stripe.Invoice) => i.status !== 'draft').map((i: Stripe.Invoice) => ({
        id: i.id ?? '',
        number: i.number,
        status: i.status,
        totalCents: i.total,
        currency: i.currency,
        created: iso(i.created)!,
        hostedUrl: i.hosted_invoice_url ?? null,
        pdfUrl: i.invoice_pdf ?? null,
      })),
    };
  } catch (err) {
    platform.logger.warn({ err, customerId }, 'could not read invoices from Stripe');
    return null;
  }
}
