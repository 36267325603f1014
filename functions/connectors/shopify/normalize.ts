/**
 * Shopify deliveries → hub events. Pure. One topic per delivery (header
 * `X-Shopify-Topic`); topics the hub does not map are acknowledged and listed
 * in `ignored`.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { normalizePhone, type CountryCode } from '../../domain/identity.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import { currencyCode, decimalToMinor, formatMoney } from '../shared/money.js';
import type {
  ShopifyAddress,
  ShopifyConsent,
  ShopifyCustomer,
  ShopifyDelivery,
  ShopifyEmailConsentUpdate,
  ShopifyLineItem,
  ShopifyMoneySet,
  ShopifyOrder,
  ShopifyRefund,
  ShopifySmsConsentUpdate,
} from './schema.js';

export const CONNECTOR = 'shopify';

/** Kind of the hydration that fetches a refunded order's customer (the refund payload names none). */
export const REFUND_HYDRATION = 'refund';

type Money = { amountMinor: number; currency: string };
type LineItem = { sku?: string | undefined; name: string; quantity: number; unitPrice?: Money | undefined };
type Outcome = { events: HubEvent[]; ignored: string[]; hydrations?: HydrationRequest[] };

const ORDER_TOPIC_TYPES = { 'orders/create': 'order.placed', 'orders/paid': 'order.paid' } as const;

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

/**
 * Who placed an order: the order's email and phone, the customer account,
 * and the billing phone (the payer). The shipping phone is deliberately left
 * out: it belongs to whoever receives the parcel (often a gift recipient),
 * and linking it would merge two people.
 */
export const orderIdentities = (order: ShopifyOrder): (Identity | undefined)[] => {
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

const normalizeOrder = (
  topic: keyof typeof ORDER_TOPIC_TYPES,
  order: ShopifyOrder,
  delivery: ShopifyDelivery,
  ctx: NormalizeContext,
): Outcome => {
  const orderId = order.id || gidTail(order.admin_graphql_api_id) || '';
  const currency = currencyCode(order.total_price_set?.shop_money?.currency_code) ?? currencyCode(order.currency);
  const total = shopMoney(order.total_price_set, order.total_price, currency);
  if (!total) return { events: [], ignored: [`${topic} ${orderId}: no readable total_price/currency`] };
  const items = order.line_items.map((i) => lineItem(i, total.currency)).filter((i): i is LineItem => Boolean(i));
  const type = ORDER_TOPIC_TYPES[topic];
  const orderName =
    present(order.name) ??
    (order.order_number !== null && order.order_number !== undefined ? String(order.order_number) : undefined);
  const promoCodes = order.discount_codes.map((d) => d.code.trim()).filter(Boolean);
  const verb = type === 'order.paid' ? 'paid' : 'placed';
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: providerEventId(delivery, `${topic}:${orderId}`),
      type,
      channel: 'ecommerce',
      occurredAt:
        fromDateString(
          type === 'order.paid' ? (order.updated_at ?? order.processed_at) : (order.created_at ?? order.processed_at),
        ) ?? fromDateString(delivery.triggeredAt),
      identities: orderIdentities(order),
      traits: customerTraits(order.customer),
      summary: `Order ${orderName ?? orderId} ${verb}: ${formatMoney(total)}, ${itemCount(items)}`,
      data: {
        orderId,
        orderNumber: orderName,
        total,
        items,
        store: delivery.shopDomain,
        promoCodes: promoCodes.length ? promoCodes : undefined,
      },
    },
    ctx,
  );
  return event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`${topic} ${orderId}: no usable customer identity (guest without email or phone)`] };
};

/**
 * What a refund returned: the successful refund transactions when there are
 * any (what actually went back to the customer, shipping included), else the
 * refunded line items' subtotals plus tax (a refund recorded without a
 * transaction, e.g. restock only).
 */
export const refundedAmount = (refund: ShopifyRefund): Money | undefined => {
  const shopCurrency =
    currencyCode(refund.refund_line_items[0]?.subtotal_set?.shop_money?.currency_code) ??
    currencyCode(refund.total_duties_set?.shop_money?.currency_code);
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
  const refunded = refundedAmount(refund);
  if (!refunded) return { events: [], ignored: [`refunds/create ${refund.id}: no readable refund amount/currency`] };
  const items = refund.refund_line_items
    .map((line) => {
      const item = line.line_item
        ? lineItem({ ...line.line_item, quantity: line.quantity }, refunded.currency)
        : undefined;
      return item;
    })
    .filter((i): i is LineItem => Boolean(i));
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
    providerEventId: providerEventId(delivery, `refunds/create:${refund.id}`),
    occurredAt: fromDateString(refund.processed_at ?? refund.created_at) ?? fromDateString(delivery.triggeredAt),
    receivedAt: ctx.receivedAt,
  };
  return { events: [], ignored: [], hydrations: [request] };
};

const normalizeCustomer = (
  topic: 'customers/create' | 'customers/update',
  customer: ShopifyCustomer,
  delivery: ShopifyDelivery,
  ctx: NormalizeContext,
): Outcome => {
  const id = customerId(customer) ?? '';
  const type = topic === 'customers/create' ? 'contact.created' : 'contact.updated';
  const name = [present(customer.first_name), present(customer.last_name)].filter(Boolean).join(' ');
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: providerEventId(delivery, `${topic}:${id}:${customer.updated_at ?? ''}`),
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
    : { events: [], ignored: [`${topic} ${id}: no usable identity`] };
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
 * `X-Shopify-Webhook-Id` is identical across retries of one delivery, so it
 * is the dedup key. Without it (never seen from Shopify itself) the business
 * key keeps redeliveries idempotent anyway.
 */
const providerEventId = (delivery: ShopifyDelivery, fallback: string): string => delivery.webhookId ?? fallback;

export const normalizeShopify = (delivery: ShopifyDelivery, ctx: NormalizeContext): NormalizeResult => {
  const { known } = delivery;
  if (!known) return { events: [], ignored: [`unsupported topic: ${delivery.topic}`] };
  switch (known.topic) {
    case 'orders/create':
    case 'orders/paid':
      return normalizeOrder(known.topic, known.body, delivery, ctx);
    case 'refunds/create':
      return normalizeRefund(known.body, delivery, ctx);
    case 'customers/create':
    case 'customers/update':
      return normalizeCustomer(known.topic, known.body, delivery, ctx);
    case 'customers_email_marketing_consent/update':
      return normalizeEmailConsent(known.body, delivery, ctx);
    case 'customers_marketing_consent/update':
      return normalizeSmsConsent(known.body, delivery, ctx);
  }
};
