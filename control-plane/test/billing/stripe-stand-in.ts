// A stateful stand-in for the few Stripe endpoints Paddock calls, for tests only: the real `stripe`
// SDK talks to it over HTTP (host/port/protocol options), so request encoding, responses, errors
// and pagination go through the SDK's own code. It keeps meters, products, prices (with lookup
// keys and their transfer), customers (with idempotency keys), subscriptions and sessions, and can
// be told to fail the next requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

type Obj = Record<string, unknown> & { id: string };

/** Stripe's form encoding (`a[b][0]=x`) into nested objects and arrays. */
export function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = out;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const name = part === '' ? String(Object.keys(node).length) : part;
      if (last) node[name] = value;
      else node = (node[name] ??= {}) as Record<string, unknown>;
    });
  }
  const arrays = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length && keys.every((k, i) => k === String(i))) return keys.map((k) => arrays(o[k]));
    return Object.fromEntries(keys.map((k) => [k, arrays(o[k])]));
  };
  return arrays(out) as Record<string, unknown>;
}

export class StripeStandIn {
  readonly meters = new Map<string, Obj>();
  readonly products = new Map<string, Obj>();
  readonly prices = new Map<string, Obj>();
  readonly customers = new Map<string, Obj>();
  readonly subscriptions = new Map<string, Obj>();
  readonly checkoutSessions: Obj[] = [];
  readonly portalSessions: Obj[] = [];
  readonly invoices: Obj[] = [];
  /** Meter events accepted, unique by identifier (Stripe refuses a second one with the same). */
  readonly meterEvents: Obj[] = [];
  /** Every request: `METHOD /path`. */
  readonly requests: string[] = [];
  private idempotent = new Map<string, Obj>();
  private failures = 0;
  private holds = new Map<string, () => void>();
  private seq = 0;
  private server!: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The real SDK, pointed here. */
  client(): InstanceType<typeof Stripe> {
    return new Stripe('sk_test_standin', { host: '127.0.0.1', port: this.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  }

  /** Resolves when `route` (`METHOD /path`) is next requested; that request is never answered. */
  hold(route: string): Promise<void> {
    return new Promise((resolve) => this.holds.set(route, resolve));
  }

  /** The next `n` requests answer 500. */
  failNext(n: number): void {
    this.failures = n;
  }

  count(prefix: string): number {
    return this.requests.filter((r) => r.startsWith(prefix)).length;
  }

  id(prefix: string): string {
    return `${prefix}_${(++this.seq).toString(36).padStart(8, '0')}`;
  }

  /** What Stripe does when a checkout is paid: a subscription for the customer on these prices. */
  subscribe(customer: string, lookupKeys: string[], status = 'active'): Obj {
    const created = Math.floor(Date.now() / 1000) + this.seq; // strictly increasing
    const items = lookupKeys.map((k) => {
      const price = [...this.prices.values()].find((p) => p.lookup_key === k && p.active);
      if (!price) throw new Error(`stand-in: no active price ${k}`);
      return { id: this.id('si'), object: 'subscription_item', price, current_period_end: created + 30 * 86400, current_period_start: created };
    });
    const sub: Obj = { id: this.id('sub'), object: 'subscription', customer, status, created, metadata: {}, items: { object: 'list', data: items, has_more: false, url: '/v1/subscription_items' } };
    this.subscriptions.set(sub.id, sub);
    return sub;
  }

  setStatus(subscription: string, status: string): Obj {
    const sub = this.subscriptions.get(subscription)!;
    sub.status = status;
    return sub;
  }

  /** A signed webhook delivery of an event about `object`, as Stripe would send it. */
  event(type: string, object: Obj, opts: { id?: string } = {}): { id: string; payload: string } {
    const id = opts.id ?? this.id('evt');
    const payload = JSON.stringify({ id, object: 'event', api_version: '2026-01-28', created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, type, data: { object: structuredClone(object) } });
    return { id, payload };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = req.method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(Buffer.concat(chunks).toString());
    const route = `${req.method} ${url.pathname}`;
    this.requests.push(route);
    const held = this.holds.get(route);
    if (held) {
      this.holds.delete(route);
      held();
      return;
    }
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': this.id('req') });
      res.end(JSON.stringify(data));
    };
    const missing = (what: string) => send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` } });
    const list = (data: Obj[], path: string) => send(200, { object: 'list', data, has_more: false, url: path });
    if (this.failures > 0) {
      this.failures--;
      send(500, { error: { type: 'api_error', message: 'stand-in: failing as told' } });
      return;
    }
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string' && req.method === 'POST' && this.idempotent.has(`${route} ${key}`)) {
      send(200, this.idempotent.get(`${route} ${key}`));
      return;
    }
    const remember = (o: Obj) => {
      if (typeof key === 'string') this.idempotent.set(`${route} ${key}`, o);
      send(200, o);
    };
    let m: RegExpExecArray | null;
    if (route === 'GET /v1/billing/meters') return list([...this.meters.values()], url.pathname);
    if (route === 'POST /v1/billing/meters') {
      if ([...this.meters.values()].some((x) => x.event_name === body.event_name)) {
        return send(400, { error: { type: 'invalid_request_error', message: 'An active meter with this event_name exists already' } });
      }
      const meter: Obj = { id: this.id('mtr'), object: 'billing.meter', status: 'active', ...body };
      this.meters.set(meter.id, meter);
      return remember(meter);
    }
    if ((m = /^POST \/v1\/billing\/meters\/([^/]+)\/reactivate$/.exec(route))) {
      const meter = this.meters.get(m[1]!);
      if (!meter) return missing('meter');
      meter.status = 'active';
      return send(200, meter);
    }
    if ((m = /^GET \/v1\/products\/([^/]+)$/.exec(route))) {
      const p = this.products.get(m[1]!);
      return p ? send(200, p) : missing(`product: '${m[1]}'`);
    }
    if (route === 'POST /v1/products') {
      const p: Obj = { object: 'product', active: true, ...body, id: String(body.id ?? this.id('prod')) };
      this.products.set(p.id, p);
      return remember(p);
    }
    if ((m = /^POST \/v1\/products\/([^/]+)$/.exec(route))) {
      const p = this.products.get(m[1]!);
      if (!p) return missing('product');
      Object.assign(p, body, body.active !== undefined ? { active: body.active === 'true' } : {});
      return send(200, p);
    }
    if (route === 'GET /v1/prices') {
      const keys = (body.lookup_keys as string[] | undefined) ?? [];
      const active = body.active === undefined ? undefined : body.active === 'true';
      return list([...this.prices.values()].filter((p) => (!keys.length || keys.includes(p.lookup_key as string)) && (active === undefined || p.active === active)), url.pathname);
    }
    if (route === 'POST /v1/prices') {
      const { transfer_lookup_key: transfer, ...fields } = body;
      const taken = [...this.prices.values()].find((p) => p.lookup_key === fields.lookup_key);
      if (taken && transfer !== 'true') return send(400, { error: { type: 'invalid_request_error', message: 'A price with this lookup_key exists already' } });
      if (taken) taken.lookup_key = null;
      const recurring = fields.recurring as Record<string, unknown> | undefined;
      const transform = fields.transform_quantity as Record<string, unknown> | undefined;
      const price: Obj = {
        object: 'price', active: true, ...fields, id: this.id('price'),
        unit_amount: fields.unit_amount !== undefined ? Number(fields.unit_amount) : null,
        unit_amount_decimal: fields.unit_amount_decimal ?? (fields.unit_amount !== undefined ? String(fields.unit_amount) : null),
        recurring: recurring ? { ...recurring, meter: recurring.meter ?? null } : null,
        transform_quantity: transform ? { divide_by: Number(transform.divide_by), round: transform.round } : null,
      };
      this.prices.set(price.id, price);
      return remember(price);
    }
    if ((m = /^POST \/v1\/prices\/([^/]+)$/.exec(route))) {
      const p = this.prices.get(m[1]!);
      if (!p) return missing('price');
      if (body.active !== undefined) p.active = body.active === 'true';
      return send(200, p);
    }
    if (route === 'POST /v1/customers') {
      const c: Obj = { id: this.id('cus'), object: 'customer', metadata: {}, ...body };
      this.customers.set(c.id, c);
      return remember(c);
    }
    if ((m = /^GET \/v1\/customers\/([^/]+)$/.exec(route))) {
      const c = this.customers.get(m[1]!);
      return c ? send(200, c) : missing('customer');
    }
    if (route === 'GET /v1/subscriptions') {
      const subs = [...this.subscriptions.values()].filter((s) => s.customer === body.customer && (body.status === 'all' || s.status === (body.status ?? 'active')));
      return list(subs.sort((a, b) => Number(b.created) - Number(a.created)), url.pathname);
    }
    if (route === 'POST /v1/checkout/sessions') {
      if (!this.customers.has(String(body.customer))) return missing('customer');
      const s: Obj = { id: this.id('cs'), object: 'checkout.session', ...body };
      s.url = `https://checkout.stripe.test/c/pay/${s.id}`;
      this.checkoutSessions.push(s);
      return remember(s);
    }
    if (route === 'GET /v1/invoices') {
      return list(this.invoices.filter((i) => i.customer === body.customer).sort((a, b) => Number(b.created) - Number(a.created)), url.pathname);
    }
    if (route === 'POST /v1/invoices/create_preview') {
      const sub = this.subscriptions.get(String(body.subscription));
      if (!sub || sub.customer !== body.customer) return missing('subscription');
      const items = (sub.items as { data: Array<{ price: Obj; current_period_end: number }> }).data;
      const due = items.reduce((sum, i) => sum + (i.price.recurring && (i.price.recurring as { usage_type: string }).usage_type === 'licensed' ? Number(i.price.unit_amount) : 0), 0);
      return send(200, { id: null, object: 'invoice', customer: body.customer, subscription: sub.id, status: 'draft', amount_due: due, total: due, currency: 'usd', period_end: items[0]!.current_period_end, next_payment_attempt: items[0]!.current_period_end, created: Math.floor(Date.now() / 1000) });
    }
    if (route === 'POST /v1/billing/meter_events') {
      if (this.meterEvents.some((e) => e.identifier === body.identifier)) {
        return send(400, { error: { type: 'invalid_request_error', message: `An event with identifier ${String(body.identifier)} already exists` } });
      }
      const e = { id: this.id('mev'), object: 'billing.meter_event', ...body } as Obj;
      this.meterEvents.push(e);
      return remember(e);
    }
    if (route === 'POST /v1/billing_portal/sessions') {
      if (!this.customers.has(String(body.customer))) return missing('customer');
      const s: Obj = { id: this.id('bps'), object: 'billing_portal.session', ...body };
      s.url = `https://billing.stripe.test/p/session/${s.id}`;
      this.portalSessions.push(s);
      return remember(s);
    }
    send(404, { error: { type: 'invalid_request_error', message: `stand-in: no route ${route}` } });
  }
}
