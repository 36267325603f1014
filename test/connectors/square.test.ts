/**
 * Square edge cases the fixtures can't express: the official SDK's
 * known-answer signature vector (URL + body), the in-person/online decision,
 * payment-level dedup, and hydration of customers, orders and refunds
 * against a fake Square API.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { squareConnector } from '../../functions/connectors/square/index.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent, type HubEventOf } from '../../functions/events/hub-event.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Prepare (shared)
const SECRETS = { secret: 'square-signature-key' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const fixture = (file: string): Buffer => readFileSync(`functions/connectors/square/fixtures/${file}`);
const IN_PERSON = JSON.parse(fixture('payment-updated-in-person.json').toString('utf8'));

const post = (payload: unknown) =>
  signedRequest(
    squareConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(payload)) },
    SECRETS,
  );

const normalize = (payload: unknown) => squareConnector.normalize(squareConnector.parse(post(payload)), CTX);

/** The in-person fixture with payment fields replaced. */
const payment = (fields: Record<string, unknown>, type = 'payment.updated') => {
  const copy = structuredClone(IN_PERSON);
  copy.type = type;
  Object.assign(copy.data.object.payment, fields);
  return copy;
};

const only = <T extends HubEvent['type']>(events: HubEvent[], type: T): HubEventOf<T> => {
  expect(events.map((e) => e.type)).toEqual([type]);
  HubEventSchema.parse(events[0]);
  return events[0] as HubEventOf<T>;
};

