/**
 * Freshdesk: Basic credentials as the only authenticity check (a literal
 * known answer, built without the connector's signSample), the status and
 * satisfaction vocabularies, and over HTTP a ticket opened then resolved
 * keeping its newest state on one profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshdeskConnector } from '../../functions/connectors/freshdesk/index.js';
import { freshdeskScore, freshdeskStatus } from '../../functions/connectors/freshdesk/normalize.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { rawRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const URL_ = `${TEST_BASE_URL}/webhooks/freshdesk`;
const AT = { now: TEST_NOW };
const SECRET = 'fd-hook-pass-7Q2x';
const withAuth = (authorization: string | undefined) =>
  rawRequest({
    url: URL_,
    body: fixture('freshdesk', 'ticket-created.json'),
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
  });

describe('Connector: freshdesk', () => {
  describe('known answer: Basic credentials', () => {
    // printf 'omnihub:fd-hook-pass-7Q2x' | base64
    const KNOWN_ANSWER = 'Basic b21uaWh1YjpmZC1ob29rLXBhc3MtN1EyeA==';

    it('accepts the literal header, and signs samples with the same one', () => {
      // Act
      const verdict = freshdeskConnector.verify(withAuth(KNOWN_ANSWER), { secret: SECRET }, AT);
      const signed = freshdeskConnector.signSample(
        { url: URL_, method: 'POST', body: Buffer.from('{}'), contentType: 'application/json', now: TEST_NOW },
        { secret: SECRET },
      );

      // Assess
      expect(verdict).toEqual({ ok: true });
      expect(signed.headers.Authorization).toBe(KNOWN_ANSWER);
    });

    it('accepts any user name with the right password; refuses a wrong password, no user part, Bearer, no header and a non-canonical encoding', () => {
      // Act
      const verdicts = [
        `Basic ${Buffer.from(`agent@acme.example:${SECRET}`).toString('base64')}`,
        `Basic ${Buffer.from('omnihub:fd-hook-pass-7Q2y').toString('base64')}`,
        `Basic ${Buffer.from(SECRET).toString('base64')}`,
        `Bearer ${SECRET}`,
        undefined,
        `${KNOWN_ANSWER.slice(0, -1)}a`,
      ].map((header) => freshdeskConnector.verify(withAuth(header), { secret: SECRET }, AT).ok);

      // Assess
      expect(verdicts).toEqual([true, false, false, false, false, false]);
    });
  });

  describe('vocabularies', () => {
    it.each([
      ['Open', 'open'],
      ['2', 'open'],
      ['pending', 'pending'],
      ['Waiting on Customer', 'pending'],
      ['Waiting on Third Party', 'on_hold'],
      ['Resolved', 'solved'],
      ['5', 'closed'],
      ['Escalated', undefined],
      ['{{ticket.status}}', undefined],
    ])('reads status %s as %s', (raw, expected) => {
      expect(freshdeskStatus(raw)).toBe(expected);
    });

    it.each([
      ['Awesome', 5],
      ['Just okay', 3],
      ['Not good', 1],
      ['Extremely happy', 5],
      ['happy', 4],
      ['Unhappy', 2],
      ['Extremely unhappy', 1],
      ['', undefined],
    ])('scores %s as CSAT %s', (rating, value) => {
      expect(freshdeskScore(rating)?.value).toBe(value);
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

    it('keeps the resolved state of a ticket once, whatever the order, and refuses a wrong password', async () => {
      // Act: the resolution arrives before the creation, and twice.
      const resolved = fixture('freshdesk', 'ticket-resolved-rated.json');
      const statuses = [];
      for (const body of [resolved, fixture('freshdesk', 'ticket-created.json'), resolved])
        statuses.push((await postWebhook(hub, 'freshdesk', body)).status);
      const wrong = await postWebhook(hub, 'freshdesk', resolved, { secrets: { secret: 'guess' } });
      const broken = await postWebhook(hub, 'freshdesk', '{"ticket_id":"1","subject":"He said "hi""}');
      await hub.idle();

      // Assess
      expect(statuses).toEqual([200, 200, 200]);
      expect(wrong.status).toBe(401);
      expect(broken.status).toBe(400);
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:olena.k@example.com')}`);
      expect(profile.status).toBe(200);
      expect(profile.body.tickets).toEqual({
        'freshdesk:1042': expect.objectContaining({ status: 'solved', subject: 'Order #5531 arrived damaged' }),
      });
      const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
      expect(timeline.body.items.map((i: { type: string }) => i.type).sort()).toEqual([
        'ticket.created',
        'ticket.solved',
      ]);
    });
  });
});
