/**
 * Shopify deliveries → hub events. Pure. What happened is read from the
 * signed body only — an order's financial status, cancellation and refunds,
 * a customer's timestamps, a consent's state — and every event's dedup key
 * is built from signed body fields (order id + state, refund id, customer id
 * + `updated_at`), never from the unsigned `X-Shopify-Topic` /
 * `X-Shopify-Webhook-Id` headers: a genuine body resent under another topic
 * or with a fresh webhook id yields exactly the events it already yielded.
 * Bodies the hub does not map are acknowledged and listed in `ignored`.
 *
 * Extending the order lifecycle (fulfilled, cancelled, …) is one entry in
 * `orderFacts` and `ORDER_FACT_TYPES`.
 */
import type { HubEvent, HubEventType, Identity } from '../../events/hub-event.js';
import { normalizePhone, type CountryCode } from '../../domain/identity.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import { currencyCode, decimalToMinor, formatMoney } from '../shared/money.js';
import type {
  ShopifyAddress,
  ShopifyConsent,
  ShopifyCustomer,
  ShopifyDelivery,
  ShopifyCart,
  ShopifyCheckout,
  ShopifyEmailConsentUpdate,
  ShopifyFulfillment,
  ShopifyLineItem,
  ShopifyMoneySet,
  ShopifyOrder,
  ShopifyRefund,
  ShopifySmsConsentUpdate,
} from './schema.js';

export const CONNECTOR = 'shopify';

/** Kind of the hydration that fetches a refunded order's customer (the refund payload names none). */
export const REFUND_HYDRATION = 'refund';

/** Kind of the hydration that fetches a fulfilled order's customer (fulfillments/* name none). */
export const FULFILLMENT_HYDRATION = 'fulfillment';

type Money = { amountMinor: number; currency: string };
type LineItem = { sku?: string | undefined; name: string; quantity: number; unitPrice?: Money | undefined };
type Outcome = { events: HubEvent[]; ignored: string[]; hydrations?: HydrationRequest[] };

/**
 * What a signed order body says about the order. `placed`: it exists.
 * `paid`: its financial status says the money was captured (`paid`, or
 * `partially_refunded` / `refunded`, which Shopify reaches only from paid).
 * `cancelled`: `cancelled_at` is set — not a sale, whatever was placed (the
 * profile takes a counted order back out). `voided`: the authorization was
 * voided without a cancellation: nothing was ever sold, listed in `ignored`.
 * Shipments and pickups come from the order's `fulfillments`
 * (`fulfillmentEvents`), refunds from its `refunds`.
 */
export type OrderFact = 'placed' | 'paid' | 'cancelled' | 'voided';

/** The hub event of each fact; undefined → acknowledged and listed in `ignored`. */
const ORDER_FACT_TYPES: Readonly<Record<OrderFact, HubEventType | undefined>> = {
  placed: 'order.placed',
  paid: 'order.paid',
  cancelled: 'order.cancelled',
  voided: undefined,
};

const PAID_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);

/** The facts of an order body, from its own fields. A cancelled or voided order is only that: never revenue. */
const orderFacts = (order: ShopifyOrder): OrderFact[] => {
  const status = order.financial_status?.toLowerCase();
  if (present(order.cancelled_at)) return ['cancelled'];
  if (status === 'voided') return ['voided'];
  return status && PAID_STATUSES.has(status) ? ['placed', 'paid'] : ['placed'];
};

