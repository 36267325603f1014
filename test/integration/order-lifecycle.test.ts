/**
 * Attempted purchases and the order lifecycle end to end on the local hub
 * (DynamoDB Local, the local bus and queues, the real HTTP surface), with a
 * fake Square API for the thin Square notifications:
 *
 * - a Shopify checkout reaches the abandoned-cart timer (its `cart.updated`)
 *   and becomes `cart.abandoned` when no order follows; an order of the same
 *   buyer within the wait cancels it;
 * - a Shopify order shipped, then cancelled, stays one order in the profile
 *   (same order id), and the cancellation takes it out of the lifetime value;
 * - a Square online pickup order placed, paid, ready for pickup, picked up
 *   and refunded at the till is one order whose refund lowers her net revenue.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLosslessJson } from '../../functions/connectors/shopify/schema.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

/** Three seconds: `OMNIHUB_ABANDONED_CART_HOURS` as the test injects it. */
const CART_WAIT_HOURS = 3 / 3600;
const SQUARE_TOKEN = 'EAAA-square-lifecycle-test';
const ORDER_ID = 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY';
const FULFILLMENT_UID = 'VWJ1N9leLqjSDLvF2hvYjD';

const text = (connector: string, file: string) =>
  readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8');
/** Shopify bodies keep their 18-digit ids exact (JSON.parse would round them). */
const shopify = (file: string) => parseLosslessJson(text('shopify', file)) as Record<string, unknown>;
const square = (file: string) => JSON.parse(text('square', file)) as any;

/** The fake Square API: the order's state moves as the test goes (`order.fulfillments[0].state`, `order.state`). */
const squareOrder = {
  id: ORDER_ID,
  location_id: 'FPYCBCHYMXFK1',
  reference_id: 'WEB-1042',
  customer_id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
  state: 'OPEN',
  created_at: '2024-05-01T09:00:00Z',
  total_money: { amount: 45050, currency: 'UAH' },
  line_items: [{ name: 'Cake', quantity: '1', base_price_money: { amount: 45050, currency: 'UAH' } }],
  fulfillments: [{ uid: FULFILLMENT_UID, type: 'PICKUP', state: 'PROPOSED' }],
  refunds: [] as unknown[],
};

const startFakeSquare = async (): Promise<{ url: string; close: () => Promise<void> }> => {
  const payment = {
    ...square('payment-updated-in-person.json').data.object.payment,
    order_id: ORDER_ID,
    // Paid online (card keyed on the web shop): an online order.
    card_details: { status: 'CAPTURED', entry_method: 'KEYED' },
  };
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${SQUARE_TOKEN}`)
      return send(401, { errors: [{ code: 'UNAUTHORIZED' }] });
    switch (req.url) {
      case `/v2/orders/${ORDER_ID}`:
        return send(200, { order: squareOrder });
      case `/v2/payments/${payment.id}`:
        return send(200, { payment });
      case '/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4':
        return send(200, {
          customer: {
            id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
            given_name: 'Olena',
            phone_number: '+380931234567',
            email_address: 'olena.koval@example.com',
            version: 1,
          },
        });
      default:
        return send(404, { errors: [{ code: 'NOT_FOUND' }] });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

let hub: LocalHub;
let fakeSquare: Awaited<ReturnType<typeof startFakeSquare>>;

const post = async (connector: string, body: unknown) => {
  const res = await postWebhook(hub, connector, JSON.stringify(body));
  expect(res.status, res.text).toBe(200);
  return res;
};

const profileOf = async (identity: string) => {
  const res = await api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);
  expect(res.status, `profile of ${identity}`).toBe(200);
  return res.body;
};

const timeline = async (customerId: string) => {
  const res = await api(hub, `/v1/customers/${customerId}/timeline?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items as { type: string; connector: string; data: any; summary: string }[];
};

/** Polls until `check` holds (timers are real; a loaded machine is slow). */
const eventually = async (check: () => Promise<boolean>, timeoutMs = 20_000) => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await hub.idle();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
};

beforeAll(async () => {
  fakeSquare = await startFakeSquare();
  hub = await startTestHub({
    automations: { automations: [] },
    timeBased: { abandonedCartHours: CART_WAIT_HOURS, leadUnansweredMinutes: 0 },
    extraEnv: { OMNIHUB_API_BASE_URL_SQUARE: fakeSquare.url, OMNIHUB_API_TOKEN_SQUARE: SQUARE_TOKEN },
  });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await fakeSquare?.close();
});

/** Shopify's checkout sample for another buyer and checkout (the sample's own ids are shared by other tests). */
const checkoutFor = (email: string, token: string) => ({
  ...shopify('checkouts-create.json'),
  token,
  cart_token: `cart-${token}`,
  email,
  customer: null,
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
});

