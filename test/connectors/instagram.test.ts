/**
 * Instagram edge cases the fixtures can't express: the GET handshake with
 * the Instagram verify token, IGSID identities (never phones, never the
 * business account), echoes, `messaging_seen`, unsent and unsupported
 * messages, and deliveries meant for the Messenger URL.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { instagramConnector } from '../../functions/connectors/instagram/index.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { fixture } from '../helpers/hub.js';

// Prepare (shared)
const APP_SECRET = 'instagram-app-secret';
const SECRETS = { secret: APP_SECRET, verifyToken: 'ig-verify' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/instagram`;
const IG_ACCOUNT = '17841405822304914';
const IGSID = '380501234567';

const post = (body: string | Buffer) =>
  signedRequest(
    instagramConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(body) },
    SECRETS,
  );
const normalize = (payload: unknown) =>
  instagramConnector.normalize(instagramConnector.parse(post(JSON.stringify(payload))), CTX);

const instagram = (items: unknown[]) => ({
  object: 'instagram',
  entry: [{ id: IG_ACCOUNT, time: 1714564800500, messaging: items }],
});
const fromCustomer = (fields: Record<string, unknown>) => ({
  sender: { id: IGSID },
  recipient: { id: IG_ACCOUNT },
  timestamp: 1714564800000,
  ...fields,
});

describe('Connector: instagram', () => {
  it('answers the GET subscription check with its own verify token', () => {
    // Prepare
    const req = (token: string) =>
      rawRequest({
        method: 'GET',
        url: `${WEBHOOK_URL}?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${token}`,
      });

    // Act
    const ok = instagramConnector.handshake?.(req('ig-verify'), SECRETS);
    const wrong = instagramConnector.handshake?.(req('meatyhamhock'), SECRETS);

    // Assess
    expect(ok).toMatchObject({ statusCode: 200, body: '42' });
    expect(wrong?.statusCode).toBe(403);
  });

  it('verifies X-Hub-Signature-256 over the raw bytes and signs samples the same way', () => {
    // Prepare
    const body = fixture('instagram', 'message-text.json');
    const independent = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;

    // Act
    const signed = instagramConnector.signSample(
      { url: WEBHOOK_URL, method: 'POST', body, contentType: 'application/json', now: TEST_NOW },
      SECRETS,
    );
    const verified = instagramConnector.verify(
      rawRequest({ url: WEBHOOK_URL, headers: { 'x-hub-signature-256': independent }, body }),
      SECRETS,
      { now: TEST_NOW },
    );

    // Assess
    expect(signed.headers).toEqual({ 'x-hub-signature-256': independent });
    expect(verified).toEqual({ ok: true });
  });

  it('identifies the customer by IGSID only, even when it looks like a phone number', () => {
    // Act
    const { events } = normalize(
      instagram([fromCustomer({ message: { mid: 'aWdfZ', text: 'Is the red one in stock?' } })]),
    );

    // Assess
    expect(events).toHaveLength(1);
    const event = HubEventSchema.parse(events[0]);
    expect(event).toMatchObject({
      type: 'message.received',
      channel: 'instagram',
      connector: 'instagram',
      summary: 'Is the red one in stock?',
    });
    expect(event.customer.identities.map(identityKey)).toEqual([`instagram:${IGSID}`]);
  });

  it('attributes an echo of the business reply to the IGSID, not the business account', () => {
    // Act
    const { events } = normalize(
      instagram([
        {
          sender: { id: IG_ACCOUNT },
          recipient: { id: IGSID },
          timestamp: 1714564800000,
          message: { mid: 'aWdfE', text: 'Yes!', is_echo: true },
        },
      ]),
    );

    // Assess
    expect(events.map((e) => [e.type, e.customer.identities.map(identityKey)])).toEqual([
      ['message.sent', [`instagram:${IGSID}`]],
    ]);
  });

  it('maps messaging_seen (read.mid) to message.read keyed by the mid', () => {
    // Act
    const { events } = normalize(instagram([fromCustomer({ read: { mid: 'aWdfE' } })]));

    // Assess
    expect(events.map((e) => [e.type, e.providerEventId, e.data])).toEqual([
      ['message.read', 'aWdfE:read', { messageId: 'aWdfE', direction: 'outbound', contentType: 'other' }],
    ]);
  });

  it.each([
    [
      'story mention',
      { type: 'story_mention', payload: { url: 'https://lookaside.fbsbx.com/story' } },
      'Story mention',
    ],
    ['shared reel', { type: 'ig_reel', payload: { url: 'https://reel', title: 'Our new drop' } }, 'Reel: Our new drop'],
    ['audio', { type: 'audio', payload: { url: 'https://voice' } }, 'Audio'],
  ])('maps a %s attachment', (_, attachment, summary) => {
    // Act
    const { events } = normalize(instagram([fromCustomer({ message: { mid: 'aWdfA', attachments: [attachment] } })]));

    // Assess
    expect(events[0]?.summary).toBe(summary);
    expect(events[0]?.data).toMatchObject({ media: { url: attachment.payload.url } });
  });

  it.each([
    ['an unsent message', { mid: 'aWdfD', is_deleted: true }, /deleted/],
    ['an unsupported message', { mid: 'aWdfU', is_unsupported: true }, /does not expose/],
  ])('acknowledges and lists %s', (_, message, reason) => {
    // Act
    const { events, ignored } = normalize(instagram([fromCustomer({ message })]));

    // Assess
    expect(events).toEqual([]);
    expect(ignored).toEqual([expect.stringMatching(reason)]);
  });

  it('acknowledges a Page delivery sent to the Instagram URL without reading it', () => {
    // Act
    const result = instagramConnector.normalize(
      instagramConnector.parse(post(fixture('messenger', 'message-text-sdk-fixture.json'))),
      CTX,
    );

    // Assess
    expect(result.events).toEqual([]);
    expect(result.ignored).toEqual([expect.stringMatching(/object "page" is not handled by the instagram connector/)]);
  });

  it('acknowledges changes (comments, mentions) as public activity, not conversations', () => {
    // Act
    const result = normalize({
      object: 'instagram',
      entry: [{ id: IG_ACCOUNT, time: 1, changes: [{ field: 'mentions', value: { media_id: '1', comment_id: '2' } }] }],
    });

    // Assess
    expect(result).toEqual({ events: [], ignored: ['unsupported Instagram webhook field: mentions'] });
    expect(result).not.toHaveProperty('hydrations');
  });
});

describe('Connector: instagram known-answer authenticity (independent of signSample)', () => {
  // Over the docs' message webhook, the file's exact bytes:
  //   openssl dgst -sha256 -hmac instagram-app-secret functions/connectors/instagram/fixtures/message-text.json
  const KNOWN_ANSWER = 'sha256=6ff7f4126de618291877018df23931e638a2f6ec55bbfff4ff56b54c8b745abb';
  const body = () => fixture('instagram', 'message-text.json');
  const verify = (signature: string, bytes = body()) =>
    instagramConnector.verify(
      rawRequest({ url: WEBHOOK_URL, body: bytes, headers: { 'X-Hub-Signature-256': signature } }),
      { secret: 'instagram-app-secret' },
      { now: TEST_NOW },
    );

  it("accepts the docs' message webhook with the openssl vector", () => {
    // Act & Assess
    expect(createHmac('sha256', 'instagram-app-secret').update(body()).digest('hex')).toBe(
      KNOWN_ANSWER.slice('sha256='.length),
    );
    expect(verify(KNOWN_ANSWER)).toEqual({ ok: true });
    expect(verify(KNOWN_ANSWER.toUpperCase().replace('SHA256=', 'sha256='))).toEqual({ ok: true });
  });

  it('refuses the vector over the body re-serialized (Meta signs the bytes it sent)', () => {
    // Prepare
    const compact = Buffer.from(JSON.stringify(JSON.parse(body().toString('utf8'))));

    // Act & Assess
    expect(verify(KNOWN_ANSWER, compact).ok).toBe(false);
  });

  it('signs samples with the vector', () => {
    // Act
    const signed = instagramConnector.signSample(
      { url: WEBHOOK_URL, method: 'POST', body: body(), contentType: 'application/json', now: TEST_NOW },
      { secret: 'instagram-app-secret' },
    );

    // Assess
    expect(signed.headers).toEqual({ 'x-hub-signature-256': KNOWN_ANSWER });
  });
});
