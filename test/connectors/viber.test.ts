/**
 * Viber edge cases the fixtures can't express: the official SDK's signature
 * known answer, int64 message tokens, every message type, the own-number
 * rule for contact cards, receipts, conversation_started and its empty
 * acknowledgement, and the same callbacks through the local hub.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { parseJsonPreservingIntegers } from '../../functions/connectors/shared/json-integers.js';
import { VIBER_INT64_KEYS } from '../../functions/connectors/viber/schema.js';
import { viberConnector } from '../../functions/connectors/viber/index.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const AUTH_TOKEN = '445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9';
const SECRETS = { secret: AUTH_TOKEN };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/viber`;
const USER = {
  id: 'pttm25kSGUo1919sBORWyA==',
  name: 'Olena Kovalenko',
  avatar: 'https://media-direct.cdn.viber.com/x',
  country: 'UA',
  language: 'uk',
  api_version: 10,
};

const post = (body: string | Buffer) =>
  signedRequest(
    viberConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(body) },
    SECRETS,
  );

const normalizeRaw = (body: string) => viberConnector.normalize(viberConnector.parse(post(body)), CTX);
const normalize = (payload: Record<string, unknown>) => normalizeRaw(JSON.stringify(payload));

/** A `message` callback with the given message (a literal token, so int64 survives `JSON.stringify`). */
const messageBody = (message: Record<string, unknown>, sender: Record<string, unknown> = USER) =>
  `{"event":"message","timestamp":1714564800000,"message_token":5741311803571721087,"sender":${JSON.stringify(sender)},"message":${JSON.stringify(message)},"silent":false}`;

const onlyMessage = (
  message: Record<string, unknown>,
  sender?: Record<string, unknown>,
): HubEventOf<'message.received'> => {
  const { events, ignored } = normalizeRaw(messageBody(message, sender));
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  HubEventSchema.parse(events[0]);
  return events[0] as HubEventOf<'message.received'>;
};

