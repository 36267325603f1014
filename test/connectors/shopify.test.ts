/**
 * Shopify edge cases the fixtures can't express: the HMAC recomputed
 * independently, the unsigned headers (topic, webhook id, triggered-at) that
 * decide nothing, the event type and dedup key read from the signed body,
 * test and cancelled orders, ids above 2^53, marketing consent and the refund
 * hydration against a fake Admin API. Exact money (decimal strings, JPY, rounding) is tested
 * with the shared module in ./money.test.ts.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifyConnector } from '../../functions/connectors/shopify/index.js';
import { parseLosslessJson } from '../../functions/connectors/shopify/schema.js';
import type { HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const SECRET = 'shopify-client-secret';
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const URL_ = `${TEST_BASE_URL}/webhooks/shopify`;
const fixture = (file: string): Buffer => readFileSync(`functions/connectors/shopify/fixtures/${file}`);
/** A real (not test), paid order: orders-paid.json. */
const ORDER = parseLosslessJson(fixture('orders-paid.json').toString('utf8')) as Record<string, unknown>;
/** The same order before payment, as orders/create would carry it. */
const PENDING_ORDER = { ...ORDER, financial_status: 'pending' };

/** What Shopify would send: the body, its HMAC (computed here with node:crypto, not the connector) and the delivery headers. */
const delivery = (topic: string, body: Buffer | string | object, extra: Record<string, string> = {}) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return rawRequest({
    url: URL_,
    body: bytes,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(bytes).digest('base64'),
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      'x-shopify-shop-domain': 'olena-shop.myshopify.com',
      'x-shopify-triggered-at': '2024-05-01T11:59:58.123456Z',
      ...extra,
    },
  });
};

const normalize = (req: ReturnType<typeof delivery>) => shopifyConnector.normalize(shopifyConnector.parse(req), CTX);

const only = <T extends HubEvent['type']>(events: HubEvent[], type: T): HubEventOf<T> => {
  const matching = events.filter((e) => e.type === type);
  expect(matching).toHaveLength(1);
  HubEventSchema.parse(matching[0]);
  return matching[0] as HubEventOf<T>;
};

