/**
 * WooCommerce edge cases the fixtures can't express: the signature known
 * answer, the unsigned ping a webhook sends when it is saved, the body (not
 * the unsigned topic header) deciding what a delivery is, the status table,
 * guests without contacts, and a placed-then-cancelled order through the
 * local hub's real store (one sale claimed, then taken out once).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { woocommerceConnector } from '../../functions/connectors/woocommerce/index.js';
import { gmtDate, orderFacts } from '../../functions/connectors/woocommerce/normalize.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const SECRET = 'wc_webhook_secret_5f0c9a';
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const URL_ = `${TEST_BASE_URL}/webhooks/woocommerce`;
const DOCS_ORDER = () => fixture('woocommerce', 'order-processing.json');
const docsOrder = (): Record<string, unknown> => JSON.parse(DOCS_ORDER().toString('utf8'));

const post = (body: unknown, headers: Record<string, string> = {}) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const signed = signedRequest(
    woocommerceConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: bytes },
    { secret: SECRET },
  );
  return { ...signed, headers: { ...signed.headers, ...headers } };
};
const normalize = (body: unknown, headers?: Record<string, string>) =>
  woocommerceConnector.normalize(woocommerceConnector.parse(post(body, headers)), CTX);

describe('Connector: woocommerce', () => {
  describe('known-answer signature (independent of signSample)', () => {
    // openssl dgst -sha256 -hmac wc_webhook_secret_5f0c9a -binary order-processing.json | base64
    const KNOWN_ANSWER = '1gD65nv3yXQcFSHABF0qrAOSY6anZciyIRr1tmn9Lcc=';
    const request = (signature: string | undefined, body = DOCS_ORDER()) =>
      rawRequest({
        url: URL_,
        body,
        headers: { 'content-type': 'application/json', ...(signature ? { 'X-WC-Webhook-Signature': signature } : {}) },
      });

    it("accepts the docs' order with the openssl vector, and signs samples with it", () => {
      // Act
      const independent = createHmac('sha256', SECRET).update(DOCS_ORDER()).digest('base64');
      const signed = woocommerceConnector.signSample(
        { url: URL_, method: 'POST', body: DOCS_ORDER(), contentType: 'application/json', now: TEST_NOW },
        { secret: SECRET },
      );

      // Assess
      expect(independent).toBe(KNOWN_ANSWER);
      expect(woocommerceConnector.verify(request(KNOWN_ANSWER), { secret: SECRET }, { now: TEST_NOW })).toEqual({
        ok: true,
      });
      expect(signed.headers['X-WC-Webhook-Signature']).toBe(KNOWN_ANSWER);
    });

    it.each([
      ['hex instead of base64', createHmac('sha256', SECRET).update(DOCS_ORDER()).digest('hex')],
      [
        'the base64-decoded secret as key',
        createHmac('sha256', Buffer.from(SECRET, 'base64')).update(DOCS_ORDER()).digest('base64'),
      ],
      ['no signature', undefined],
    ])('refuses %s', (_, signature) => {
      // Act & Assess
      expect(woocommerceConnector.verify(request(signature), { secret: SECRET }, { now: TEST_NOW }).ok).toBe(false);
    });

    it('refuses the vector over the body re-serialized', () => {
      // Act & Assess
      expect(
        woocommerceConnector.verify(
          request(KNOWN_ANSWER, Buffer.from(JSON.stringify(docsOrder()))),
          { secret: SECRET },
          { now: TEST_NOW },
        ).ok,
      ).toBe(false);
    });
  });

  describe('the ping a webhook sends when it is saved', () => {
    // WC_Webhook::deliver_ping(): POST body `webhook_id=<id>`, no signature, no X-WC-* headers; only 200 activates it.
    const ping = rawRequest({ url: URL_, body: 'webhook_id=3' });

    it('is accepted unsigned and yields nothing but an ignored note', () => {
      // Act
      const verdict = woocommerceConnector.verify(ping, { secret: SECRET }, { now: TEST_NOW });
      const result = woocommerceConnector.normalize(woocommerceConnector.parse(ping), CTX);

      // Assess
      expect(verdict).toEqual({ ok: true });
      expect(result).toEqual({ events: [], ignored: ['ping of webhook 3 (sent when the webhook is saved)'] });
    });

    it('still fails closed when no secret is configured', () => {
      // Act & Assess
      expect(woocommerceConnector.verify(ping, {}, { now: TEST_NOW }).ok).toBe(false);
    });

    it.each(['webhook_id=3&x=1', 'webhook_id=abc', '{"webhook_id":3}'])('is not %j', (body) => {
      // Act & Assess
      expect(
        woocommerceConnector.verify(rawRequest({ url: URL_, body }), { secret: SECRET }, { now: TEST_NOW }).ok,
      ).toBe(false);
    });
  });

  describe('what a delivery is comes from the signed body', () => {
    it('ignores a product body sent under the order.created topic', () => {
      // Act
      const result = normalize(fixture('woocommerce', 'product.json'), {
        'x-wc-webhook-topic': 'order.created',
        'x-wc-webhook-resource': 'order',
      });

      // Assess
      expect(result).toEqual({ events: [], ignored: ['a product is not mapped'] });
    });

    it('yields the same event ids for the same order under another topic and delivery id', () => {
      // Act
      const a = normalize(DOCS_ORDER(), { 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-delivery-id': '1' });
      const b = normalize(DOCS_ORDER(), { 'x-wc-webhook-topic': 'order.updated', 'x-wc-webhook-delivery-id': '2' });

      // Assess
      expect(b.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
    });

    it('ignores a deletion, which carries the id only', () => {
      // Act & Assess
      expect(normalize({ id: 727 }).ignored).toEqual(['a deletion ({"id": …} only) is not mapped']);
    });
  });

  describe('order statuses', () => {
    it.each([
      ['pending', null, ['placed']],
      ['on-hold', null, ['placed']],
      ['processing', '2017-03-22T19:28:08', ['placed', 'paid']],
      ['completed', null, ['placed', 'paid', 'fulfilled']],
      ['refunded', '2017-03-22T19:28:08', ['placed', 'paid']],
      ['cancelled', '2017-03-22T19:28:08', ['cancelled']],
      ['checkout-draft', null, ['checkout']],
      ['failed', null, []],
      ['trash', null, []],
      ['wc-shipped-by-plugin', null, ['placed']],
    ])('%s (date_paid %s) → %j', (status, paid, facts) => {
      // Act & Assess
      expect(orderFacts({ status, date_paid_gmt: paid })).toEqual(facts);
    });

    it('lists a failed payment in ignored, with no event', () => {
      // Act
      const result = normalize({ ...docsOrder(), status: 'failed' });

      // Assess
      expect(result).toEqual({ events: [], ignored: ['order #727 is failed: not a sale'] });
    });

    it('carries what was refunded before the cancellation, so only the rest leaves revenue', () => {
      // Act
      const { events } = normalize({
        ...docsOrder(),
        status: 'cancelled',
        refunds: [{ id: 9, reason: '', total: '-5.35' }],
      });

      // Assess
      const cancelled = events.find((e) => e.type === 'order.cancelled');
      expect(cancelled?.data).toMatchObject({
        total: { amountMinor: 2935 },
        refunded: { amountMinor: 535, currency: 'USD' },
      });
      expect(events.map((e) => e.type)).toEqual(['order.cancelled', 'order.refunded']);
    });
  });

  describe('identities and money', () => {
    it('reads _gmt dates as UTC, whatever the process time zone', () => {
      // Act & Assess
      expect(gmtDate('2017-03-22T19:28:02')).toBe('2017-03-22T19:28:02.000Z');
      expect(gmtDate('2017-03-22T19:28:02+00:00')).toBe('2017-03-22T19:28:02.000Z');
      expect(gmtDate(null)).toBeUndefined();
    });

    it('never links the shipping phone (the parcel may be a gift)', () => {
      // Act
      const { events } = normalize({
        ...docsOrder(),
        shipping: { first_name: 'Ann', phone: '+380501112233', country: 'UA' },
      });

      // Assess
      for (const e of events) expect(e.customer.identities.map(identityKey)).not.toContain('phone:+380501112233');
    });

    it('ignores a guest order without email or phone, and keeps the store account otherwise', () => {
      // Act
      const guest = normalize({ ...docsOrder(), billing: { email: '', phone: '' } });
      const account = normalize({ ...docsOrder(), billing: { email: '', phone: '' }, customer_id: 31 });

      // Assess
      expect(guest.events).toEqual([]);
      expect(guest.ignored).toHaveLength(2);
      expect(account.events[0]?.customer.identities.map(identityKey)).toEqual(['woocommerce:31']);
    });

    it('keeps unit prices and quantities exact', () => {
      // Act
      const [placed] = normalize(DOCS_ORDER()).events;

      // Assess
      const event = HubEventSchema.parse(placed);
      expect(event.data).toMatchObject({
        orderId: '727',
        orderNumber: '#727',
        total: { amountMinor: 2935, currency: 'USD' },
        items: [
          { name: 'Woo Single #1', quantity: 2, unitPrice: { amountMinor: 300, currency: 'USD' } },
          { sku: 'Bar3', name: 'Ship Your Idea – Color: Black, Size: M Test', quantity: 1 },
        ],
      });
    });

    it('reports an account changed more than a minute after it was created as updated', () => {
      // Act
      const customer = JSON.parse(fixture('woocommerce', 'customer.json').toString('utf8'));
      const [event] = normalize({ ...customer, date_modified_gmt: '2017-04-02T08:00:00' }).events;

      // Assess
      expect(event).toMatchObject({ type: 'contact.updated', occurredAt: '2017-04-02T08:00:00.000Z' });
    });
  });

  describe('over HTTP (local hub)', () => {
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub();
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('answers the unsigned ping with 200, so WooCommerce activates the webhook', async () => {
      // Act
      const res = await fetch(`${hub.url}/webhooks/woocommerce`, { method: 'POST', body: 'webhook_id=3' });

      // Assess
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'accepted', eventIds: [] });
    });

    it('counts a placed order that is later cancelled as no sale, once, in the stored profile', async () => {
      // Prepare
      const order = {
        ...docsOrder(),
        id: 9001,
        number: '9001',
        billing: { email: 'cancel@example.com', country: 'US' },
      };

      // Act
      for (const body of [order, { ...order, status: 'cancelled', date_modified_gmt: '2017-03-23T08:00:00' }]) {
        const res = await postWebhook(hub, 'woocommerce', JSON.stringify(body));
        expect(res.status, res.text).toBe(200);
        await hub.idle(); // WooCommerce sends the cancellation after the order it cancels
      }
      // A redelivery of the cancellation changes nothing.
      await postWebhook(
        hub,
        'woocommerce',
        JSON.stringify({ ...order, status: 'cancelled', date_modified_gmt: '2017-03-23T08:00:00' }),
      );
      await hub.idle();

      // Assess
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:cancel@example.com')}`);
      expect(profile.status).toBe(200);
      expect(profile.body.orders).toMatchObject({ count: 1, cancelled: { USD: 2935 }, cancelledCount: 1 });
      expect(profile.body.computed.netRevenue).toBeUndefined();
    });
  });
});