const present = (value: string | null | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/** Id from `gid://shopify/Order/820982911946154508` when the numeric id is missing. */
const gidTail = (gid: string | null | undefined): string | undefined => gid?.match(/\/(\d+)$/)?.[1];

const countryOf = (address: ShopifyAddress | null | undefined): CountryCode | undefined => {
  const code = address?.country_code?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? (code as CountryCode) : undefined;
};

/**
 * A phone from a Shopify address or customer, read in the address's own
 * country (a Canadian `613-555-0100` is not Ukrainian). Numbers that do not
 * parse are kept raw; build-event then drops them if they are unusable.
 */
const phoneIdentity = (raw: string | null | undefined, country: CountryCode | undefined): Identity | undefined => {
  const value = present(raw);
  if (!value) return undefined;
  return { type: 'phone', value: (country && normalizePhone(value, country)) || value };
};

const emailIdentity = (raw: string | null | undefined): Identity | undefined => {
  const value = present(raw);
  return value ? { type: 'email', value } : undefined;
};

const customerId = (customer: ShopifyCustomer | null | undefined): string | undefined =>
  customer ? customer.id || gidTail(customer.admin_graphql_api_id) : undefined;

const customerIdentities = (customer: ShopifyCustomer | null | undefined): (Identity | undefined)[] => {
  if (!customer) return [];
  const id = customerId(customer);
  return [
    emailIdentity(customer.email),
    phoneIdentity(customer.phone, countryOf(customer.default_address)),
    id ? { type: 'shopify', value: id } : undefined,
  ];
};

/** The buyer fields orders and checkouts share. */
type ShopifyBuyer = Pick<
  ShopifyOrder,
  'email' | 'contact_email' | 'phone' | 'customer' | 'billing_address' | 'shipping_address'
>;

/**
 * Who placed an order (or started a checkout): the order's email and phone, the customer account,
 * and the billing phone (the payer). The shipping phone is deliberately left
 * out: it belongs to whoever receives the parcel (often a gift recipient),
 * and linking it would merge two people.
 */
export const orderIdentities = (order: ShopifyBuyer): (Identity | undefined)[] => {
  const country =
    countryOf(order.billing_address) ?? countryOf(order.customer?.default_address) ?? countryOf(order.shipping_address);
  return [
    emailIdentity(order.email ?? order.contact_email),
    phoneIdentity(order.phone, country),
    ...customerIdentities(order.customer),
    phoneIdentity(order.billing_address?.phone, countryOf(order.billing_address) ?? country),
  ];
};

/** Shop-currency amount of a money set, falling back to the plain field in `currency`. */
const shopMoney = (
  set: ShopifyMoneySet | null | undefined,
  fallback: string | number | null | undefined,
  currency: string | undefined,
): Money | undefined => {
  const code = currencyCode(set?.shop_money?.currency_code) ?? currency;
  const amount = set?.shop_money?.amount ?? fallback;
  if (!code || amount === undefined || amount === null) return undefined;
  const amountMinor = decimalToMinor(amount, code);
  return amountMinor === undefined ? undefined : { amountMinor, currency: code };
};

const lineItem = (item: ShopifyLineItem, currency: string | undefined): LineItem | undefined => {
  if (!(item.quantity > 0)) return undefined;
  return {
    sku: present(item.sku),
    name: present(item.name) ?? present(item.title) ?? 'Item',
    quantity: item.quantity,
    unitPrice: shopMoney(item.price_set, item.price, currency),
  };
};

const itemCount = (items: readonly LineItem[]): string => {
  const n = items.reduce((sum, i) => sum + i.quantity, 0);
  return `${n} item${n === 1 ? '' : 's'}`;
};

const customerTraits = (customer: ShopifyCustomer | null | undefined) => ({
  firstName: present(customer?.first_name),
  lastName: present(customer?.last_name),
});

const orderName = (order: ShopifyOrder, orderId: string): string =>
  present(order.name) ??
  (order.order_number !== null && order.order_number !== undefined ? String(order.order_number) : orderId);

const orderTime = (order: ShopifyOrder, fact: OrderFact): string | undefined =>
  fromDateString(
    fact === 'cancelled'
      ? (order.cancelled_at ?? order.updated_at)
      : fact === 'paid'
        ? (order.updated_at ?? order.processed_at)
        : (order.created_at ?? order.processed_at),
  );

const ORDER_FACT_WORDS: Readonly<Record<OrderFact, string>> = {
  placed: 'placed',
  paid: 'paid',
  cancelled: 'cancelled',
  voided: 'voided',
};

/** What the order's refunds returned so far, in the order currency (what a cancellation does not take out twice). */
const refundedSoFar = (order: ShopifyOrder, currency: string): Money | undefined => {
  let sum = 0;
  for (const refund of order.refunds) {
    if (isTestRefund(refund)) continue;
    const amount = refundedAmount(refund, currency);
    if (amount && amount.currency === currency) sum += amount.amountMinor;
  }
  return sum > 0 ? { amountMinor: sum, currency } : undefined;
};

const normalizeOrder = (order: ShopifyOrder, delivery: ShopifyDelivery, ctx: NormalizeContext): Outcome => {
  const orderId = order.id || gidTail(order.admin_graphql_api_id) || '';
  const name = orderName(order, orderId);
  if (order.test) {
    return {
      events: [],
      ignored: [`order ${name} is a test order (test: true: Shopify's "Send test notification" or a test gateway)`],
    };
  }
  const currency = currencyCode(order.total_price_set?.shop_money?.currency_code) ?? currencyCode(order.currency);
  const total = shopMoney(order.total_price_set, order.total_price, currency);
  if (!total) return { events: [], ignored: [`order ${orderId}: no readable total_price/currency`] };
  const items = order.line_items.map((i) => lineItem(i, total.currency)).filter((i): i is LineItem => Boolean(i));
  const promoCodes = order.discount_codes.map((d) => d.code.trim()).filter(Boolean);
  const identities = orderIdentities(order);
  const outcome: Outcome = { events: [], ignored: [] };
  for (const fact of orderFacts(order)) {
    const type = ORDER_FACT_TYPES[fact];
    if (!type) {
      outcome.ignored.push(`order ${name}: payment voided, not a sale`);
      continue;
    }
    const cancelled = fact === 'cancelled';
    const event = buildEvent(
      {
        connector: CONNECTOR,
        providerEventId: `order:${orderId}:${fact}`,
        type,
        channel: 'ecommerce',
        occurredAt: orderTime(order, fact) ?? fromDateString(delivery.triggeredAt),
        identities,
        traits: customerTraits(order.customer),
        summary: `Order ${name} ${ORDER_FACT_WORDS[fact]}: ${formatMoney(total)}, ${itemCount(items)}${cancelled && present(order.cancel_reason) ? ` (${present(order.cancel_reason)})` : ''}`,
        data: {
          orderId,
          orderNumber: name,
          total,
          items,
          store: delivery.shopDomain,
          promoCodes: promoCodes.length ? promoCodes : undefined,
          ...(cancelled
            ? { refunded: refundedSoFar(order, total.currency), cancelReason: present(order.cancel_reason) }
            : {}),
        },
      },
      ctx,
    );
    if (event) outcome.events.push(event);
    else outcome.ignored.push(`order ${orderId} ${fact}: no usable customer identity (guest without email or phone)`);
  }
  for (const refund of order.refunds) {
    const result = refundFromOrder(refund, order, { orderId, name, total, identities }, delivery, ctx);
    if (typeof result === 'string') outcome.ignored.push(result);
    else outcome.events.push(result);
  }
  const known: KnownOrder = { orderId, name, total, items, identities, traits: customerTraits(order.customer) };
  for (const fulfillment of order.fulfillments) {
    const result = fulfillmentEvents(fulfillment, known, delivery.shopDomain, ctx);
    outcome.events.push(...result.events);
    outcome.ignored.push(...result.ignored);
  }
  return outcome;
};

/** What a lifecycle event repeats of its order, so it lands on the same order (connector + order id). */
export interface KnownOrder {
  readonly orderId: string;
  readonly name: string;
  readonly total: Money;
  readonly items: readonly LineItem[];
  readonly identities: (Identity | undefined)[];
  readonly traits: Record<string, string | undefined>;
}

/** A fulfillment's facts as the hub keeps them (`data.fulfillment`). */
const fulfillmentData = (f: ShopifyFulfillment) => ({
  id: f.id,
  method: present(f.service) === 'manual' || !present(f.service) ? 'shipment' : present(f.service),
  carrier: present(f.tracking_company),
  trackingNumber: present(f.tracking_number) ?? f.tracking_numbers?.find((n) => n.trim()),
  trackingUrl: present(f.tracking_url) ?? f.tracking_urls?.find((u) => u.trim()),
  location: f.location_id ? String(f.location_id) : undefined,
});

/** Fulfillment statuses that say nothing went out (yet, or at all). */
const NOT_SHIPPED = new Set(['pending', 'open', 'cancelled', 'error', 'failure']);

/**
 * The lifecycle events of one fulfillment, keyed on the fulfillment's own id
 * so that fulfillments/create, every fulfillments/update and every order
 * topic listing it collapse: `order.fulfilled` once it succeeded
 * (`fulfillment:<id>:fulfilled`), and `order.ready_for_pickup` when the
 * carrier says the parcel waits at a pickup point
 * (`fulfillment:<id>:ready_for_pickup`). Both carry the order's id, total
 * and buyer: they are the online order's lifecycle, never a new order.
 */
export const fulfillmentEvents = (
  f: ShopifyFulfillment,
  order: KnownOrder,
  store: string | undefined,
  ctx: NormalizeContext,
): { events: HubEvent[]; ignored: string[] } => {
  const status = f.status?.toLowerCase() ?? '';
  const label = present(f.name) ?? `${order.name} fulfillment ${f.id}`;
  if (NOT_SHIPPED.has(status))
    return { events: [], ignored: [`fulfillment ${label}: status ${status}, nothing handed over`] };
  const shipment = f.shipment_status?.toLowerCase();
  const facts: { fact: 'fulfilled' | 'ready_for_pickup'; type: HubEventType; at: string | null | undefined }[] = [
    { fact: 'fulfilled', type: 'order.fulfilled', at: f.created_at ?? f.updated_at },
    ...(shipment === 'ready_for_pickup'
      ? [
          {
            fact: 'ready_for_pickup' as const,
            type: 'order.ready_for_pickup' as const,
            at: f.updated_at ?? f.created_at,
          },
        ]
      : []),
  ];
  const data = fulfillmentData(f);
  const out = { events: [] as HubEvent[], ignored: [] as string[] };
  for (const { fact, type, at } of facts) {
    const via = [data.carrier, data.trackingNumber].filter(Boolean).join(' ');
    const event = buildEvent(
      {
        connector: CONNECTOR,
        providerEventId: `fulfillment:${f.id}:${fact}`,
        type,
        channel: 'ecommerce',
        occurredAt: fromDateString(at),
        identities: order.identities,
        traits: order.traits,
        summary:
          fact === 'fulfilled'
            ? `Order ${order.name} shipped${via ? ` (${via})` : ''}`
            : `Order ${order.name} is ready for pickup${data.carrier ? ` (${data.carrier})` : ''}`,
        data: {
          orderId: order.orderId,
          orderNumber: order.name,
          total: order.total,
          items: f.line_items.length
            ? f.line_items.map((i) => lineItem(i, order.total.currency)).filter((i): i is LineItem => Boolean(i))
            : [...order.items],
          store,
          fulfillment: { ...data, method: fact === 'ready_for_pickup' ? 'pickup' : data.method },
        },
      },
      ctx,
    );
    if (event) out.events.push(event);
    else out.ignored.push(`fulfillment ${label}: no usable customer identity`);
  }
  return out;
};

/** A refund is a test when every transaction it has ran on a test gateway. */
const isTestRefund = (refund: ShopifyRefund): boolean =>
  refund.transactions.length > 0 && refund.transactions.every((t) => t.test === true);

/** Items a refund returned, as line items in `currency`. */
const refundItems = (refund: ShopifyRefund, currency: string): LineItem[] =>
  refund.refund_line_items
    .map((line) => (line.line_item ? lineItem({ ...line.line_item, quantity: line.quantity }, currency) : undefined))
    .filter((i): i is LineItem => Boolean(i));

/**
 * An `order.refunded` from a refund inside an order body (orders/updated,
 * orders/paid, …): the order names the customer, so no fetch is needed. Its
 * dedup key is the refund id, the one refunds/create uses, so both paths
 * yield one event.
 */
const refundFromOrder = (
  refund: ShopifyRefund,
  order: ShopifyOrder,
  known: { orderId: string; name: string; total: Money; identities: (Identity | undefined)[] },
  delivery: ShopifyDelivery,
  ctx: NormalizeContext,
): HubEvent | string => {
  if (isTestRefund(refund)) return `refund ${refund.id} of order ${known.name}: test transactions only`;
  const refunded = refundedAmount(refund, known.total.currency);
  if (!refunded) return `refund ${refund.id}: no readable refund amount/currency`;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: refundEventId(refund),
      type: 'order.refunded',
      channel: 'ecommerce',
      occurredAt: fromDateString(refund.processed_at ?? refund.created_at) ?? fromDateString(delivery.triggeredAt),
      identities: known.identities,
      traits: customerTraits(order.customer),
      summary: `Order ${known.name} refunded: ${formatMoney(refunded)}`,
      data: {
        orderId: known.orderId,
        orderNumber: known.name,
        total: known.total,
        items: refundItems(refund, refunded.currency),
        store: delivery.shopDomain,
        refunded,
      },
    },
    ctx,
  );
  return event ?? `refund ${refund.id}: no usable customer identity`;
};