describe('Connector: viber', () => {
  describe('signature', () => {
    // Viber/viber-bot-python tests/api/test_api.py::test_verify_signature.
    const SDK_TOKEN = '44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3';
    const SDK_BODY = Buffer.from(
      '{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}',
      'utf8',
    );
    const SDK_SIGNATURE = 'd21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef';
    const withSignature = (signature: string | undefined, body = SDK_BODY) =>
      rawRequest({ url: WEBHOOK_URL, headers: signature ? { 'X-Viber-Content-Signature': signature } : {}, body });

    it("accepts the official SDK's known-answer vector, recomputed independently", () => {
      // Prepare
      const independent = createHmac('sha256', SDK_TOKEN).update(SDK_BODY).digest('hex');

      // Act
      const result = viberConnector.verify(withSignature(SDK_SIGNATURE), { secret: SDK_TOKEN }, { now: TEST_NOW });
      const signed = viberConnector.signSample(
        { url: WEBHOOK_URL, method: 'POST', body: SDK_BODY, contentType: 'application/json', now: TEST_NOW },
        { secret: SDK_TOKEN },
      );

      // Assess
      expect(independent).toBe(SDK_SIGNATURE);
      expect(result).toEqual({ ok: true });
      expect(signed.headers).toEqual({ 'x-viber-content-signature': SDK_SIGNATURE });
    });

    it('accepts an upper-case hex signature (case is not significant in hex)', () => {
      // Act
      const result = viberConnector.verify(
        withSignature(SDK_SIGNATURE.toUpperCase()),
        { secret: SDK_TOKEN },
        { now: TEST_NOW },
      );

      // Assess
      expect(result).toEqual({ ok: true });
    });

    it('signs the raw UTF-8 bytes: a re-serialization of the parsed body does not verify', () => {
      // Prepare
      const raw = Buffer.from(fixture('viber', 'message-unicode-sdk.json'));
      const signature = createHmac('sha256', SDK_TOKEN).update(raw).digest('hex');
      const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');

      // Act
      const genuine = viberConnector.verify(withSignature(signature, raw), { secret: SDK_TOKEN }, { now: TEST_NOW });
      const tampered = viberConnector.verify(
        withSignature(signature, reserialized),
        { secret: SDK_TOKEN },
        { now: TEST_NOW },
      );

      // Assess
      expect(genuine).toEqual({ ok: true });
      expect(tampered.ok).toBe(false);
    });

    it.each([
      ['the header is missing', undefined, /missing/i],
      ['the hex is truncated', SDK_SIGNATURE.slice(0, -2), /does not match/],
      ['another token signed it', createHmac('sha256', 'other').update(SDK_BODY).digest('hex'), /does not match/],
      [
        'it is base64 instead of hex',
        createHmac('sha256', SDK_TOKEN).update(SDK_BODY).digest('base64'),
        /does not match/,
      ],
    ])('rejects the request when %s', (_, signature, reason) => {
      // Act
      const result = viberConnector.verify(withSignature(signature), { secret: SDK_TOKEN }, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('fails closed without an auth token even when the header is present', () => {
      // Act
      const result = viberConnector.verify(withSignature(SDK_SIGNATURE), {}, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: false, reason: 'No bot auth token is configured' });
    });
  });

  describe('int64 message tokens', () => {
    it('keeps a token above 2^53 exact (JSON.parse alone would round it)', () => {
      // Prepare
      const body = messageBody({ type: 'text', text: 'hi' });

      // Act
      const event = normalizeRaw(body).events[0];

      // Assess
      expect(String((JSON.parse(body) as { message_token: number }).message_token)).not.toBe('5741311803571721087');
      expect(event?.providerEventId).toBe('5741311803571721087');
      expect(event?.data).toMatchObject({ messageId: '5741311803571721087' });
    });

    it('quotes only real keys, whatever the spacing, and leaves look-alikes inside strings alone', () => {
      // Prepare
      const json = String.raw`{"message_token" : 5741311803571721087,"chat_id":5048086924903818307,"message":{"text":"\"message_token\":1","tracking_data":"message_token"}}`;

      // Act
      const parsed = parseJsonPreservingIntegers(json, VIBER_INT64_KEYS);

      // Assess
      expect(parsed).toEqual({
        message_token: '5741311803571721087',
        chat_id: '5048086924903818307',
        message: { text: '"message_token":1', tracking_data: 'message_token' },
      });
    });

    it('refuses a non-integer token as malformed', () => {
      // Act & Assess
      expect(() =>
        viberConnector.parse(post('{"event":"seen","timestamp":1,"message_token":1.5,"user_id":"u"}')),
      ).toThrow(ValidationError);
    });

    it('falls back to a deterministic key when Viber sends no token', () => {
      // Prepare
      const payload = { event: 'seen', timestamp: 1714564800000, user_id: USER.id };

      // Act
      const first = normalize(payload).events[0];
      const again = normalize(payload).events[0];

      // Assess
      expect(first?.providerEventId).toBe(`seen:${USER.id}:1714564800000`);
      expect(again?.id).toBe(first?.id);
    });
  });

  describe('messages', () => {
    it('maps a text message with identity and user traits', () => {
      // Act
      const event = onlyMessage({ type: 'text', text: 'Чи є доставка у Львів?' });

      // Assess
      expect(event).toMatchObject({
        type: 'message.received',
        channel: 'viber',
        occurredAt: '2024-05-01T12:00:00.000Z',
        summary: 'Чи є доставка у Львів?',
        customer: { traits: { name: 'Olena Kovalenko', avatar: USER.avatar, country: 'UA', language: 'uk' } },
        data: { direction: 'inbound', contentType: 'text', text: 'Чи є доставка у Львів?' },
      });
      expect(event.customer.identities.map(identityKey)).toEqual([`viber:${USER.id}`]);
    });

    it.each([
      [
        'picture',
        { type: 'picture', text: 'my receipt', media: 'https://dl-media.viber.com/p.jpg', thumbnail: 'https://t' },
        'image',
        'Image: my receipt',
      ],
      [
        'video',
        { type: 'video', media: 'https://dl-media.viber.com/v.mp4', size: 10_000, duration: 12 },
        'video',
        'Video',
      ],
      [
        'file',
        { type: 'file', media: 'https://dl-media.viber.com/f', file_name: 'invoice.pdf', size: 3220 },
        'document',
        'Document: invoice.pdf',
      ],
      ['sticker', { type: 'sticker', sticker_id: 46105, media: 'https://viber.com/s.png' }, 'sticker', 'Sticker'],
      ['url', { type: 'url', media: 'https://example.com/product/42' }, 'text', 'Link: https://example.com/product/42'],
    ] as const)('maps a %s message', (_, message, contentType, summary) => {
      // Act
      const event = onlyMessage(message);

      // Assess
      expect(event.summary).toBe(summary);
      expect(event.data.contentType).toBe(contentType);
      expect(event.data.media?.url).toBe(message.media);
    });

    it('keeps the sticker id as the media id', () => {
      // Act
      const event = onlyMessage({ type: 'sticker', sticker_id: 46105 });

      // Assess
      expect(event.data.media).toEqual({ id: '46105' });
    });

    it('maps a location, preferring its address', () => {
      // Act
      const bare = onlyMessage({ type: 'location', location: { lat: 50.76891, lon: 6.11499 } });
      const named = onlyMessage({ type: 'location', location: { lat: 49.84, lon: 24.03, address: 'Rynok Sq, Lviv' } });

      // Assess
      expect(bare.data).toMatchObject({ contentType: 'location', text: '50.76891, 6.11499' });
      expect(named.summary).toBe('Location: Rynok Sq, Lviv');
    });

    describe('contact cards', () => {
      it("links the number as a phone identity when the card carries the sender's own name (share-phone reply)", () => {
        // Act
        const event = onlyMessage({
          text: 'share',
          type: 'contact',
          contact: { name: 'olena  kovalenko', phone_number: '380501234567' },
        });

        // Assess
        expect(event.customer.identities.map(identityKey)).toEqual([`viber:${USER.id}`, 'phone:+380501234567']);
        expect(event.summary).toBe('Shared own phone number');
      });

      it.each([
        ["somebody else's card", { name: 'Itamar', phone_number: '+972511123123' }, USER],
        ['a card without a name', { phone_number: '+380501234567' }, USER],
        [
          'a sender without a name (personal data sharing off)',
          { name: 'Olena Kovalenko', phone_number: '+380501234567' },
          { id: USER.id },
        ],
      ])('never adopts the number from %s', (_, contact, sender) => {
        // Act
        const event = onlyMessage({ type: 'contact', contact }, sender);

        // Assess
        expect(event.customer.identities.map(identityKey)).toEqual([`viber:${USER.id}`]);
        expect(event.data.contentType).toBe('contact');
        expect(JSON.stringify(event)).not.toContain(contact.phone_number.replace('+', ''));
      });
    });

    it('acknowledges and lists message types it does not model', () => {
      // Act
      const result = normalizeRaw(messageBody({ type: 'rich_media', rich_media: {} }));

      // Assess
      expect(result).toEqual({
        events: [],
        ignored: ['message 5741311803571721087: unsupported message type rich_media'],
      });
    });

    it('answers 400 for a message callback without sender or message', () => {
      // Act & Assess
      expect(() =>
        viberConnector.parse(
          post('{"event":"message","timestamp":1,"message_token":1,"message":{"type":"text","text":"x"}}'),
        ),
      ).toThrow(/sender/);
      expect(() =>
        viberConnector.parse(
          post(`{"event":"message","timestamp":1,"message_token":1,"sender":${JSON.stringify(USER)}}`),
        ),
      ).toThrow(/message/);
    });

    it("falls back to receivedAt for a timestamp Date cannot represent (the SDK vector's 4977069964384421269)", () => {
      // Act
      const { events } = normalizeRaw(
        `{"event":"message","timestamp":4977069964384421269,"message_token":1,"sender":{"id":"u1"},"message":{"type":"text","text":"x"}}`,
      );

      // Assess
      expect(events[0]?.occurredAt).toBe(CTX.receivedAt);
    });
  });

  describe('subscriptions and receipts', () => {
    it('maps subscribed to consent.granted on viber with the user traits', () => {
      // Act
      const event = normalize({ event: 'subscribed', timestamp: 1714564800000, user: USER, message_token: 1 })
        .events[0];

      // Assess
      expect(event).toMatchObject({
        type: 'consent.granted',
        providerEventId: '1:subscribed',
        data: { channel: 'viber', purpose: 'all', reason: 'subscribed' },
        customer: { traits: { name: 'Olena Kovalenko' } },
      });
    });

    it('maps unsubscribed to consent.revoked on viber', () => {
      // Act
      const event = normalize({ event: 'unsubscribed', timestamp: 1714564800000, user_id: USER.id, message_token: 2 })
        .events[0];

      // Assess
      expect(event).toMatchObject({ type: 'consent.revoked', data: { channel: 'viber', reason: 'unsubscribed' } });
      expect(event?.customer.identities.map(identityKey)).toEqual([`viber:${USER.id}`]);
    });

    it.each([
      ['delivered', 'message.delivered'],
      ['seen', 'message.read'],
      ['failed', 'message.failed'],
    ] as const)('maps %s to %s about the outbound message, keyed <token>:<event>', (name, type) => {
      // Act
      const event = normalize({
        event: name,
        timestamp: 1714564800000,
        message_token: 7,
        user_id: USER.id,
        desc: 'blocked',
      }).events[0];

      // Assess
      expect(event).toMatchObject({
        type,
        providerEventId: `7:${name}`,
        data: { messageId: '7', direction: 'outbound' },
      });
      if (name === 'failed') expect(event?.data).toMatchObject({ error: { code: 'failed', message: 'blocked' } });
    });

    it('answers 400 for a receipt without user_id', () => {
      // Act & Assess
      expect(() => viberConnector.parse(post('{"event":"delivered","timestamp":1,"message_token":1}'))).toThrow(
        /user_id/,
      );
    });

    it('acknowledges conversation_started with an empty 200 (no welcome message) and no event', () => {
      // Prepare
      const req = post(fixture('viber', 'conversation-started.json'));
      const payload = viberConnector.parse(req);

      // Act
      const result = viberConnector.normalize(payload, CTX);
      const response = viberConnector.acknowledge?.(result, payload);

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored[0]).toMatch(/conversation_started/);
      expect(response).toMatchObject({ statusCode: 200, body: '' });
    });

    it('acknowledges the set_webhook check and unknown events with 200', () => {
      // Act
      const check = normalize({ event: 'webhook', timestamp: 1, message_token: 1 });
      const unknown = normalize({ event: 'client_status', timestamp: 1 });
      const response = viberConnector.acknowledge?.(
        check,
        viberConnector.parse(post('{"event":"webhook","timestamp":1}')),
      );

      // Assess
      expect(check.events).toEqual([]);
      expect(unknown.ignored).toEqual(['unsupported event: client_status']);
      expect(response?.statusCode).toBe(200);
      expect(JSON.parse(String(response?.body))).toMatchObject({ status: 'accepted', eventIds: [] });
    });
  });

  describe('through the local hub', () => {
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub();
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('answers the set_webhook check 200 and conversation_started with an empty body', async () => {
      // Act
      const check = await postWebhook(hub, 'viber', fixture('viber', 'webhook-check.json'));
      const started = await postWebhook(hub, 'viber', fixture('viber', 'conversation-started.json'));

      // Assess
      expect(check.status).toBe(200);
      expect(started.status).toBe(200);
      expect(started.text).toBe('');
    });

    it('links the phone from a share-phone reply to the Viber profile', async () => {
      // Act
      const res = await postWebhook(hub, 'viber', fixture('viber', 'message-contact-own-phone.json'));
      await hub.idle();
      const byPhone = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:+380501234567')}`);

      // Assess
      expect(res.status).toBe(200);
      expect(byPhone.status).toBe(200);
      expect(byPhone.body.identities).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'viber', value: '01234567890A=' })]),
      );
    });
  });
});
