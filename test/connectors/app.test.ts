/**
 * The app connector: the website's format on the `app` channel with the
 * app's user id, push receipts, and over HTTP a push opened → product
 * viewed → checkout left reaching one profile as an attempted purchase.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appConnector } from '../../functions/connectors/app/index.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { signedRequest, TEST_SECRET } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const CTX = { receivedAt: '2024-05-01T18:10:00.000Z', defaultCountry: 'UA' } as const;
const normalize = (body: unknown) =>
  appConnector.normalize(
    appConnector.parse(
      signedRequest(
        appConnector,
        { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(body)) },
        { secret: TEST_SECRET },
        { now: new Date('2024-05-01T18:10:00.000Z') },
      ),
    ),
    CTX,
  );

describe('Connector: app', () => {
  it("puts a website kind (cart) on the app channel, with the app's user id", () => {
    // Act
    const { events } = normalize({
      version: 1,
      type: 'cart.updated',
      occurredAt: '2024-05-01T18:00:00Z',
      visitor: { id: 'u_1' },
      data: { cartId: 'c1', total: { amountMinor: 100, currency: 'UAH' }, items: [] },
    });

    // Assess
    expect(events).toEqual([
      expect.objectContaining({
        type: 'cart.updated',
        channel: 'app',
        customer: expect.objectContaining({ identities: [expect.objectContaining({ type: 'app', value: 'u_1' })] }),
      }),
    ]);
  });

  it('refuses a push receipt that claims to be inbound, and a push without its id', () => {
    // Prepare
    const push = JSON.parse(fixture('app', 'push-opened.json').toString('utf8'));

    // Act + Assess
    expect(() => normalize({ ...push, data: { ...push.data, direction: 'inbound' } })).toThrow(/direction/);
    expect(() => normalize({ ...push, data: { text: 'x' } })).toThrow(/messageId/);
  });

  describe('over HTTP (local hub)', () => {
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub();
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('joins a product viewed, a push opened and a checkout left into one profile, last seen in the app', async () => {
      // Act
      // A push goes to a user the hub knows (a receipt starts no profile), so her product view arrives first.
      const statuses = [];
      for (const file of ['product-viewed.json', 'push-opened.json', 'checkout-started.json']) {
        statuses.push((await postWebhook(hub, 'app', fixture('app', file))).status);
        await hub.idle();
      }
      const again = await postWebhook(hub, 'app', fixture('app', 'checkout-started.json'));
      const unsigned = await fetch(`${hub.url}/webhooks/app`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: fixture('app', 'push-opened.json'),
      });
      await hub.idle();

      // Assess
      expect(statuses).toEqual([200, 200, 200]);
      expect(again.status).toBe(200);
      expect(unsigned.status).toBe(401);
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('app:u_20481')}`);
      expect(profile.status).toBe(200);
      expect(profile.body.lastCartAt).toBe('2024-05-01T18:05:40.000Z');
      expect(profile.body.identities.map((i: { type: string; value: string }) => `${i.type}:${i.value}`)).toEqual(
        expect.arrayContaining(['app:u_20481', 'phone:+380501234567']),
      );
      const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
      expect(
        timeline.body.items.map((i: { type: string; channel: string }) => `${i.channel}/${i.type}`).sort(),
      ).toEqual(['app/checkout.started', 'app/message.read', 'app/product.viewed']);
    });
  });
});