/** Dedup key of a refund, whichever delivery carries it (refunds/create, or an order's `refunds`). */
const refundEventId = (refund: Pick<ShopifyRefund, 'id'>): string => `refund:${refund.id}`;

/**
 * What a refund returned: the successful refund transactions when there are
 * any (what actually went back to the customer, shipping included), else the
 * refunded line items' subtotals plus tax (a refund recorded without a
 * transaction, e.g. restock only).
 */
const refundedAmount = (refund: ShopifyRefund, orderCurrency?: string): Money | undefined => {
  const shopCurrency =
    currencyCode(refund.refund_line_items[0]?.subtotal_set?.shop_money?.currency_code) ??
    currencyCode(refund.total_duties_set?.shop_money?.currency_code) ??
    currencyCode(orderCurrency);
  const transactions = refund.transactions.filter((t) => t.kind === 'refund' && t.status === 'success');
  if (transactions.length) {
    const currency = currencyCode(transactions[0]?.currency) ?? shopCurrency;
    if (!currency) return undefined;
    let sum = 0;
    for (const t of transactions) {
      const minor = decimalToMinor(t.amount, currencyCode(t.currency) ?? currency);
      if (minor === undefined) return undefined;
      sum += minor;
    }
    return { amountMinor: sum, currency };
  }
  if (!shopCurrency) return undefined;
  let sum = 0;
  for (const line of refund.refund_line_items) {
    sum += shopMoney(line.subtotal_set, line.subtotal, shopCurrency)?.amountMinor ?? 0;
    sum += shopMoney(line.total_tax_set, undefined, shopCurrency)?.amountMinor ?? 0;
  }
  return { amountMinor: sum, currency: shopCurrency };
};

