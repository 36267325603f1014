/**
 * Square notifications → hub events. Pure. Square is both an online
 * checkout and a till, so a completed payment becomes `purchase.completed`
 * (channel `pos`) when the card was present or it was cash, and `order.paid`
 * (channel `ecommerce`) otherwise. Thin notifications (order.created,
 * refunds, and the customer behind a payment) are completed by `hydrate`.
 */
import type { Channel, HubEvent, Identity } from '../../events/hub-event.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import { formatMoney } from '../shared/money.js';
import type {
  SquareCustomer,
  SquareEnvelope,
  SquareMoney,
  SquareNotification,
  SquarePayment,
  SquareRefund,
  SquareOrderCreated,
  SquareOrderFulfillmentUpdated,
  SquareOrderUpdated,
} from './schema.js';

export const CONNECTOR = 'square';

/** Hydration kinds: what `hydrate` fetches. */
export const HYDRATION = { customer: 'customer', order: 'order', refund: 'refund', lifecycle: 'lifecycle' } as const;

/** A step of an existing order's lifecycle, carried in the `lifecycle` hydration's `fact`. */
export type SquareLifecycleFact = 'cancelled' | 'ready_for_pickup' | 'fulfilled';

/** Card entry methods that need the card at a reader (EMV chip, tap, swipe); KEYED and ON_FILE are remote. */
const IN_PERSON_ENTRY_METHODS = new Set(['EMV', 'CONTACTLESS', 'SWIPED']);

type Outcome = { events: HubEvent[]; ignored: string[]; hydrations: HydrationRequest[] };
const none = (reason: string): Outcome => ({ events: [], ignored: [reason], hydrations: [] });

/** Card present or cash: a sale at a Square till. */
export const isInPerson = (payment: Pick<SquarePayment, 'source_type' | 'card_details'>): boolean =>
  payment.source_type === 'CASH' || IN_PERSON_ENTRY_METHODS.has(payment.card_details?.entry_method ?? '');

export const money = (m: SquareMoney | undefined): { amountMinor: number; currency: string } | undefined =>
  m && /^[A-Za-z]{3}$/.test(m.currency) ? { amountMinor: m.amount, currency: m.currency.toUpperCase() } : undefined;

export const squareIdentity = (customerId: string | undefined): Identity | undefined =>
  customerId ? { type: 'square', value: customerId } : undefined;

export const customerIdentities = (customer: SquareCustomer): (Identity | undefined)[] => [
  squareIdentity(customer.id),
  customer.phone_number ? { type: 'phone', value: customer.phone_number } : undefined,
  customer.email_address ? { type: 'email', value: customer.email_address } : undefined,
];

export const customerTraits = (customer: SquareCustomer) => ({
  firstName: customer.given_name,
  lastName: customer.family_name,
});

/** Fetch of the customer's email and phone, so a payment known only by `customer_id` links to the profile. */
const customerHydration = (customerId: string, ctx: NormalizeContext, occurredAt?: string): HydrationRequest => ({
  connector: CONNECTOR,
  kind: HYDRATION.customer,
  params: { customerId },
  providerEventId: `customer:${customerId}`,
  ...(occurredAt ? { occurredAt } : {}),
  receivedAt: ctx.receivedAt,
});

/**
 * A COMPLETED payment. Its id is the payment's, not the notification's:
 * payment.created (already COMPLETED for in-person sales) and every later
 * payment.updated (tips, refunds change `refunded_money`) of the same
 * payment collapse into one purchase.
 */
