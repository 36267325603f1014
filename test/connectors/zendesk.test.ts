/**
 * Zendesk: the signature known answer (timestamp + body, the secret as
 * literal text), the replay window, the two connection methods' bodies,
 * status and satisfaction mapping, and over HTTP a ticket opened by event
 * subscription and solved by a trigger landing on one profile.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { zendeskConnector } from '../../functions/connectors/zendesk/index.js';
import { satisfactionScore, ticketStatus } from '../../functions/connectors/zendesk/normalize.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { rawRequest, signedRequest, TEST_BASE_URL } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const URL_ = `${TEST_BASE_URL}/webhooks/zendesk`;
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const request = (body: Buffer, headers: Record<string, string>) =>
  rawRequest({ url: URL_, body, headers: { 'content-type': 'application/json', ...headers } });
const normalize = (body: unknown) => {
  const req = signedRequest(
    zendeskConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(body)) },
    { secret: 'test-secret' },
  );
  return zendeskConnector.normalize(zendeskConnector.parse(req), CTX);
};

describe('Connector: zendesk', () => {
  describe('known-answer signature (independent of signSample)', () => {
    // Zendesk's docs example (secret, body, timestamp) in the documented timestamp + body order:
    // printf '%s' '2021-07-25T10:00:00Z{"say": "hello"}' | openssl dgst -sha256 -hmac '<secret>' -binary | base64
    const DOCS_SECRET = 'HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=';
    const DOCS_BODY = Buffer.from('{"say": "hello"}');
    const DOCS_TIMESTAMP = '2021-07-25T10:00:00Z';
    const KNOWN_ANSWER = 'Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIk=';
    // The old docs' published value, which only body + timestamp reproduces: must be refused.
    const BODY_FIRST = 'tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=';
    const AT = { now: new Date('2021-07-25T10:00:30Z') };
    const headers = (signature: string) => ({
      'X-Zendesk-Webhook-Signature': signature,
      'X-Zendesk-Webhook-Signature-Timestamp': DOCS_TIMESTAMP,
    });

    it('accepts the docs vector with the secret used as literal text, and signs samples the same way', () => {
      // Act
      const independent = createHmac('sha256', DOCS_SECRET)
        .update(`${DOCS_TIMESTAMP}${DOCS_BODY.toString()}`)
        .digest('base64');
      const signed = zendeskConnector.signSample(
        { url: URL_, method: 'POST', body: DOCS_BODY, contentType: 'application/json', now: new Date(DOCS_TIMESTAMP) },
        { secret: DOCS_SECRET },
      );

      // Assess
      expect(independent).toBe(KNOWN_ANSWER);
      expect(zendeskConnector.verify(request(DOCS_BODY, headers(KNOWN_ANSWER)), { secret: DOCS_SECRET }, AT)).toEqual({
        ok: true,
      });
      expect(signed.headers['X-Zendesk-Webhook-Signature']).toBe(KNOWN_ANSWER);
      expect(signed.headers['X-Zendesk-Webhook-Signature-Timestamp']).toBe(DOCS_TIMESTAMP);
    });

    it('refuses the body + timestamp order and a base64-decoded key', () => {
      // Prepare
      const decodedKey = createHmac('sha256', Buffer.from(DOCS_SECRET, 'base64'))
        .update(`${DOCS_TIMESTAMP}${DOCS_BODY.toString()}`)
        .digest('base64');

      // Act
      const bodyFirst = zendeskConnector.verify(request(DOCS_BODY, headers(BODY_FIRST)), { secret: DOCS_SECRET }, AT);
      const decoded = zendeskConnector.verify(request(DOCS_BODY, headers(decodedKey)), { secret: DOCS_SECRET }, AT);

      // Assess
      expect(bodyFirst.ok).toBe(false);
      expect(decoded.ok).toBe(false);
    });

    it('refuses a genuine signature an hour and a minute after it was made, as stale', () => {
      // Act
      const verdict = zendeskConnector.verify(
        request(DOCS_BODY, headers(KNOWN_ANSWER)),
        { secret: DOCS_SECRET },
        {
          now: new Date('2021-07-25T11:01:00Z'),
        },
      );

      // Assess
      expect(verdict).toMatchObject({ ok: false, stale: true });
    });

    it('fails closed without a secret or without the timestamp header', () => {
      // Act
      const noSecret = zendeskConnector.verify(request(DOCS_BODY, headers(KNOWN_ANSWER)), {}, AT);
      const noTimestamp = zendeskConnector.verify(
        request(DOCS_BODY, { 'X-Zendesk-Webhook-Signature': KNOWN_ANSWER }),
        { secret: DOCS_SECRET },
        AT,
      );

      // Assess
      expect(noSecret.ok).toBe(false);
      expect(noTimestamp.ok).toBe(false);
    });
  });

  describe('statuses and ratings', () => {
    it.each([
      ['NEW', 'new'],
      ['Open', 'open'],
      ['pending', 'pending'],
      ['HOLD', 'on_hold'],
      ['On-hold', 'on_hold'],
      ['Solved', 'solved'],
      ['closed', 'closed'],
      ['{{ticket.status}}', undefined],
      ['Waiting on vendor', undefined],
    ])('reads %s as %s', (raw, expected) => {
      expect(ticketStatus(raw)).toBe(expected);
    });

    it.each([
      ['good', 5],
      ['Good, I am satisfied', 5],
      ['Bad', 1],
      ['offered', undefined],
      ['Unoffered', undefined],
      ['', undefined],
    ])('scores the rating %s as CSAT %s', (rating, value) => {
      expect(satisfactionScore(rating)?.value).toBe(value);
    });

    it('lists a ticket with a custom status word in ignored, with no event', () => {
      // Act
      const result = normalize({ event: 'updated', ticket: { id: 7, status: 'Escalated' }, requester: { id: 1 } });

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringContaining('unknown status Escalated')]);
    });

    it('ignores a trigger body whose requester has no email, phone or id', () => {
      // Act
      const result = normalize({ event: 'created', ticket: { id: 8, status: 'New' }, requester: { email: '' } });

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toHaveLength(1);
    });

    it('ignores ticket events that change nothing the profile keeps (a comment)', () => {
      // Prepare
      const created = JSON.parse(fixture('zendesk', 'ticket-created.json').toString('utf8'));

      // Act
      const result = normalize({ ...created, type: 'zen:event-type:ticket.comment_added' });

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringContaining('ticket.comment_added')]);
    });

    it('answers a body that is neither an event nor a ticket trigger with a validation error', () => {
      // Prepare
      const req = signedRequest(
        zendeskConnector,
        { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from('{"say": "hello"}') },
        { secret: 'test-secret' },
      );

      // Act + Assess
      expect(() => zendeskConnector.parse(req)).toThrow(/ticket/);
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

    it('keeps the newest state of a ticket opened by event and solved by trigger, once, with its CSAT', async () => {
      // Prepare: the trigger names the same requester id as the event, plus her email.
      const trigger = fixture('zendesk', 'trigger-solved-rated.json');

      // Act
      const created = await postWebhook(hub, 'zendesk', fixture('zendesk', 'ticket-created.json'));
      const solved = await postWebhook(hub, 'zendesk', trigger);
      const again = await postWebhook(hub, 'zendesk', trigger);
      const forged = await postWebhook(hub, 'zendesk', trigger, {
        tamper: (req) => {
          req.headers['X-Zendesk-Webhook-Signature'] = createHmac('sha256', 'wrong').update(trigger).digest('base64');
        },
      });
      await hub.idle();

      // Assess
      expect([created.status, solved.status, again.status]).toEqual([200, 200, 200]);
      expect(again.body.eventIds).toEqual(solved.body.eventIds);
      expect(forged.status).toBe(401);
      expect(forged.body?.error?.code).toBe('invalid_signature');
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('zendesk:20978392')}`);
      expect(profile.status).toBe(200);
      expect(profile.body.tickets).toEqual({
        'zendesk:35436': expect.objectContaining({ status: 'solved', subject: 'Help, my printer is on fire!' }),
      });
      expect(profile.body.identities.map((i: { type: string; value: string }) => `${i.type}:${i.value}`)).toEqual(
        expect.arrayContaining(['email:jane.roe@example.com', 'zendesk:20978392']),
      );
      const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
      expect(timeline.body.items.map((i: { type: string }) => i.type).sort()).toEqual([
        'ticket.created',
        'ticket.solved',
      ]);
    });
  });
});
