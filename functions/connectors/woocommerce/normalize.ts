/**
 * WooCommerce orders and customers → hub events. Pure. What happened is read
 * from the signed body — the order's `status`, its dates and its `refunds` —
 * and every dedup key is built from body fields (order id + fact, refund
 * id, customer id + `date_modified_gmt`), never from the unsigned
 * `X-WC-Webhook-Topic` / `X-WC-Webhook-Delivery-ID` headers: one genuine
 * body resent under another topic yields the events it already yielded.
 * Saving an order fires `order.updated` several times; each repeats the
 * same facts, so they collapse into the same event ids.
 */
import type { HubEvent, HubEventType, Identity } from '../../events/hub-event.js';
import { normalizePhone, type CountryCode } from '../../domain/identity.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import { currencyCode, decimalToMinor, formatMoney } from '../shared/money.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { WooAddress, WooCustomer, WooDelivery, WooLineItem, WooOrder } from './schema.js';

const CONNECTOR = 'woocommerce';

type Money = { amountMinor: number; currency: string };
type Item = { sku?: string | undefined; name: string; quantity: number; unitPrice?: Money | undefined };

/** What a status says about an order; WooCommerce's statuses, https://woocommerce.com/document/managing-orders/. */
export type WooOrderFact = 'checkout' | 'placed' | 'paid' | 'fulfilled' | 'cancelled';

const FACT_TYPES: Readonly<Record<WooOrderFact, HubEventType>> = {
  checkout: 'checkout.started',
  placed: 'order.placed',
  paid: 'order.paid',
  fulfilled: 'order.fulfilled',
  cancelled: 'order.cancelled',
};

const PAID_STATUSES = new Set(['processing', 'completed', 'refunded']);

/**
 * The facts of an order body. `checkout-draft` is the block checkout's
 * order-in-progress: an attempted purchase, not a sale. `failed` (the
 * payment failed) and `trash` are nothing; anything unknown (a plugin's
 * custom status) is at least placed.
 */
export const orderFacts = (order: Pick<WooOrder, 'status' | 'date_paid_gmt'>): WooOrderFact[] => {
  const status = order.status.toLowerCase();
  if (status === 'checkout-draft') return ['checkout'];
  if (status === 'cancelled') return ['cancelled'];
  if (status === 'failed' || status === 'trash') return [];
  const paid = PAID_STATUSES.has(status) || Boolean(order.date_paid_gmt);
  return ['placed', ...(paid ? (['paid'] as const) : []), ...(status === 'completed' ? (['fulfilled'] as const) : [])];
};

const present = (value: string | null | undefined): string | undefined => value?.trim() || undefined;