/**
 * refunds/create names the order but no customer (no email, phone or
 * customer id), so the event can only be built after fetching the order:
 * the refund's own facts travel in the hydration request.
 */
const normalizeRefund = (refund: ShopifyRefund, delivery: ShopifyDelivery, ctx: NormalizeContext): Outcome => {
  if (isTestRefund(refund)) return { events: [], ignored: [`refund ${refund.id}: test transactions only`] };
  const refunded = refundedAmount(refund);
  if (!refunded) return { events: [], ignored: [`refund ${refund.id}: no readable refund amount/currency`] };
  const items = refundItems(refund, refunded.currency);
  const request: HydrationRequest = {
    connector: CONNECTOR,
    kind: REFUND_HYDRATION,
    params: {
      orderId: refund.order_id,
      refundId: refund.id,
      refundedMinor: refunded.amountMinor,
      currency: refunded.currency,
      ...(delivery.shopDomain ? { shopDomain: delivery.shopDomain } : {}),
      // Line items as JSON: hydration params are flat scalars.
      items: JSON.stringify(items.slice(0, 50)),
    },
    providerEventId: refundEventId(refund),
    occurredAt: fromDateString(refund.processed_at ?? refund.created_at) ?? fromDateString(delivery.triggeredAt),
    receivedAt: ctx.receivedAt,
  };
  return { events: [], ignored: [], hydrations: [request] };
};