describe('Shopify checkouts and the abandoned-cart timer', () => {
  it('a checkout with no order becomes cart.abandoned with its cart and items', async () => {
    // Act
    await post('shopify', checkoutFor('abandoned@example.com', 'tok-abandoned'));
    await hub.idle();
    const { customerId } = await profileOf('email:abandoned@example.com');
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'cart.abandoned'));

    // Assess
    const items = await timeline(customerId);
    expect(items.map((i) => i.type)).toEqual(expect.arrayContaining(['checkout.started', 'cart.updated']));
    const abandoned = items.find((i) => i.type === 'cart.abandoned');
    expect(abandoned?.data).toMatchObject({
      cartId: 'cart-tok-abandoned',
      total: { amountMinor: 42188, currency: 'USD' },
    });
    expect(abandoned?.data.items).toHaveLength(2);
  });

  it('an order of the same buyer within the wait cancels it', async () => {
    // Act
    await post('shopify', checkoutFor('bought@example.com', 'tok-bought'));
    await post('shopify', {
      ...shopify('orders-paid.json'),
      id: '820982911946159999',
      admin_graphql_api_id: 'gid://shopify/Order/820982911946159999',
      email: 'bought@example.com',
      customer: null,
      // She pays after starting the checkout.
      created_at: new Date().toISOString(),
      processed_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
    await new Promise((r) => setTimeout(r, 5_000));
    await hub.idle();

    // Assess
    const { customerId } = await profileOf('email:bought@example.com');
    const types = (await timeline(customerId)).map((i) => i.type);
    expect(types).toEqual(expect.arrayContaining(['checkout.started', 'cart.updated', 'order.placed', 'order.paid']));
    expect(types).not.toContain('cart.abandoned');
    expect(hub.automations.timers.pending().filter((t) => t.name.endsWith(customerId))).toEqual([]);
  });
});

describe('Shopify order lifecycle', () => {
  it('shipped, then cancelled: one order entry, and the cancelled order leaves the lifetime value', async () => {
    // Prepare: two paid orders of hers, #9999 and #10000.
    const other = {
      ...shopify('orders-paid.json'),
      id: '820982911946150000',
      admin_graphql_api_id: 'gid://shopify/Order/820982911946150000',
      name: '#10000',
    };
    await post('shopify', shopify('orders-paid.json'));
    await post('shopify', other);
    await hub.idle();
    const before = await profileOf('email:jon@doe.ca');

    // Act: #9999 ships, then is cancelled; the cancellation is redelivered.
    await post('shopify', shopify('orders-fulfilled.json'));
    await post('shopify', shopify('orders-cancelled.json'));
    await post('shopify', shopify('orders-cancelled.json'));
    await hub.idle();

    // Assess
    const after = await profileOf('email:jon@doe.ca');
    expect(before.orders).toMatchObject({ count: 2, revenue: { USD: 80600 } });
    expect(before.computed.netRevenue).toEqual({ amountMinor: 80600, currency: 'USD' });
    expect(after.orders).toMatchObject({
      count: 2,
      revenue: { USD: 80600 },
      cancelled: { USD: 40300 },
      cancelledCount: 1,
    });
    expect(after.computed.netRevenue).toEqual({ amountMinor: 40300, currency: 'USD' });
    expect(after.computed.averageOrderValue).toEqual({ amountMinor: 40300, currency: 'USD' });
    const ofOrder = (await timeline(after.customerId)).filter((i) => i.data?.orderId === '820982911946154508');
    expect(ofOrder.map((i) => i.type).sort()).toEqual([
      'order.cancelled',
      'order.fulfilled',
      'order.paid',
      'order.placed',
    ]);
  });
});

describe('Square online pickup order', () => {
  it('placed, paid, ready for pickup, picked up and refunded at the till: one order, net revenue lowered by the refund', async () => {
    // Act: each step as Square notifies it, the fake API's order moving along.
    const placed = square('order-created.json');
    placed.data.object.order_created.order_id = ORDER_ID;
    await post('square', placed);
    await post('square', {
      ...square('payment-updated-in-person.json'),
      data: {
        ...square('payment-updated-in-person.json').data,
        object: {
          payment: {
            ...square('payment-updated-in-person.json').data.object.payment,
            order_id: ORDER_ID,
            card_details: { status: 'CAPTURED', entry_method: 'KEYED' },
          },
        },
      },
    });
    await hub.idle();
    (squareOrder.fulfillments[0] as { state: string }).state = 'PREPARED';
    await post('square', square('order-fulfillment-updated-prepared.json'));
    await hub.idle();
    (squareOrder.fulfillments[0] as { state: string }).state = 'COMPLETED';
    squareOrder.state = 'COMPLETED';
    const completed = square('order-fulfillment-updated-prepared.json');
    completed.event_id = 'b3adf364-4937-436e-a833-49c72b4baef0';
    completed.data.object.order_fulfillment_updated.fulfillment_update = [
      { fulfillment_uid: FULFILLMENT_UID, old_state: 'PREPARED', new_state: 'COMPLETED' },
    ];
    await post('square', completed);
    await post('square', square('refund-updated-completed.json'));
    await hub.idle();

    // Assess
    const profile = await profileOf('phone:+380931234567');
    const items = await timeline(profile.customerId);
    const ofOrder = items.filter((i) => i.connector === 'square' && i.data?.orderId === ORDER_ID);
    expect(ofOrder.map((i) => i.type).sort()).toEqual([
      'order.fulfilled',
      'order.paid',
      'order.placed',
      'order.ready_for_pickup',
      'order.refunded',
    ]);
    expect(ofOrder.find((i) => i.type === 'order.ready_for_pickup')?.data.fulfillment).toMatchObject({
      method: 'pickup',
      location: 'FPYCBCHYMXFK1',
    });
    expect(profile.orders).toMatchObject({ count: 1, revenue: { UAH: 45050 }, refunded: { UAH: 15000 } });
    expect(profile.computed.netRevenue).toEqual({ amountMinor: 30050, currency: 'UAH' });
  });
});