const normalizePayment = (payment: SquarePayment, envelope: SquareEnvelope, ctx: NormalizeContext): Outcome => {
  if (payment.status !== 'COMPLETED')
    return none(`payment ${payment.id}: status ${payment.status} (only COMPLETED payments are purchases)`);
  const total = money(payment.total_money ?? payment.amount_money);
  if (!total) return none(`payment ${payment.id}: no total_money`);
  const inPerson = isInPerson(payment);
  const channel: Channel = inPerson ? 'pos' : 'ecommerce';
  const occurredAt = fromDateString(payment.updated_at) ?? fromDateString(envelope.created_at);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `payment:${payment.id}:completed`,
      type: inPerson ? 'purchase.completed' : 'order.paid',
      channel,
      occurredAt,
      identities: [
        squareIdentity(payment.customer_id),
        payment.buyer_email_address ? { type: 'email', value: payment.buyer_email_address } : undefined,
      ],
      summary: `${inPerson ? 'In-store' : 'Online'} payment ${formatMoney(total)} completed${payment.receipt_number ? ` (receipt ${payment.receipt_number})` : ''}`,
      data: {
        orderId: payment.order_id ?? payment.id,
        orderNumber: payment.receipt_number,
        total,
        items: [],
        store: payment.location_id,
      },
    },
    ctx,
  );
  if (!event) return none(`payment ${payment.id}: no customer_id or buyer_email_address to attribute it to`);
  const hydrations = payment.customer_id ? [customerHydration(payment.customer_id, ctx, occurredAt)] : [];
  return { events: [event], ignored: [], hydrations };
};

/** A COMPLETED refund names its payment only; the buyer is found through it. */
const normalizeRefund = (refund: SquareRefund, envelope: SquareEnvelope, ctx: NormalizeContext): Outcome => {
  if (refund.status !== 'COMPLETED')
    return none(`refund ${refund.id}: status ${refund.status} (only COMPLETED refunds are recorded)`);
  if (!refund.payment_id) return none(`refund ${refund.id}: no payment_id to find the customer by`);
  const amount = money(refund.amount_money);
  if (!amount) return none(`refund ${refund.id}: no amount_money`);
  return {
    events: [],
    ignored: [],
    hydrations: [
      {
        connector: CONNECTOR,
        kind: HYDRATION.refund,
        params: {
          refundId: refund.id,
          paymentId: refund.payment_id,
          amount: amount.amountMinor,
          currency: amount.currency,
          ...(refund.order_id ? { orderId: refund.order_id } : {}),
          ...(refund.location_id ? { locationId: refund.location_id } : {}),
        },
        providerEventId: `refund:${refund.id}:completed`,
        ...(fromDateString(refund.updated_at ?? envelope.created_at)
          ? { occurredAt: fromDateString(refund.updated_at ?? envelope.created_at) }
          : {}),
        receivedAt: ctx.receivedAt,
      },
    ],
  };
};

/** order.created names the order only; `hydrate` fetches its customer, total and line items. */
const normalizeOrderCreated = (order: SquareOrderCreated, envelope: SquareEnvelope, ctx: NormalizeContext): Outcome => {
  const occurredAt = fromDateString(order.created_at ?? envelope.created_at);
  return {
    events: [],
    ignored: [],
    hydrations: [
      {
        connector: CONNECTOR,
        kind: HYDRATION.order,
        params: { orderId: order.order_id, ...(order.location_id ? { locationId: order.location_id } : {}) },
        providerEventId: `order:${order.order_id}:created`,
        ...(occurredAt ? { occurredAt } : {}),
        receivedAt: ctx.receivedAt,
      },
    ],
  };
};

/** A `lifecycle` hydration: the order is fetched (its buyer, total and fulfillments), then the event is built. */
const lifecycleHydration = (
  order: SquareOrderUpdated,
  fact: SquareLifecycleFact,
  providerEventId: string,
  ctx: NormalizeContext,
  fulfillmentUid?: string,
): HydrationRequest => {
  const occurredAt = fromDateString(order.updated_at ?? order.created_at);
  return {
    connector: CONNECTOR,
    kind: HYDRATION.lifecycle,
    params: {
      orderId: order.order_id,
      fact,
      ...(fulfillmentUid ? { fulfillmentUid } : {}),
      ...(order.location_id ? { locationId: order.location_id } : {}),
    },
    providerEventId,
    ...(occurredAt ? { occurredAt } : {}),
    receivedAt: ctx.receivedAt,
  };
};