/**
 * Created or updated, from the body: a customer whose `updated_at` is its
 * `created_at` has never changed since it was created (customers/create and
 * customers/update send the same payload, so the topic cannot tell).
 */
const customerEventType = (customer: ShopifyCustomer): 'contact.created' | 'contact.updated' => {
  const created = fromDateString(customer.created_at);
  return created !== undefined && created === fromDateString(customer.updated_at)
    ? 'contact.created'
    : 'contact.updated';
};

const normalizeCustomer = (customer: ShopifyCustomer, delivery: ShopifyDelivery, ctx: NormalizeContext): Outcome => {
  const id = customerId(customer) ?? '';
  const type = customerEventType(customer);
  const name = [present(customer.first_name), present(customer.last_name)].filter(Boolean).join(' ');
  const event = buildEvent(
    {
      connector: CONNECTOR,
      // The customer's state at updated_at: every delivery of that state has the same key.
      providerEventId: `customer:${id}:${customer.updated_at ?? 'unknown'}`,
      type,
      channel: 'ecommerce',
      occurredAt:
        fromDateString(type === 'contact.created' ? customer.created_at : customer.updated_at) ??
        fromDateString(delivery.triggeredAt),
      identities: customerIdentities(customer),
      traits: customerTraits(customer),
      summary: `Shop customer ${type === 'contact.created' ? 'created' : 'updated'}${name ? `: ${name}` : ''}`,
      data: { contactId: id },
    },
    ctx,
  );
  const result: Outcome = event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`customer ${id}: no usable identity`] };
  // Before API 2025-01 the customer carries its consent; 2025-01+ sends the consent topics instead.
  const emailConsent = customer.email_marketing_consent ?? legacyEmailConsent(customer);
  const email = consentEvent('email', emailConsent, id, customerIdentities(customer), ctx, delivery);
  const sms = consentEvent('sms', customer.sms_marketing_consent, id, customerIdentities(customer), ctx, delivery);
  for (const e of [email, sms]) if (e) result.events.push(e);
  return result;
};