describe('Connector: square', () => {
  describe('verify: known-answer vector of square/square-python-sdk tests/integration/test_webhooks_helper.py', () => {
    const BODY =
      '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}';
    const KEY = 'Ibxx_5AKakO-3qeNVR61Dw';
    const NOTIFICATION_URL = 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9';
    const SIGNATURE = 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=';
    const request = (body: string, url = NOTIFICATION_URL) =>
      rawRequest({
        url,
        body,
        baseUrl: new URL(url).origin,
        headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': SIGNATURE },
      });

    it('the vector itself: base64(HMAC-SHA256(key, URL + body)) with node:crypto', () => {
      expect(
        createHmac('sha256', KEY)
          .update(NOTIFICATION_URL + BODY)
          .digest('base64'),
      ).toBe(SIGNATURE);
    });

    it('accepts the SDK request', () => {
      expect(squareConnector.verify(request(BODY), { secret: KEY }, { now: TEST_NOW })).toEqual({ ok: true });
    });

    it('rejects the same body reformatted (test_signature_validation_body_formatted)', () => {
      const formatted = JSON.stringify(JSON.parse(BODY), null, 2);
      expect(squareConnector.verify(request(formatted), { secret: KEY }, { now: TEST_NOW }).ok).toBe(false);
    });

    it('rejects another notification URL (test_signature_validation_url_mismatch)', () => {
      expect(
        squareConnector.verify(
          request(BODY, 'https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9'),
          { secret: KEY },
          { now: TEST_NOW },
        ).ok,
      ).toBe(false);
    });

    it('signs the URL including its query string, and fails closed without key or header', () => {
      const withQuery = request(BODY, `${NOTIFICATION_URL}?tenant=a`);
      expect(squareConnector.verify(withQuery, { secret: KEY }, { now: TEST_NOW }).ok).toBe(false);
      expect(squareConnector.verify(request(BODY), {}, { now: TEST_NOW }).ok).toBe(false);
      const { ['x-square-hmacsha256-signature']: _, ...headers } = request(BODY).headers;
      expect(squareConnector.verify({ ...request(BODY), headers }, { secret: KEY }, { now: TEST_NOW })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/Missing/),
      });
    });

    it('acknowledges the test notification as an unsupported type', () => {
      const result = squareConnector.normalize(squareConnector.parse(request(BODY)), CTX);
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([
        'unsupported event type: webhooks.test_notification (ac3ac95b-f97d-458c-a6e6-18981597e05f)',
      ]);
    });
  });

  describe('completed payments: till or online', () => {
    it.each([
      [{ source_type: 'CARD', card_details: { entry_method: 'EMV' } }, 'purchase.completed', 'pos'],
      [{ source_type: 'CARD', card_details: { entry_method: 'CONTACTLESS' } }, 'purchase.completed', 'pos'],
      [{ source_type: 'CARD', card_details: { entry_method: 'SWIPED' } }, 'purchase.completed', 'pos'],
      [{ source_type: 'CASH', card_details: undefined }, 'purchase.completed', 'pos'],
      [{ source_type: 'CARD', card_details: { entry_method: 'KEYED' } }, 'order.paid', 'ecommerce'],
      [{ source_type: 'CARD', card_details: { entry_method: 'ON_FILE' } }, 'order.paid', 'ecommerce'],
      [{ source_type: 'WALLET', card_details: undefined }, 'order.paid', 'ecommerce'],
    ] as const)('%j → %s (%s)', (fields, type, channel) => {
      // Act
      const { events } = normalize(payment(fields));

      // Assess
      const event = only(events, type);
      expect(event.channel).toBe(channel);
      expect(event.data.total).toEqual({ amountMinor: 45050, currency: 'UAH' });
    });

    it('collapses payment.created (already COMPLETED) and later payment.updated into one purchase', () => {
      // Act
      const created = normalize(payment({}, 'payment.created'));
      const updated = normalize(
        payment({ refunded_money: { amount: 15000, currency: 'UAH' }, updated_at: '2020-11-23T10:02:11.000Z' }),
      );

      // Assess
      expect(created.events[0]?.id).toBe(updated.events[0]?.id);
    });

    it('asks for the customer behind customer_id, and needs no fetch for a buyer email only', () => {
      // Act
      const withCustomer = normalize(payment({}));
      const emailOnly = normalize(payment({ customer_id: undefined }));

      // Assess
      expect(withCustomer.hydrations).toEqual([
        expect.objectContaining({
          connector: 'square',
          kind: 'customer',
          params: { customerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' },
        }),
      ]);
      expect(only(emailOnly.events, 'purchase.completed').customer.identities.map(identityKey)).toEqual([
        'email:olena.koval@example.com',
      ]);
      expect(emailOnly.hydrations).toEqual([]);
    });

    it.each(['APPROVED', 'PENDING', 'CANCELED', 'FAILED'])('acknowledges a %s payment without an event', (status) => {
      const result = normalize(payment({ status }));
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringContaining(`status ${status}`)]);
    });
  });

  describe('refunds and orders', () => {
    it.each(['PENDING', 'REJECTED', 'FAILED'])('acknowledges a %s refund without a fetch', (status) => {
      // Prepare
      const body = JSON.parse(fixture('refund-updated-completed.json').toString('utf8'));
      body.data.object.refund.status = status;

      // Act
      const result = normalize(body);

      // Assess
      expect(result.hydrations).toEqual([]);
      expect(result.ignored).toEqual([expect.stringContaining(status)]);
    });

    it('refuses a notification whose resource does not match its schema', () => {
      const body = structuredClone(IN_PERSON);
      body.data.object.payment.amount_money = { amount: '450.50', currency: 'UAH' };
      expect(() => squareConnector.parse(post(body))).toThrow(/amount_money\.amount/);
    });
  });

  describe('hydration (fake Square API)', () => {
    let server: Server;
    let base = '';
    const seen: IncomingMessage[] = [];
    const routes = new Map<string, { status: number; body: unknown }>();
    const ctx = (): HydrateContext => ({
      secrets: { apiToken: 'EAAA-test', apiBaseUrl: base },
      defaultCountry: 'UA',
      fetch,
    });

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req);
        const route = routes.get(req.url ?? '') ?? { status: 404, body: { errors: [{ code: 'NOT_FOUND' }] } };
        res.writeHead(route.status, { 'content-type': 'application/json' }).end(JSON.stringify(route.body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      seen.length = 0;
      routes.clear();
      routes.set('/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4', {
        status: 200,
        body: {
          customer: {
            id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
            given_name: 'Olena',
            family_name: 'Koval',
            phone_number: '050 123 45 67',
            email_address: 'Olena.Koval@example.com',
            version: 3,
            updated_at: '2024-04-30T09:00:00Z',
          },
        },
      });
    });

    const hydrationOf = (file: string): HydrationRequest => {
      const { hydrations = [] } = squareConnector.normalize(
        squareConnector.parse(post(JSON.parse(fixture(file).toString('utf8')))),
        CTX,
      );
      expect(hydrations).toHaveLength(1);
      return hydrations[0] as HydrationRequest;
    };

    it('customer: contact.updated with phone and email next to square:<id>, authenticated with the Bearer token', async () => {
      // Act
      const events = await squareConnector.hydrate!(hydrationOf('payment-updated-in-person.json'), ctx());

      // Assess
      const contact = only(events, 'contact.updated');
      expect(contact.customer.identities.map(identityKey)).toEqual([
        'square:JDKYHBWT1D4F8MFH63DBMEN8Y4',
        'phone:+380501234567',
        'email:olena.koval@example.com',
      ]);
      expect(contact.providerEventId).toBe('customer:JDKYHBWT1D4F8MFH63DBMEN8Y4:v3');
      expect(seen[0]?.headers.authorization).toBe('Bearer EAAA-test');
      expect(seen[0]?.headers['square-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });

    it('refund: order.refunded for the buyer of the refunded payment', async () => {
      // Prepare
      routes.set('/v2/payments/R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY', {
        status: 200,
        body: { payment: IN_PERSON.data.object.payment },
      });

      // Act
      const events = await squareConnector.hydrate!(hydrationOf('refund-updated-completed.json'), ctx());

      // Assess
      const refund = only(events, 'order.refunded');
      expect(refund.channel).toBe('pos');
      expect(refund.data).toMatchObject({
        orderId: 'CAISENgvlJ6jLWAzERDzjyHVybY',
        total: { amountMinor: 45050, currency: 'UAH' },
        refunded: { amountMinor: 15000, currency: 'UAH' },
      });
      expect(refund.customer.identities.map(identityKey)).toEqual(
        expect.arrayContaining(['square:JDKYHBWT1D4F8MFH63DBMEN8Y4', 'phone:+380501234567']),
      );
    });

    it('order: order.placed with line items for a pickup order, nothing for a till sale created COMPLETED', async () => {
      // Prepare
      const order = {
        id: 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY',
        location_id: 'S8GWD5R9QB376',
        state: 'OPEN',
        created_at: '2020-11-24T09:14:26.129Z',
        total_money: { amount: 1250, currency: 'USD' },
        line_items: [
          {
            name: 'Latte',
            variation_name: 'Large',
            quantity: '2',
            catalog_object_id: 'W62UWFY35CWMYGVWK6TWJDNI',
            base_price_money: { amount: 625, currency: 'USD' },
          },
        ],
        fulfillments: [
          {
            type: 'PICKUP',
            pickup_details: {
              recipient: {
                display_name: 'Olena',
                phone_number: '+380501234567',
                email_address: 'olena.koval@example.com',
              },
            },
          },
        ],
      };
      routes.set('/v2/orders/eA3vssLHKJrv9H0IdJCM3gNqfdcZY', { status: 200, body: { order } });
      const request = hydrationOf('order-created.json');

      // Act
      const placed = await squareConnector.hydrate!(request, ctx());
      routes.set('/v2/orders/eA3vssLHKJrv9H0IdJCM3gNqfdcZY', {
        status: 200,
        body: { order: { ...order, state: 'COMPLETED', fulfillments: [] } },
      });
      const tillSale = await squareConnector.hydrate!(request, ctx());

      // Assess
      const event = only(placed, 'order.placed');
      expect(event.data.items).toEqual([
        {
          sku: 'W62UWFY35CWMYGVWK6TWJDNI',
          name: 'Latte — Large',
          quantity: 2,
          unitPrice: { amountMinor: 625, currency: 'USD' },
        },
      ]);
      expect(event.customer.identities.map(identityKey)).toEqual([
        'email:olena.koval@example.com',
        'phone:+380501234567',
      ]);
      expect(tillSale).toEqual([]);
    });

    describe('lifecycle of an online pickup order', () => {
      const ORDER_ID = 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY';
      const pickupOrder = (fulfillmentState: string, fields: Record<string, unknown> = {}) => ({
        id: ORDER_ID,
        location_id: 'FPYCBCHYMXFK1',
        reference_id: 'WEB-1042',
        customer_id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
        state: 'OPEN',
        total_money: { amount: 1250, currency: 'USD' },
        line_items: [{ name: 'Latte', quantity: '2', base_price_money: { amount: 625, currency: 'USD' } }],
        fulfillments: [{ uid: 'VWJ1N9leLqjSDLvF2hvYjD', type: 'PICKUP', state: fulfillmentState }],
        ...fields,
      });
      const serve = (order: object) => routes.set(`/v2/orders/${ORDER_ID}`, { status: 200, body: { order } });

      it('PREPARED pickup → order.ready_for_pickup on the same order id, with the buyer from the Customers API', async () => {
        // Prepare
        serve(pickupOrder('PREPARED'));

        // Act
        const events = await squareConnector.hydrate!(hydrationOf('order-fulfillment-updated-prepared.json'), ctx());

        // Assess
        const ready = only(events, 'order.ready_for_pickup');
        expect(ready.providerEventId).toBe(`order:${ORDER_ID}:fulfillment:VWJ1N9leLqjSDLvF2hvYjD:ready_for_pickup`);
        expect(ready.data).toMatchObject({
          orderId: ORDER_ID,
          orderNumber: 'WEB-1042',
          total: { amountMinor: 1250, currency: 'USD' },
          fulfillment: { id: 'VWJ1N9leLqjSDLvF2hvYjD', method: 'pickup', location: 'FPYCBCHYMXFK1' },
        });
        expect(ready.customer.identities.map(identityKey)).toEqual(
          expect.arrayContaining(['square:JDKYHBWT1D4F8MFH63DBMEN8Y4', 'phone:+380501234567']),
        );
      });

      it('a PREPARED shipment is only packed: no ready-for-pickup event', async () => {
        // Prepare
        serve(pickupOrder('PREPARED', { fulfillments: [{ uid: 'VWJ1N9leLqjSDLvF2hvYjD', type: 'SHIPMENT' }] }));

        // Act & Assess
        await expect(
          squareConnector.hydrate!(hydrationOf('order-fulfillment-updated-prepared.json'), ctx()),
        ).resolves.toEqual([]);
      });

      it('COMPLETED → order.fulfilled ("picked up"), keyed apart from the ready-for-pickup step', async () => {
        // Prepare
        serve(pickupOrder('COMPLETED', { state: 'COMPLETED' }));
        const body = JSON.parse(fixture('order-fulfillment-updated-prepared.json').toString('utf8'));
        body.data.object.order_fulfillment_updated.fulfillment_update = [
          { fulfillment_uid: 'VWJ1N9leLqjSDLvF2hvYjD', old_state: 'PREPARED', new_state: 'COMPLETED' },
        ];
        const { hydrations = [] } = normalize(body);

        // Act
        const events = await squareConnector.hydrate!(hydrations[0] as HydrationRequest, ctx());

        // Assess
        const done = only(events, 'order.fulfilled');
        expect(done.summary).toBe('Square order WEB-1042 picked up');
        expect(done.providerEventId).toBe(`order:${ORDER_ID}:fulfillment:VWJ1N9leLqjSDLvF2hvYjD:fulfilled`);
      });

      it('CANCELED → order.cancelled with what was already refunded; nothing when Square no longer shows it cancelled', async () => {
        // Prepare
        const request = hydrationOf('order-updated-canceled.json');
        serve(
          pickupOrder('CANCELED', {
            state: 'CANCELED',
            refunds: [{ id: 'r1', status: 'APPROVED', amount_money: { amount: 1250, currency: 'USD' } }],
          }),
        );

        // Act
        const cancelled = await squareConnector.hydrate!(request, ctx());
        serve(pickupOrder('PROPOSED'));
        const stale = await squareConnector.hydrate!(request, ctx());

        // Assess
        const event = only(cancelled, 'order.cancelled');
        expect(event.providerEventId).toBe(`order:${ORDER_ID}:cancelled`);
        expect(event.data).toMatchObject({
          orderId: ORDER_ID,
          total: { amountMinor: 1250, currency: 'USD' },
          refunded: { amountMinor: 1250, currency: 'USD' },
        });
        expect(stale).toEqual([]);
      });

      it("a refund at the till of an online order lands on the online order (the payment's order), not a new one", async () => {
        // Prepare: the online (KEYED) payment of the pickup order; the refund names a return order of its own.
        routes.set('/v2/payments/R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY', {
          status: 200,
          body: {
            payment: {
              ...IN_PERSON.data.object.payment,
              order_id: ORDER_ID,
              card_details: { status: 'CAPTURED', entry_method: 'KEYED' },
            },
          },
        });
        const body = JSON.parse(fixture('refund-updated-completed.json').toString('utf8'));
        body.data.object.refund.order_id = 'RETURN-ORDER-1';
        const { hydrations = [] } = normalize(body);

        // Act
        const events = await squareConnector.hydrate!(hydrations[0] as HydrationRequest, ctx());

        // Assess
        const refund = only(events, 'order.refunded');
        expect(refund.data.orderId).toBe(ORDER_ID);
        expect(refund.channel).toBe('ecommerce');
      });
    });

    it('yields nothing for a deleted customer and throws on 5xx or without a token, so the queue retries', async () => {
      // Prepare
      const request = hydrationOf('payment-updated-in-person.json');

      // Act & Assess
      routes.delete('/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4');
      await expect(squareConnector.hydrate!(request, ctx())).resolves.toEqual([]);
      routes.set('/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4', { status: 500, body: {} });
      await expect(squareConnector.hydrate!(request, ctx())).rejects.toThrow(/500/);
      await expect(squareConnector.hydrate!(request, { ...ctx(), secrets: { apiBaseUrl: base } })).rejects.toThrow(
        /apiToken/,
      );
    });
  });

  it('signs the exact URL the sample is posted to', () => {
    // Prepare
    const url = `${TEST_BASE_URL}/webhooks/square`;
    const body = fixture('payment-created.json');

    // Act
    const signed = squareConnector.signSample(
      { url, method: 'POST', body, contentType: 'application/json', now: TEST_NOW },
      SECRETS,
    );

    // Assess
    expect(signed.headers['x-square-hmacsha256-signature']).toBe(
      createHmac('sha256', SECRETS.secret)
        .update(Buffer.concat([Buffer.from(url), body]))
        .digest('base64'),
    );
  });
});