/** `_gmt` dates have no offset (`2017-03-22T19:28:02`): they are UTC. */
export const gmtDate = (value: string | null | undefined): string | undefined => {
  const text = present(value);
  if (!text) return undefined;
  return fromDateString(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`);
};

const countryOf = (address: WooAddress | null | undefined): CountryCode | undefined => {
  const code = present(address?.country)?.toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? (code as CountryCode) : undefined;
};

/** A billing phone read in the billing address's own country (a US `(555) 555-5555` is not Ukrainian). */
const phoneOf = (address: WooAddress | null | undefined): Identity | undefined => {
  const raw = present(address?.phone);
  if (!raw) return undefined;
  const country = countryOf(address);
  return { type: 'phone', value: (country && normalizePhone(raw, country)) || raw };
};

const customerIdentity = (id: string | undefined): Identity | undefined =>
  id && id !== '0' ? { type: 'woocommerce', value: id } : undefined;

/**
 * The buyer: billing email and phone and the store account (guests have
 * `customer_id: 0`). The shipping address belongs to whoever receives the
 * parcel, often someone else, so it is never an identity.
 */
const orderIdentities = (order: WooOrder): (Identity | undefined)[] => [
  present(order.billing?.email) ? { type: 'email', value: present(order.billing?.email) as string } : undefined,
  phoneOf(order.billing),
  customerIdentity(order.customer_id),
];

const money = (amount: string | number | null | undefined, currency: string): Money | undefined => {
  if (amount === null || amount === undefined) return undefined;
  const minor = decimalToMinor(typeof amount === 'number' ? amount : amount.trim().replace(/^-/, ''), currency);
  return minor === undefined ? undefined : { amountMinor: minor, currency };
};

const lineItem = (item: WooLineItem, currency: string): Item | undefined =>
  item.quantity > 0
    ? {
        sku: present(item.sku),
        name:
          present(item.name)
            ?.replace(/&ndash;/g, '–')
            .replace(/&amp;/g, '&') ?? 'Item',
        quantity: item.quantity,
        unitPrice: money(item.price, currency),
      }
    : undefined;

const itemCount = (items: readonly Item[]): string => {
  const n = items.reduce((sum, i) => sum + i.quantity, 0);
  return `${n} item${n === 1 ? '' : 's'}`;
};

const nameTraits = (address: WooAddress | null | undefined, first?: string | null, last?: string | null) => ({
  firstName: present(first) ?? present(address?.first_name),
  lastName: present(last) ?? present(address?.last_name),
});

const FACT_WORDS: Readonly<Record<Exclude<WooOrderFact, 'checkout'>, string>> = {
  placed: 'placed',
  paid: 'paid',
  fulfilled: 'completed',
  cancelled: 'cancelled',
};

const factTime = (order: WooOrder, fact: WooOrderFact): string | undefined => {
  switch (fact) {
    case 'checkout':
    case 'placed':
      return gmtDate(order.date_created_gmt);
    case 'paid':
      return gmtDate(order.date_paid_gmt) ?? gmtDate(order.date_modified_gmt);
    case 'fulfilled':
      return gmtDate(order.date_completed_gmt) ?? gmtDate(order.date_modified_gmt);
    case 'cancelled':
      return gmtDate(order.date_modified_gmt);
  }
};

type Outcome = { events: HubEvent[]; ignored: string[] };

const normalizeOrder = (order: WooOrder, store: string | undefined, ctx: NormalizeContext): Outcome => {
  const name = `#${present(order.number ?? undefined) ?? order.id}`;
  const currency = currencyCode(order.currency);
  const total = currency ? money(order.total, currency) : undefined;
  if (!currency || !total) return { events: [], ignored: [`order ${name}: no readable total/currency`] };
  const items = order.line_items.map((i) => lineItem(i, currency)).filter((i): i is Item => Boolean(i));
  const promoCodes = order.coupon_lines.map((c) => c.code.trim()).filter(Boolean);
  const identities = orderIdentities(order);
  const traits = nameTraits(order.billing);
  const refunds = order.refunds.map((r) => ({ id: r.id, reason: present(r.reason), amount: money(r.total, currency) }));
  const refundedSoFar = refunds.reduce((sum, r) => sum + (r.amount?.amountMinor ?? 0), 0);
  const out: Outcome = { events: [], ignored: [] };
  const facts = orderFacts(order);
  if (facts.length === 0) out.ignored.push(`order ${name} is ${order.status}: not a sale`);
  for (const fact of facts) {
    const type = FACT_TYPES[fact];
    const base = { orderId: order.id, orderNumber: name, total, items, store };
    const data =
      type === 'checkout.started'
        ? { checkoutId: order.id, total, items, store, promoCodes: promoCodes.length ? promoCodes : undefined }
        : {
            ...base,
            promoCodes: promoCodes.length ? promoCodes : undefined,
            ...(fact === 'cancelled' && refundedSoFar > 0
              ? { refunded: { amountMinor: refundedSoFar, currency } }
              : {}),
          };
    const event = buildEvent(
      {
        connector: CONNECTOR,
        providerEventId: `order:${order.id}:${fact}`,
        type,
        channel: 'ecommerce',
        occurredAt: factTime(order, fact),
        identities,
        traits,
        summary:
          fact === 'checkout'
            ? `Checkout started: ${formatMoney(total)}, ${itemCount(items)} (draft order ${name})`
            : `Order ${name} ${FACT_WORDS[fact as Exclude<WooOrderFact, 'checkout'>]}: ${formatMoney(total)}, ${itemCount(items)}`,
        data,
      },
      ctx,
    );
    if (event) out.events.push(event);
    else out.ignored.push(`order ${name} ${fact}: no usable customer identity (guest without email or phone)`);
  }
  for (const refund of refunds) {
    if (!refund.amount) {
      out.ignored.push(`refund ${refund.id} of order ${name}: no readable total`);
      continue;
    }
    const event = buildEvent(
      {
        connector: CONNECTOR,
        // The refund's own id: every later order.updated that lists it again is the same event.
        providerEventId: `refund:${refund.id}`,
        type: 'order.refunded',
        channel: 'ecommerce',
        occurredAt: gmtDate(order.date_modified_gmt),
        identities,
        traits,
        summary: `Order ${name} refunded: ${formatMoney(refund.amount)}${refund.reason ? ` (${refund.reason})` : ''}`,
        data: { orderId: order.id, orderNumber: name, total, items: [], store, refunded: refund.amount },
      },
      ctx,
    );
    if (event) out.events.push(event);
    else out.ignored.push(`refund ${refund.id} of order ${name}: no usable customer identity`);
  }
  return out;
};

/** A store account that changed again within a minute of its creation is still reported as created. */
const CREATED_WITHIN_MS = 60_000;

const normalizeCustomer = (customer: WooCustomer, ctx: NormalizeContext): Outcome => {
  const created = gmtDate(customer.date_created_gmt);
  const modified = gmtDate(customer.date_modified_gmt);
  const isNew = created !== undefined && (!modified || Date.parse(modified) - Date.parse(created) <= CREATED_WITHIN_MS);
  const email = present(customer.email) ?? present(customer.billing?.email);
  const traits = nameTraits(customer.billing, customer.first_name, customer.last_name);
  const name = [traits.firstName, traits.lastName].filter(Boolean).join(' ');
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `customer:${customer.id}:${customer.date_modified_gmt ?? customer.date_created_gmt ?? 'unknown'}`,
      type: isNew ? 'contact.created' : 'contact.updated',
      channel: 'ecommerce',
      occurredAt: isNew ? created : (modified ?? created),
      identities: [
        email ? { type: 'email', value: email } : undefined,
        phoneOf(customer.billing),
        customerIdentity(customer.id),
      ],
      traits,
      summary: `Shop customer ${isNew ? 'created' : 'updated'}${name ? `: ${name}` : ''}`,
      data: { contactId: customer.id },
    },
    ctx,
  );
  return event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`customer ${customer.id}: no usable identity`] };
};

export const normalizeWooCommerce = (delivery: WooDelivery, ctx: NormalizeContext): NormalizeResult => {
  switch (delivery.kind) {
    case 'ping':
      return { events: [], ignored: [`ping of webhook ${delivery.webhookId} (sent when the webhook is saved)`] };
    case 'order':
      return normalizeOrder(delivery.order, delivery.source, ctx);
    case 'customer':
      return normalizeCustomer(delivery.customer, ctx);
    case 'other':
      return { events: [], ignored: [`${delivery.what} is not mapped`] };
  }
};