/** `accepts_marketing` (before 2024-01) as a consent object. */
const legacyEmailConsent = (customer: ShopifyCustomer): ShopifyConsent | undefined =>
  typeof customer.accepts_marketing === 'boolean'
    ? {
        state: customer.accepts_marketing ? 'subscribed' : 'unsubscribed',
        consent_updated_at: customer.accepts_marketing_updated_at ?? null,
      }
    : undefined;

const CONSENT_STATES = { subscribed: 'consent.granted', unsubscribed: 'consent.revoked' } as const;

/**
 * A consent event for a definite state (`subscribed` / `unsubscribed`;
 * `pending`, `not_subscribed`, `invalid`, `redacted` and null say nothing
 * new). Its id is keyed on customer, channel, state and
 * `consent_updated_at`, not on the delivery: every customers/update repeats
 * the current consent, and only a real change may yield a new event.
 */
const consentEvent = (
  channel: 'email' | 'sms',
  consent: ShopifyConsent | null | undefined,
  id: string,
  identities: (Identity | undefined)[],
  ctx: NormalizeContext,
  delivery: ShopifyDelivery,
): HubEvent | undefined => {
  const state = consent?.state?.toLowerCase();
  if (!consent || !state || !Object.hasOwn(CONSENT_STATES, state)) return undefined;
  const type = CONSENT_STATES[state as keyof typeof CONSENT_STATES];
  return buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `customer:${id}:${channel}_consent:${state}:${consent.consent_updated_at ?? 'unknown'}`,
      type,
      channel,
      occurredAt: fromDateString(consent.consent_updated_at) ?? fromDateString(delivery.triggeredAt),
      identities,
      summary: `${channel === 'email' ? 'Email' : 'SMS'} marketing ${state} in the shop${consent.opt_in_level ? ` (${consent.opt_in_level})` : ''}`,
      data: { channel, purpose: 'marketing', reason: `Shopify ${channel}_marketing_consent: ${state}` },
    },
    ctx,
  );
};