describe('Connector: shopify', () => {
  describe('verify', () => {
    it('accepts base64(HMAC-SHA256(client secret, raw body)) recomputed with node:crypto', () => {
      // Prepare
      const req = delivery('orders/create', fixture('orders-create.json'));

      // Act
      const result = shopifyConnector.verify(req, { secret: SECRET }, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: true });
    });

    it('rejects a body re-serialized after parsing (same JSON, other bytes)', () => {
      // Prepare: signature of the original bytes, body re-serialized compactly.
      const original = delivery('orders/create', fixture('orders-create.json'));
      const compact = Buffer.from(JSON.stringify(JSON.parse(fixture('orders-create.json').toString('utf8'))));

      // Act
      const result = shopifyConnector.verify({ ...original, body: compact }, { secret: SECRET }, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
    });

    it('fails closed without a secret, without the header or with another secret', () => {
      // Prepare
      const req = delivery('orders/create', fixture('orders-create.json'));
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'x-shopify-hmac-sha256'));

      // Act & Assess
      expect(shopifyConnector.verify(req, {}, { now: TEST_NOW })).toMatchObject({ ok: false });
      expect(shopifyConnector.verify({ ...req, headers }, { secret: SECRET }, { now: TEST_NOW })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/Missing/),
      });
      expect(shopifyConnector.verify(req, { secret: 'another-secret' }, { now: TEST_NOW })).toMatchObject({
        ok: false,
      });
    });

    it('does not reject on an old X-Shopify-Triggered-At: it is not signed, so it is no replay window', () => {
      // Prepare
      const req = delivery('orders/create', fixture('orders-create.json'), {
        'x-shopify-triggered-at': '2020-01-01T00:00:00Z',
      });

      // Act
      const result = shopifyConnector.verify(req, { secret: SECRET }, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: true });
    });
  });

  describe('ids above 2^53', () => {
    it('keeps every 16+ digit integer exact and leaves strings and fractions alone', () => {
      // Act
      const json = parseLosslessJson(
        '{"id":820982911946154508,"n":-115310627314723954,"s":"id 820982911946154508","f":0.12345678901234567,"e":1234567890123456e2,"small":12,"arr":[706405506930370084]}',
      ) as Record<string, unknown>;

      // Assess
      expect(json).toEqual({
        id: '820982911946154508',
        n: '-115310627314723954',
        s: 'id 820982911946154508',
        f: 0.12345678901234567,
        e: 1234567890123456e2,
        small: 12,
        arr: ['706405506930370084'],
      });
    });

    it('reports order, customer and refund ids digit for digit', () => {
      // Act
      const { events } = normalize(delivery('orders/create', fixture('orders-paid.json')));
      const refund = normalize(delivery('refunds/create', fixture('refunds-create.json')));

      // Assess
      const order = only(events, 'order.placed');
      expect(order.data.orderId).toBe('820982911946154508');
      expect(order.customer.identities.map(identityKey)).toContain('shopify:115310627314723954');
      expect(refund.hydrations?.[0]?.params).toMatchObject({
        orderId: '820982911946154508',
        refundId: '890088186047892319',
      });
    });
  });

  describe('the signed body decides, not the unsigned headers', () => {
    it('turns a paid order into order.placed and order.paid, each keyed on the order id, with the shop as store', () => {
      // Act
      const { events } = normalize(delivery('orders/paid', fixture('orders-paid.json')));

      // Assess
      expect(only(events, 'order.placed').providerEventId).toBe('order:820982911946154508:placed');
      const paid = only(events, 'order.paid');
      expect(paid.providerEventId).toBe('order:820982911946154508:paid');
      expect(paid.data).toMatchObject({
        orderId: '820982911946154508',
        orderNumber: '#9999',
        store: 'olena-shop.myshopify.com',
        total: { amountMinor: 40300, currency: 'USD' },
      });
      expect(paid.data.items[0]).toEqual({
        sku: 'IPOD2008PINK',
        name: 'IPod Nano - 8GB',
        quantity: 1,
        unitPrice: { amountMinor: 19900, currency: 'USD' },
      });
    });

    it('yields nothing new for an orders/create body resent as orders/paid (and other topics) with fresh webhook ids', () => {
      // Prepare: one genuine delivery of an unpaid order, then the same signed body replayed.
      const body = JSON.stringify(PENDING_ORDER);
      const genuine = normalize(delivery('orders/create', body, { 'x-shopify-webhook-id': 'genuine-1' }));

      // Act
      const replays = ['orders/paid', 'orders/updated', 'orders/fulfilled', 'refunds/create'].map((topic, i) =>
        normalize(delivery(topic, body, { 'x-shopify-webhook-id': `fresh-${i}` })),
      );

      // Assess
      expect(genuine.events.map((e) => e.type)).toEqual(['order.placed']);
      for (const replay of replays) expect(replay.events).toEqual(genuine.events);
    });

    it('keys a refund on its id, so refunds/create and the refund inside an order body are one event', () => {
      // Prepare
      const refund = parseLosslessJson(fixture('refunds-create.json').toString('utf8')) as Record<string, unknown>;
      const orderWithRefund = { ...ORDER, financial_status: 'partially_refunded', refunds: [refund] };

      // Act
      const fromRefundTopic = normalize(delivery('refunds/create', fixture('refunds-create.json')));
      const fromOrder = normalize(delivery('orders/updated', orderWithRefund, { 'x-shopify-webhook-id': 'other' }));

      // Assess
      const refunded = only(fromOrder.events, 'order.refunded');
      expect(refunded.providerEventId).toBe('refund:890088186047892319');
      expect(fromRefundTopic.hydrations?.[0]?.providerEventId).toBe(refunded.providerEventId);
      expect(refunded.data.refunded).toEqual({ amountMinor: 8500, currency: 'USD' });
      expect(refunded.customer.identities.map(identityKey)).toContain('shopify:115310627314723954');
      expect(fromOrder.events.map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'order.refunded']);
    });

    it('reads created or updated from the customer body, whatever the topic says', () => {
      // Prepare
      const created = fixture('customers-update.json');
      const edited = {
        ...(parseLosslessJson(created.toString('utf8')) as object),
        updated_at: '2024-04-30T10:00:00-04:00',
      };

      // Act
      const asUpdate = normalize(delivery('customers/update', created));
      const asCreate = normalize(delivery('customers/create', created, { 'x-shopify-webhook-id': 'fresh' }));
      const editedAsCreate = normalize(delivery('customers/create', edited));

      // Assess
      expect(only(asUpdate.events, 'contact.created').id).toBe(only(asCreate.events, 'contact.created').id);
      expect(only(editedAsCreate.events, 'contact.updated').providerEventId).toMatch(
        /^customer:706405506930370084:2024-04-30T10:00:00-04:00$/,
      );
    });

    it.each([
      [
        'a draft order',
        { id: 994118539, admin_graphql_api_id: 'gid://shopify/DraftOrder/994118539', line_items: [] },
        /DraftOrder/,
      ],
      [
        'a product',
        {
          id: 788032119674292922,
          title: 'Example T-Shirt',
          admin_graphql_api_id: 'gid://shopify/Product/788032119674292922',
        },
        /Product/,
      ],
      [
        'a cart',
        { id: 'eeafa272cebfd4b22385bc4b645e762c', token: 'eeafa272cebfd4b22385bc4b645e762c', line_items: [] },
        /a cart carries no email, phone or customer/,
      ],
    ])('acknowledges %s sent as orders/create without an event', (_, body, reason) => {
      // Act
      const result = normalize(delivery('orders/create', body));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringMatching(reason)]);
    });
  });

  describe('test, cancelled and voided orders', () => {
    it("ignores Shopify's test notification order (test: true): no event, listed in ignored", () => {
      // Act
      const result = normalize(delivery('orders/create', fixture('orders-create.json')));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringMatching(/#9999 is a test order/)]);
    });

    it.each([
      ['pending', ['order.placed']],
      ['authorized', ['order.placed']],
      ['partially_paid', ['order.placed']],
      ['paid', ['order.placed', 'order.paid']],
      ['partially_refunded', ['order.placed', 'order.paid']],
      ['refunded', ['order.placed', 'order.paid']],
    ])('maps financial_status %s to %j', (status, types) => {
      // Act
      const { events } = normalize(delivery('orders/updated', { ...ORDER, financial_status: status }));

      // Assess
      expect(events.map((e) => e.type)).toEqual(types);
    });

    it('turns a cancelled order, even a paid one, into order.cancelled on the same order id, with what was refunded', () => {
      // Prepare
      const refund = parseLosslessJson(fixture('refunds-create.json').toString('utf8')) as Record<string, unknown>;
      const cancelled = {
        ...ORDER,
        financial_status: 'refunded',
        cancelled_at: '2024-05-01T10:00:00-04:00',
        cancel_reason: 'customer',
        refunds: [refund],
      };

      // Act
      const result = normalize(delivery('orders/cancelled', cancelled));

      // Assess: no order.placed / order.paid (not a sale), the refund as its own event.
      expect(result.events.map((e) => e.type)).toEqual(['order.cancelled', 'order.refunded']);
      const event = only(result.events, 'order.cancelled');
      expect(event.providerEventId).toBe('order:820982911946154508:cancelled');
      expect(event.occurredAt).toBe('2024-05-01T14:00:00.000Z');
      expect(event.data).toMatchObject({
        orderId: '820982911946154508',
        total: { amountMinor: 40300, currency: 'USD' },
        refunded: { amountMinor: 8500, currency: 'USD' },
        cancelReason: 'customer',
      });
      expect(result.ignored).toEqual([]);
    });

    it('makes no revenue of a voided order', () => {
      // Act
      const result = normalize(delivery('orders/create', { ...ORDER, financial_status: 'voided' }));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringMatching(/payment voided/)]);
    });

    it('ignores a refund whose transactions all ran on a test gateway', () => {
      // Prepare
      const refund = parseLosslessJson(fixture('refunds-create.json').toString('utf8')) as Record<string, unknown>;
      refund.transactions = (refund.transactions as object[]).map((t) => ({ ...t, test: true }));

      // Act
      const result = normalize(delivery('refunds/create', refund));

      // Assess
      expect(result.hydrations ?? []).toEqual([]);
      expect(result.ignored).toEqual([expect.stringMatching(/test transactions only/)]);
    });
  });

  describe('orders', () => {
    it('keeps discount codes as promo codes, the billing phone in its own country and JPY totals without decimals', () => {
      // Prepare
      const order = {
        ...ORDER,
        currency: 'JPY',
        total_price: '1200',
        total_price_set: { shop_money: { amount: '1200', currency_code: 'JPY' } },
        line_items: [{ title: 'Matcha', quantity: 2, price: '600', sku: '' }],
        discount_codes: [{ code: 'SPRING10', amount: '10', type: 'fixed_amount' }],
        billing_address: { phone: '(613) 555-0134', country_code: 'CA' },
        customer: null,
        email: null,
        contact_email: null,
      };

      // Act
      const { events } = normalize(delivery('orders/create', order));

      // Assess
      const placed = only(events, 'order.placed');
      expect(placed.data.total).toEqual({ amountMinor: 1200, currency: 'JPY' });
      expect(placed.data.promoCodes).toEqual(['SPRING10']);
      expect(placed.data.items).toEqual([
        { name: 'Matcha', quantity: 2, unitPrice: { amountMinor: 600, currency: 'JPY' } },
      ]);
      expect(placed.customer.identities.map(identityKey)).toEqual(['phone:+16135550134']);
      expect(placed.summary).toBe('Order #9999 placed: 1200 JPY, 2 items');
    });

    it('never links the shipping phone (a gift recipient is somebody else)', () => {
      // Prepare
      const order = { ...ORDER, shipping_address: { phone: '+380671112233', country_code: 'UA' } };

      // Act
      const { events } = normalize(delivery('orders/create', order));

      // Assess
      expect(only(events, 'order.placed').customer.identities.map(identityKey)).not.toContain('phone:+380671112233');
    });

    it('acknowledges a guest order without email or phone as ignored', () => {
      // Prepare
      const order = { ...ORDER, email: null, contact_email: null, phone: null, customer: null, billing_address: null };

      // Act
      const result = normalize(delivery('orders/create', order));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([
        expect.stringMatching(/placed: no usable customer identity/),
        expect.stringMatching(/paid: no usable customer identity/),
      ]);
    });

    it('maps customers/create to contact.created', () => {
      // Act
      const { events } = normalize(delivery('customers/create', fixture('customers-update.json')));

      // Assess
      expect(only(events, 'contact.created').customer.identities.map(identityKey)).toEqual([
        'email:bob@biller.com',
        'shopify:706405506930370084',
      ]);
    });

    it('acknowledges topics it does not map, and refuses a delivery without a topic or with a non-object body', () => {
      // Act
      const other = normalize(delivery('products/update', { id: 788032119674292922, title: 'Example T-Shirt' }));

      // Assess
      expect(other).toEqual({
        events: [],
        ignored: [
          'products/update: a body that is no order, refund, fulfillment, checkout, cart, customer or consent is not mapped',
        ],
      });
      const noTopic = delivery('orders/create', fixture('orders-create.json'));
      const headers = Object.fromEntries(Object.entries(noTopic.headers).filter(([k]) => k !== 'x-shopify-topic'));
      expect(() => shopifyConnector.parse({ ...noTopic, headers })).toThrow(ValidationError);
      expect(() => shopifyConnector.parse(delivery('products/update', '[]'))).toThrow(ValidationError);
      expect(() =>
        shopifyConnector.parse(delivery('orders/create', { name: '#1001', line_items: [], financial_status: 'paid' })),
      ).toThrow(ValidationError);
    });
  });

  describe('checkouts and carts (attempted purchases)', () => {
    const CHECKOUT = parseLosslessJson(fixture('checkouts-create.json').toString('utf8')) as Record<string, unknown>;

    it('keys checkout.started on the checkout token and cart.updated on token + updated_at, with the recovery link', () => {
      // Act
      const first = normalize(delivery('checkouts/create', CHECKOUT));
      const edited = normalize(
        delivery('checkouts/update', { ...CHECKOUT, updated_at: '2022-01-01T10:00:00-05:00', line_items: [] }),
      );

      // Assess
      const started = only(first.events, 'checkout.started');
      expect(started.data).toMatchObject({
        checkoutId: '123123123',
        cartId: 'eeafa272cebfd4b22385bc4b645e762c',
        total: { amountMinor: 42188, currency: 'USD' },
        recoveryUrl: 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token',
      });
      expect(started.data.items).toEqual([
        {
          sku: 'IPOD2008PINK',
          name: 'IPod Nano - 8GB',
          quantity: 1,
          unitPrice: { amountMinor: 19900, currency: 'USD' },
        },
        {
          sku: 'IPOD2008PINK',
          name: 'IPod Nano - 8GB',
          quantity: 1,
          unitPrice: { amountMinor: 19900, currency: 'USD' },
        },
      ]);
      expect(only(edited.events, 'checkout.started').id).toBe(started.id);
      expect(only(edited.events, 'cart.updated').id).not.toBe(only(first.events, 'cart.updated').id);
      expect(only(edited.events, 'cart.updated').data.items).toEqual([]);
    });

    it('ignores a completed checkout (its order is the purchase) and one with no email, phone or customer yet', () => {
      // Act
      const completed = normalize(
        delivery('checkouts/update', { ...CHECKOUT, completed_at: '2022-01-01T10:00:00-05:00' }),
      );
      const anonymous = normalize(
        delivery('checkouts/create', { ...CHECKOUT, email: null, customer: null, billing_address: null }),
      );

      // Assess
      expect(completed).toMatchObject({ events: [], ignored: [expect.stringMatching(/completed/)] });
      expect(anonymous).toMatchObject({ events: [], ignored: [expect.stringMatching(/nobody to attribute/)] });
    });

    it('never links the checkout shipping phone', () => {
      // Act
      const { events } = normalize(delivery('checkouts/create', CHECKOUT));

      // Assess
      for (const e of events)
        expect(e.customer.identities.map(identityKey)).not.toContain(expect.stringMatching(/^phone:/));
    });
  });

  describe('fulfillments (shipped, ready for pickup)', () => {
    const FULFILLMENT = parseLosslessJson(
      fixture('fulfillments-update-ready-for-pickup.json').toString('utf8'),
    ) as Record<string, unknown>;

    it('yields order.fulfilled and order.ready_for_pickup from an order body, keyed on the fulfillment id', () => {
      // Act
      const { events } = normalize(delivery('orders/updated', { ...ORDER, fulfillments: [FULFILLMENT] }));

      // Assess
      const shipped = only(events, 'order.fulfilled');
      const pickup = only(events, 'order.ready_for_pickup');
      expect(shipped.providerEventId).toBe('fulfillment:123456:fulfilled');
      expect(pickup.providerEventId).toBe('fulfillment:123456:ready_for_pickup');
      expect(pickup.data).toMatchObject({
        orderId: '820982911946154508',
        orderNumber: '#9999',
        total: { amountMinor: 40300, currency: 'USD' },
        fulfillment: { id: '123456', method: 'pickup', carrier: 'UPS', trackingNumber: '1z827wk74630' },
      });
      expect(pickup.data.items).toHaveLength(5);
    });

    it('hands fulfillments/* (which name no buyer) to the hydrator, and skips pending or cancelled ones', () => {
      // Act
      const ready = normalize(delivery('fulfillments/update', FULFILLMENT));
      const pending = normalize(delivery('fulfillments/create', fixture('fulfillments-create.json')));
      const cancelled = normalize(delivery('fulfillments/update', { ...FULFILLMENT, status: 'cancelled' }));

      // Assess
      expect(ready.events).toEqual([]);
      expect(ready.hydrations).toEqual([
        expect.objectContaining({
          kind: 'fulfillment',
          params: expect.objectContaining({ orderId: '820982911946154508', shopDomain: 'olena-shop.myshopify.com' }),
        }),
      ]);
      expect(pending).toMatchObject({ events: [], ignored: [expect.stringMatching(/status pending/)] });
      expect(cancelled).toMatchObject({ events: [], ignored: [expect.stringMatching(/status cancelled/)] });
    });
  });

  describe('marketing consent', () => {
    /** The sample customer, edited since it was created (so contact.updated), with a consent. */
    const customer = (consent: Record<string, unknown>) => ({
      ...(parseLosslessJson(fixture('customers-update.json').toString('utf8')) as object),
      updated_at: '2024-04-30T12:00:00-04:00',
      ...consent,
    });

    it('turns a subscribed email consent (API < 2025-01 payload) into consent.granted next to contact.updated', () => {
      // Prepare
      const body = customer({
        email_marketing_consent: {
          state: 'subscribed',
          opt_in_level: 'single_opt_in',
          consent_updated_at: '2024-04-30T10:00:00-04:00',
        },
      });

      // Act
      const { events } = normalize(delivery('customers/update', body));

      // Assess
      only(events, 'contact.updated');
      const granted = only(events, 'consent.granted');
      expect(granted.channel).toBe('email');
      expect(granted.data).toEqual({
        channel: 'email',
        purpose: 'marketing',
        reason: 'Shopify email_marketing_consent: subscribed',
      });
      expect(granted.occurredAt).toBe('2024-04-30T14:00:00.000Z');
    });

    it('keys consent on its own timestamp, so every later customers/update repeating it collapses into one event', () => {
      // Prepare
      const body = customer({
        sms_marketing_consent: {
          state: 'unsubscribed',
          opt_in_level: null,
          consent_updated_at: '2024-04-30T10:00:00Z',
        },
      });

      // Act
      const first = normalize(delivery('customers/update', body, { 'x-shopify-webhook-id': 'delivery-1' }));
      const second = normalize(
        delivery(
          'customers/update',
          { ...body, note: 'edited', updated_at: '2024-05-01T09:00:00-04:00' },
          { 'x-shopify-webhook-id': 'delivery-2' },
        ),
      );

      // Assess
      expect(only(first.events, 'consent.revoked').id).toBe(only(second.events, 'consent.revoked').id);
      expect(only(first.events, 'contact.updated').id).not.toBe(only(second.events, 'contact.updated').id);
    });

    it('reads the deprecated accepts_marketing only when no consent object is sent', () => {
      // Act
      const { events } = normalize(
        delivery(
          'customers/update',
          customer({ accepts_marketing: false, accepts_marketing_updated_at: '2021-12-31T19:00:00-05:00' }),
        ),
      );

      // Assess
      expect(only(events, 'consent.revoked').channel).toBe('email');
    });

    it('maps the 2025-01+ consent topics: email by customer_id and address, SMS by phone', () => {
      // Act
      // Raw text: a JS number literal would already have lost the id's last digits.
      const email = normalize(
        delivery(
          'customers_email_marketing_consent/update',
          '{"customer_id":706405506930370084,"email_address":"bob@biller.com","email_marketing_consent":{"state":"subscribed","opt_in_level":"confirmed_opt_in","consent_updated_at":"2024-04-30T10:00:00Z"}}',
        ),
      );
      const sms = normalize(
        delivery(
          'customers_marketing_consent/update',
          '{"id":706405506930370084,"phone":"+380501234567","sms_marketing_consent":{"state":"unsubscribed","opt_in_level":null,"consent_updated_at":"2024-04-30T11:00:00Z","consent_collected_from":"SHOPIFY"}}',
        ),
      );

      // Assess
      expect(only(email.events, 'consent.granted').customer.identities.map(identityKey)).toEqual([
        'email:bob@biller.com',
        'shopify:706405506930370084',
      ]);
      const revoked = only(sms.events, 'consent.revoked');
      expect(revoked.channel).toBe('sms');
      expect(revoked.customer.identities.map(identityKey)).toEqual([
        'phone:+380501234567',
        'shopify:706405506930370084',
      ]);
    });
  });

  describe('refund hydration (fake Admin API)', () => {
    let server: Server;
    let baseUrl = '';
    const seen: IncomingMessage[] = [];
    let answer: { status: number; body: string } = { status: 200, body: '' };

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req);
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/api/2025-07`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const refundRequest = (): HydrationRequest => {
      const hydrations = normalize(delivery('refunds/create', fixture('refunds-create.json'))).hydrations ?? [];
      expect(hydrations).toHaveLength(1);
      return hydrations[0] as HydrationRequest;
    };
    // Raw text: the customer id must survive above 2^53.
    const ORDER_RESPONSE = `{"order":{"id":820982911946154508,"name":"#9999","email":"jon@doe.ca","phone":"+380501234567","currency":"USD","total_price":"403.00","customer":{"id":115310627314723954,"email":"john@test.com","phone":null,"first_name":"John","last_name":"Smith"}}}`;

    it('fetches the order and attributes the refund (85.00 USD of transactions) to its buyer', async () => {
      // Prepare
      answer = { status: 200, body: ORDER_RESPONSE };
      seen.length = 0;

      // Act
      const events = await shopifyConnector.hydrate!(refundRequest(), {
        secrets: { apiToken: 'shpat_test', apiBaseUrl: baseUrl },
        defaultCountry: 'UA',
        fetch,
      });

      // Assess
      const refunded = only(events, 'order.refunded');
      expect(refunded.customer.identities.map(identityKey)).toEqual([
        'email:jon@doe.ca',
        'phone:+380501234567',
        'email:john@test.com',
        'shopify:115310627314723954',
      ]);
      expect(refunded.data).toMatchObject({
        orderId: '820982911946154508',
        orderNumber: '#9999',
        total: { amountMinor: 40300, currency: 'USD' },
        refunded: { amountMinor: 8500, currency: 'USD' },
      });
      expect(refunded.data.items).toHaveLength(5);
      expect(refunded.summary).toBe('Order #9999 refunded: 85.00 USD');
      expect(seen[0]?.url).toMatch(/^\/admin\/api\/2025-07\/orders\/820982911946154508\.json\?fields=/);
      expect(seen[0]?.headers['x-shopify-access-token']).toBe('shpat_test');
    });

    it('is idempotent: the same refund hydrated twice yields the same event id', async () => {
      // Prepare
      answer = { status: 200, body: ORDER_RESPONSE };
      const request = refundRequest();

      // Act
      const [a, b] = await Promise.all(
        [1, 2].map(() =>
          shopifyConnector.hydrate!(request, {
            secrets: { apiToken: 'x', apiBaseUrl: baseUrl },
            defaultCountry: 'UA',
            fetch,
          }),
        ),
      );

      // Assess
      expect(a?.map((e) => e.id)).toEqual(b?.map((e) => e.id));
    });

    it('fetches the order of a fulfillment and yields the events its order body would (same ids)', async () => {
      // Prepare
      answer = { status: 200, body: ORDER_RESPONSE };
      const body = parseLosslessJson(fixture('fulfillments-update-ready-for-pickup.json').toString('utf8')) as object;
      const request = normalize(delivery('fulfillments/update', body)).hydrations?.[0] as HydrationRequest;

      // Act
      const events = await shopifyConnector.hydrate!(request, {
        secrets: { apiToken: 'shpat_test', apiBaseUrl: baseUrl },
        defaultCountry: 'UA',
        fetch,
      });
      const fromOrder = normalize(delivery('orders/updated', { ...ORDER, fulfillments: [body] })).events;

      // Assess
      expect(events.map((e) => e.type)).toEqual(['order.fulfilled', 'order.ready_for_pickup']);
      for (const e of events) HubEventSchema.parse(e);
      expect(events.map((e) => e.id)).toEqual(
        fromOrder.filter((e) => e.type !== 'order.placed' && e.type !== 'order.paid').map((e) => e.id),
      );
      expect(only(events, 'order.ready_for_pickup').customer.identities.map(identityKey)).toContain(
        'shopify:115310627314723954',
      );
    });

    it('yields nothing for a deleted order, throws (so the queue retries) on 5xx and without a token', async () => {
      // Prepare
      const ctx = { secrets: { apiToken: 'x', apiBaseUrl: baseUrl }, defaultCountry: 'UA' as const, fetch };

      // Act & Assess
      answer = { status: 404, body: '{"errors":"Not Found"}' };
      await expect(shopifyConnector.hydrate!(refundRequest(), ctx)).resolves.toEqual([]);
      answer = { status: 503, body: '{}' };
      await expect(shopifyConnector.hydrate!(refundRequest(), ctx)).rejects.toThrow(/503/);
      await expect(
        shopifyConnector.hydrate!(refundRequest(), { ...ctx, secrets: { apiBaseUrl: baseUrl } }),
      ).rejects.toThrow(/apiToken/);
    });
  });
  describe('through the local hub', () => {
    it('keeps one order and no payment after the orders/create body is replayed as orders/paid with fresh webhook ids', async () => {
      // Prepare
      const hub = await startTestHub();
      const body = Buffer.from(JSON.stringify(PENDING_ORDER));
      const as = (topic: string, webhookId: string) => ({
        tamper: (req: { headers: Record<string, string> }) => {
          req.headers['X-Shopify-Topic'] = topic;
          req.headers['X-Shopify-Webhook-Id'] = webhookId;
        },
      });

      try {
        // Act
        const genuine = await postWebhook(hub, 'shopify', body, as('orders/create', 'b54557e4-genuine'));
        const replays = [];
        for (const [i, topic] of ['orders/paid', 'orders/paid', 'orders/fulfilled'].entries())
          replays.push(await postWebhook(hub, 'shopify', body, as(topic as string, `c0ffee00-replay-${i}`)));
        await hub.idle();
        const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:jon@doe.ca')}`);
        const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);

        // Assess
        expect(genuine.status, genuine.text).toBe(200);
        for (const r of replays) expect(r.body.eventIds).toEqual(genuine.body.eventIds);
        expect(profile.body.orders).toMatchObject({ count: 1, revenue: { USD: 40300 } });
        expect(timeline.body.items.map((i: { type: string }) => i.type)).toEqual(['order.placed']);
      } finally {
        await hub.stop();
      }
    });

    it("acknowledges Shopify's test notification order without creating a customer", async () => {
      // Prepare
      const hub = await startTestHub();

      try {
        // Act
        const res = await postWebhook(hub, 'shopify', fixture('orders-create.json'));
        await hub.idle();
        const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:jon@doe.ca')}`);

        // Assess
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ eventIds: [], ignored: [expect.stringMatching(/test order/)] });
        expect(profile.status).toBe(404);
      } finally {
        await hub.stop();
      }
    });
  });
});