/**
 * order.updated matters once the order is `CANCELED`: `order.cancelled` on
 * the same order id (the profile takes a counted order back out). Other
 * states say nothing new: `OPEN` was the order.created, and `COMPLETED` is
 * told per fulfillment (order.fulfillment.updated) or is a till sale whose
 * payment is the purchase.
 */
const normalizeOrderUpdated = (order: SquareOrderUpdated, ctx: NormalizeContext): Outcome =>
  order.state === 'CANCELED'
    ? {
        events: [],
        ignored: [],
        hydrations: [lifecycleHydration(order, 'cancelled', `order:${order.order_id}:cancelled`, ctx)],
      }
    : none(`order.updated ${order.order_id}: state ${order.state ?? 'unknown'} (only CANCELED is a lifecycle step)`);

/**
 * order.fulfillment.updated: a fulfillment `PREPARED` is ready for pickup
 * (the hydrator checks it is a PICKUP fulfillment), one `COMPLETED` was
 * picked up, shipped or delivered. Keyed on order + fulfillment uid + step,
 * so the notifications of one transition collapse; other transitions
 * (`RESERVED`, `CANCELED`, `FAILED`) are listed in `ignored`.
 */
const normalizeFulfillmentUpdated = (order: SquareOrderFulfillmentUpdated, ctx: NormalizeContext): Outcome => {
  const out: Outcome = { events: [], ignored: [], hydrations: [] };
  for (const update of order.fulfillment_update) {
    const fact: SquareLifecycleFact | undefined =
      update.new_state === 'PREPARED' ? 'ready_for_pickup' : update.new_state === 'COMPLETED' ? 'fulfilled' : undefined;
    if (!fact || update.old_state === update.new_state) {
      out.ignored.push(
        `order ${order.order_id} fulfillment ${update.fulfillment_uid}: ${update.old_state ?? 'new'} → ${update.new_state ?? '?'} is no lifecycle step`,
      );
      continue;
    }
    out.hydrations.push(
      lifecycleHydration(
        order,
        fact,
        `order:${order.order_id}:fulfillment:${update.fulfillment_uid}:${fact}`,
        ctx,
        update.fulfillment_uid,
      ),
    );
  }
  return out;
};

const normalizeCustomer = (customer: SquareCustomer, envelope: SquareEnvelope, ctx: NormalizeContext): Outcome => {
  const created = envelope.type === 'customer.created';
  const name = [customer.given_name, customer.family_name].filter(Boolean).join(' ');
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: envelope.event_id,
      type: created ? 'contact.created' : 'contact.updated',
      channel: 'pos',
      occurredAt:
        fromDateString(created ? customer.created_at : customer.updated_at) ?? fromDateString(envelope.created_at),
      identities: customerIdentities(customer),
      traits: customerTraits(customer),
      summary: `Square customer ${created ? 'created' : 'updated'}${name ? `: ${name}` : ''}`,
      data: { contactId: customer.id },
    },
    ctx,
  );
  return event ? { events: [event], ignored: [], hydrations: [] } : none(`customer ${customer.id}: no usable identity`);
};

export const normalizeSquare = ({ envelope, resource }: SquareNotification, ctx: NormalizeContext): NormalizeResult => {
  const { type } = envelope;
  if ((type === 'payment.created' || type === 'payment.updated') && resource.kind === 'payment')
    return normalizePayment(resource.payment, envelope, ctx);
  if ((type === 'refund.created' || type === 'refund.updated') && resource.kind === 'refund')
    return normalizeRefund(resource.refund, envelope, ctx);
  if (type === 'order.created' && resource.kind === 'order_created')
    return normalizeOrderCreated(resource.order, envelope, ctx);
  if (type === 'order.updated' && resource.kind === 'order_updated') return normalizeOrderUpdated(resource.order, ctx);
  if (type === 'order.fulfillment.updated' && resource.kind === 'order_fulfillment_updated')
    return normalizeFulfillmentUpdated(resource.order, ctx);
  if ((type === 'customer.created' || type === 'customer.updated') && resource.kind === 'customer')
    return normalizeCustomer(resource.customer, envelope, ctx);
  return none(`unsupported event type: ${type} (${envelope.event_id})`);
};