const normalizeEmailConsent = (
  body: ShopifyEmailConsentUpdate,
  delivery: ShopifyDelivery,
  ctx: NormalizeContext,
): Outcome => {
  const event = consentEvent(
    'email',
    body.email_marketing_consent,
    body.customer_id,
    [emailIdentity(body.email_address), { type: 'shopify', value: body.customer_id }],
    ctx,
    delivery,
  );
  const state = body.email_marketing_consent?.state ?? 'null';
  return event
    ? { events: [event], ignored: [] }
    : {
        events: [],
        ignored: [`email consent of customer ${body.customer_id}: state ${state} is not an opt-in or opt-out`],
      };
};

const normalizeSmsConsent = (
  body: ShopifySmsConsentUpdate,
  delivery: ShopifyDelivery,
  ctx: NormalizeContext,
): Outcome => {
  const event = consentEvent(
    'sms',
    body.sms_marketing_consent,
    body.id,
    [phoneIdentity(body.phone, undefined), { type: 'shopify', value: body.id }],
    ctx,
    delivery,
  );
  const state = body.sms_marketing_consent?.state ?? 'null';
  return event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`SMS consent of customer ${body.id}: state ${state} is not an opt-in or opt-out`] };
};

/**
 * A checkout is the attempted purchase: `checkout.started` once per checkout
 * (`checkout:<token>:started`, the token an order's `checkout_token`
 * repeats) and a `cart.updated` per state of its contents
 * (`checkout:<token>:cart:<updated_at>`), so the abandoned-cart timer starts
 * for a buyer the shop can name and an order of hers stops it. A completed
 * checkout is its order's, and a checkout without an email, phone or
 * customer yet has nobody to remind: both are listed in `ignored`.
 */
const normalizeCheckout = (checkout: ShopifyCheckout, delivery: ShopifyDelivery, ctx: NormalizeContext): Outcome => {
  const label = `checkout ${checkout.token}`;
  if (present(checkout.completed_at))
    return { events: [], ignored: [`${label} was completed: its order is the purchase`] };
  const currency =
    currencyCode(checkout.total_price_set?.shop_money?.currency_code) ??
    currencyCode(checkout.presentment_currency) ??
    currencyCode(checkout.currency);
  const total = shopMoney(checkout.total_price_set, checkout.total_price, currency);
  if (!total) return { events: [], ignored: [`${label}: no readable total_price/currency`] };
  const items = checkout.line_items.map((i) => lineItem(i, total.currency)).filter((i): i is LineItem => Boolean(i));
  const promoCodes = checkout.discount_codes.map((d) => d.code.trim()).filter(Boolean);
  const identities = orderIdentities(checkout);
  const traits = customerTraits(checkout.customer);
  const cartId = present(checkout.cart_token) ?? checkout.token;
  const common = { connector: CONNECTOR, channel: 'ecommerce' as const, identities, traits };
  const started = buildEvent(
    {
      ...common,
      providerEventId: `checkout:${checkout.token}:started`,
      type: 'checkout.started',
      occurredAt: fromDateString(checkout.created_at) ?? fromDateString(delivery.triggeredAt),
      summary: `Checkout started: ${formatMoney(total)}, ${itemCount(items)}`,
      data: {
        checkoutId: checkout.token,
        cartId: present(checkout.cart_token),
        total,
        items,
        store: delivery.shopDomain,
        promoCodes: promoCodes.length ? promoCodes : undefined,
        recoveryUrl: present(checkout.abandoned_checkout_url),
      },
    },
    ctx,
  );
  if (!started)
    return { events: [], ignored: [`${label}: no email, phone or customer yet (nobody to attribute it to)`] };
  const cart = buildEvent(
    {
      ...common,
      providerEventId: `checkout:${checkout.token}:cart:${checkout.updated_at ?? checkout.created_at ?? 'unknown'}`,
      type: 'cart.updated',
      occurredAt: fromDateString(checkout.updated_at ?? checkout.created_at) ?? fromDateString(delivery.triggeredAt),
      summary: `Cart at checkout: ${formatMoney(total)}, ${itemCount(items)}`,
      data: { cartId, total, items },
    },
    ctx,
  );
  return { events: cart ? [started, cart] : [started], ignored: [] };
};

