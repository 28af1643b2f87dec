// `paddock-control-plane billing:sync`: puts the plans for sale into Stripe (products, flat
// prices, Billing Meters and their prices), creating what is missing and replacing prices whose
// amount changed; a second run changes nothing. Needs no database: Stripe is the only party.
import type { Writable } from 'node:stream';
import type { Config } from '../config.js';
import { syncCatalogue } from './catalogue.js';
import Stripe from 'stripe';
import type { StripeClient } from './stripe.js';

export async function billingSync(config: Config, out: Writable, err: Writable, stripe?: StripeClient): Promise<number> {
  if (!config.stripeSecretKey) {
    err.write('Billing is off: PADDOCK_STRIPE_SECRET_KEY is not set, so there is nothing to sync. Set it (and PADDOCK_STRIPE_WEBHOOK_SECRET) to turn billing on.\n');
    return 2;
  }
  const client = stripe ?? new Stripe(config.stripeSecretKey, { maxNetworkRetries: 2 });
  try {
    const report = await syncCatalogue(client, (line) => out.write(`${line}\n`));
    out.write(`Stripe catalogue in sync: ${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged.\n`);
    return 0;
  } catch (e) {
    err.write(`Syncing the plans to Stripe failed: ${e instanceof Error ? e.message : String(e)}\nNothing is left half-done that a second run would not finish; run \`paddock-control-plane billing:sync\` again.\n`);
    return 1;
  }
}
