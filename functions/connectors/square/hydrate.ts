/**
 * Completes Square's thin notifications from the Square API (Bearer access
 * token): the customer behind a payment (`GET /v2/customers/{id}`), a new
 * or changed order (`GET /v2/orders/{id}`: placed, cancelled, ready for
 * pickup, completed) and the payment of a refund (`GET /v2/payments/{id}`). Runs in the hydrator, after Square got its 2xx.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { ValidationError } from '../../shared/errors.js';
import { validate } from '../shared/body.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { HydrateContext, HydrationRequest } from '../types.js';
import { formatMoney } from '../shared/money.js';
import {
  CONNECTOR,
  customerIdentities,
  customerTraits,
  HYDRATION,
  isInPerson,
  money,
  type SquareLifecycleFact,
  squareIdentity,
} from './normalize.js';
import {
  SquareCustomerSchema,
  SquareOrderSchema,
  SquarePaymentSchema,
  type SquareCustomer,
  type SquareOrder,
} from './schema.js';
import { vendorRequest } from '../shared/vendor-api.js';
import { SQUARE_API_BASE_URL } from './meta.js';

export { SQUARE_API_BASE_URL };
/** API version the responses are read in (pinned, so Square's upgrades don't change shapes under us). */
const SQUARE_API_VERSION = '2025-01-23';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** GET on the Square API; undefined for 404 (the object is gone, a retry cannot help). */
const squareGet = async (ctx: HydrateContext, path: string): Promise<Record<string, unknown> | undefined> => {
  const token = ctx.secrets.apiToken;
  if (!token)
    throw new Error(
      'Square hydration needs an access token (apiToken) with CUSTOMERS_READ, ORDERS_READ and PAYMENTS_READ',
    );
  const base = (ctx.secrets.apiBaseUrl || SQUARE_API_BASE_URL).replace(/\/+$/, '');
  const res = await ctx.fetch(
    `${base}${path}`,
    vendorRequest({
      headers: { Authorization: `Bearer ${token}`, 'Square-Version': SQUARE_API_VERSION, Accept: 'application/json' },
    }),
  );
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Square API answered ${res.status} for GET ${path}`);
  return (await res.json()) as Record<string, unknown>;
};

const fetchCustomer = async (ctx: HydrateContext, id: string): Promise<SquareCustomer | undefined> => {
  const json = await squareGet(ctx, `/v2/customers/${encodeURIComponent(id)}`);
  return json ? validate(SquareCustomerSchema, json.customer, `Square customer ${id}`) : undefined;
};

/**
 * `contact.updated` with the customer's phone and email next to `square:<id>`:
 * the purchase already on the profile under `square:<id>` then links to the
 * person's other channels. One event per customer version, however many
 * payments asked for it.
 */
const hydrateCustomer = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const id = text(request.params.customerId);
  if (!id) throw new ValidationError('Square customer hydration needs customerId');
  const customer = await fetchCustomer(ctx, id);
  if (!customer) return [];
  const name = [customer.given_name, customer.family_name].filter(Boolean).join(' ');
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `customer:${customer.id}:v${customer.version ?? customer.updated_at ?? '0'}`,
      type: 'contact.updated',
      channel: 'pos',
      occurredAt: fromDateString(customer.updated_at) ?? request.occurredAt,
      identities: customerIdentities(customer),
      traits: customerTraits(customer),
      summary: `Square customer details${name ? `: ${name}` : ''}`,
      data: { contactId: customer.id },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};

/** Everyone an order names: its customer account and the recipients of its fulfillments. */
const orderIdentities = async (order: SquareOrder, ctx: HydrateContext): Promise<(Identity | undefined)[]> => {
  const out: (Identity | undefined)[] = [squareIdentity(order.customer_id)];
  if (order.customer_id) {
    const customer = await fetchCustomer(ctx, order.customer_id);
    if (customer) out.push(...customerIdentities(customer));
  }
  for (const f of order.fulfillments) {
    const recipient = f.pickup_details?.recipient ?? f.shipment_details?.recipient ?? f.delivery_details?.recipient;
    if (!recipient) continue;
    out.push(squareIdentity(recipient.customer_id));
    if (recipient.email_address) out.push({ type: 'email', value: recipient.email_address });
    if (recipient.phone_number) out.push({ type: 'phone', value: recipient.phone_number });
  }
  return out;
};

const lineItems = (order: SquareOrder) =>
  order.line_items.flatMap((li) => {
    const quantity = Number(li.quantity);
    if (!(quantity > 0)) return [];
    const name = [li.name, li.variation_name].filter(Boolean).join(' — ') || 'Item';
    return [{ sku: li.catalog_object_id, name, quantity, unitPrice: money(li.base_price_money) }];
  });

/**
 * `order.placed` for an order placed online (it has a pickup, shipment or
 * delivery fulfillment, or is still open). An order created already
 * COMPLETED without fulfillments is a till sale: its payment is the
 * `purchase.completed`, and a second event would count it twice.
 */
const hydrateOrder = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const id = text(request.params.orderId);
  if (!id) throw new ValidationError('Square order hydration needs orderId');
  const json = await squareGet(ctx, `/v2/orders/${encodeURIComponent(id)}`);
  if (!json) return [];
  const order = validate(SquareOrderSchema, json.order, `Square order ${id}`);
  if (order.fulfillments.length === 0 && order.state === 'COMPLETED') return [];
  const total = money(order.total_money);
  if (!total) return [];
  const items = lineItems(order);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: request.providerEventId,
      type: 'order.placed',
      channel: 'ecommerce',
      occurredAt: fromDateString(order.created_at) ?? request.occurredAt,
      identities: await orderIdentities(order, ctx),
      summary: `Square order ${order.reference_id ?? order.id} placed: ${formatMoney(total)}, ${items.length} line${items.length === 1 ? '' : 's'}`,
      data: {
        orderId: order.id,
        orderNumber: order.reference_id,
        total,
        items,
        store: order.location_id,
      },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};

/** `order.refunded`, attributed to the buyer of the refunded payment. */
const hydrateRefund = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const paymentId = text(request.params.paymentId);
  const currency = text(request.params.currency);
  const amount = request.params.amount;
  if (!paymentId || !currency || typeof amount !== 'number')
    throw new ValidationError('Square refund hydration needs paymentId, amount and currency');
  const json = await squareGet(ctx, `/v2/payments/${encodeURIComponent(paymentId)}`);
  if (!json) return [];
  const payment = validate(SquarePaymentSchema, json.payment, `Square payment ${paymentId}`);
  const identities: (Identity | undefined)[] = [
    squareIdentity(payment.customer_id),
    payment.buyer_email_address ? { type: 'email', value: payment.buyer_email_address } : undefined,
  ];
  if (payment.customer_id) {
    const customer = await fetchCustomer(ctx, payment.customer_id);
    if (customer) identities.push(...customerIdentities(customer));
  }
  const refunded = { amountMinor: amount, currency };
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: request.providerEventId,
      type: 'order.refunded',
      channel: isInPerson(payment) ? 'pos' : 'ecommerce',
      occurredAt: request.occurredAt,
      identities,
      summary: `Square refund ${formatMoney(refunded)}${payment.receipt_number ? ` (receipt ${payment.receipt_number})` : ''}`,
      data: {
        // The refunded payment's order is the sale (an online order refunded at a till stays that order);
        // the refund's own order_id can name a return order Square made for an itemized refund.
        orderId: payment.order_id ?? text(request.params.orderId) ?? payment.id,
        orderNumber: payment.receipt_number,
        total: money(payment.total_money ?? payment.amount_money) ?? refunded,
        items: [],
        store: text(request.params.locationId) ?? payment.location_id,
        refunded,
      },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};

type Fulfillment = SquareOrder['fulfillments'][number];

/** `data.fulfillment` of a Square fulfillment: how it is handed over, tracking, where it waits. */
const fulfillmentData = (f: Fulfillment, locationId: string | undefined) => ({
  ...(f.uid ? { id: f.uid } : {}),
  method:
    f.type === 'PICKUP'
      ? 'pickup'
      : f.type === 'SHIPMENT'
        ? 'shipment'
        : f.type === 'DELIVERY'
          ? 'delivery'
          : f.type?.toLowerCase(),
  carrier: f.shipment_details?.carrier,
  trackingNumber: f.shipment_details?.tracking_number,
  trackingUrl: f.shipment_details?.tracking_url,
  ...(f.type === 'PICKUP' && locationId ? { location: locationId } : {}),
});

/** What the order's refunds returned (approved ones), so a cancellation does not take it out a second time. */
const refundedSoFar = (order: SquareOrder, currency: string) => {
  const minor = order.refunds
    .filter((r) => r.status === 'APPROVED' || r.status === 'COMPLETED')
    .reduce((sum, r) => sum + (money(r.amount_money)?.currency === currency ? r.amount_money.amount : 0), 0);
  return minor > 0 ? { amountMinor: minor, currency } : undefined;
};

const LIFECYCLE_TYPES = {
  cancelled: 'order.cancelled',
  ready_for_pickup: 'order.ready_for_pickup',
  fulfilled: 'order.fulfilled',
} as const;

/**
 * A step of an existing order (cancelled, ready for pickup, completed),
 * checked against the order as Square has it now and built on the same
 * order id as its `order.placed` / `order.paid`: the profile's order is
 * updated, never a new one counted. A `PREPARED` fulfillment is "ready for
 * pickup" only when it is a PICKUP (a prepared shipment is just packed); a
 * step the order no longer shows (a cancellation undone, a fulfillment gone)
 * yields nothing.
 */
const hydrateLifecycle = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const id = text(request.params.orderId);
  const fact = text(request.params.fact) as SquareLifecycleFact | undefined;
  if (!id || !fact || !Object.hasOwn(LIFECYCLE_TYPES, fact))
    throw new ValidationError('Square lifecycle hydration needs orderId and fact');
  const json = await squareGet(ctx, `/v2/orders/${encodeURIComponent(id)}`);
  if (!json) return [];
  const order = validate(SquareOrderSchema, json.order, `Square order ${id}`);
  const total = money(order.total_money);
  if (!total) return [];
  const uid = text(request.params.fulfillmentUid);
  const fulfillment = uid ? order.fulfillments.find((f) => f.uid === uid) : undefined;
  if (fact === 'cancelled' && order.state !== 'CANCELED') return [];
  if (fact !== 'cancelled' && !fulfillment) return [];
  if (fact === 'ready_for_pickup' && fulfillment?.type !== 'PICKUP') return [];
  const name = order.reference_id ?? order.id;
  const summary =
    fact === 'cancelled'
      ? `Square order ${name} cancelled: ${formatMoney(total)}`
      : fact === 'ready_for_pickup'
        ? `Square order ${name} is ready for pickup`
        : `Square order ${name} ${fulfillment?.type === 'PICKUP' ? 'picked up' : fulfillment?.type === 'SHIPMENT' ? 'shipped' : 'completed'}`;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: request.providerEventId,
      type: LIFECYCLE_TYPES[fact],
      channel: 'ecommerce',
      occurredAt: request.occurredAt,
      identities: await orderIdentities(order, ctx),
      summary,
      data: {
        orderId: order.id,
        orderNumber: order.reference_id,
        total,
        items: lineItems(order),
        store: order.location_id,
        ...(fulfillment ? { fulfillment: fulfillmentData(fulfillment, order.location_id) } : {}),
        ...(fact === 'cancelled' ? { refunded: refundedSoFar(order, total.currency) } : {}),
      },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};

const HYDRATORS: Record<string, (request: HydrationRequest, ctx: HydrateContext) => Promise<HubEvent[]>> = {
  [HYDRATION.customer]: hydrateCustomer,
  [HYDRATION.order]: hydrateOrder,
  [HYDRATION.refund]: hydrateRefund,
  [HYDRATION.lifecycle]: hydrateLifecycle,
};

export const hydrateSquare = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const hydrator = HYDRATORS[request.kind];
  if (!hydrator) throw new ValidationError(`Square cannot hydrate ${request.kind}`);
  return hydrator(request, ctx);
};