/** A cart names nobody: its checkout (which carries `cart_token` and the buyer) is the attempted purchase. */
const normalizeCart = (cart: ShopifyCart): Outcome => ({
  events: [],
  ignored: [
    `cart ${cart.token ?? cart.id}: a cart carries no email, phone or customer; its checkout (checkouts/create) is the attempted purchase`,
  ],
});

/**
 * fulfillments/create|update name the order but not its buyer: the order is
 * fetched (hydration `fulfillment`) and the events are the ones the order's
 * own `fulfillments` entry yields (`fulfillmentEvents`), with the same keys.
 */
const normalizeFulfillment = (f: ShopifyFulfillment, delivery: ShopifyDelivery, ctx: NormalizeContext): Outcome => {
  const orderId = f.order_id ? String(f.order_id) : undefined;
  if (!orderId) return { events: [], ignored: [`fulfillment ${f.id}: no order_id`] };
  const status = f.status?.toLowerCase() ?? '';
  if (NOT_SHIPPED.has(status))
    return { events: [], ignored: [`fulfillment ${present(f.name) ?? f.id}: status ${status}, nothing handed over`] };
  const request: HydrationRequest = {
    connector: CONNECTOR,
    kind: FULFILLMENT_HYDRATION,
    params: {
      orderId,
      ...(delivery.shopDomain ? { shopDomain: delivery.shopDomain } : {}),
      // The fulfillment as signed, for the hydrator to map once it knows the buyer (params are flat scalars).
      fulfillment: JSON.stringify(f),
    },
    providerEventId: `fulfillment:${f.id}:${status}:${f.shipment_status ?? 'none'}`,
    ...(fromDateString(f.updated_at ?? f.created_at)
      ? { occurredAt: fromDateString(f.updated_at ?? f.created_at) }
      : {}),
    receivedAt: ctx.receivedAt,
  };
  return { events: [], ignored: [], hydrations: [request] };
};

export const normalizeShopify = (delivery: ShopifyDelivery, ctx: NormalizeContext): NormalizeResult => {
  const { known } = delivery;
  if (!known)
    return {
      events: [],
      ignored: [`${delivery.topic ?? 'a delivery'}: ${delivery.unmapped ?? 'unknown body'} is not mapped`],
    };
  switch (known.kind) {
    case 'order':
      return normalizeOrder(known.body, delivery, ctx);
    case 'refund':
      return normalizeRefund(known.body, delivery, ctx);
    case 'customer':
      return normalizeCustomer(known.body, delivery, ctx);
    case 'emailConsent':
      return normalizeEmailConsent(known.body, delivery, ctx);
    case 'smsConsent':
      return normalizeSmsConsent(known.body, delivery, ctx);
    case 'checkout':
      return normalizeCheckout(known.body, delivery, ctx);
    case 'cart':
      return normalizeCart(known.body);
    case 'fulfillment':
      return normalizeFulfillment(known.body, delivery, ctx);
  }
};
