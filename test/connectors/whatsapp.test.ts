/**
 * WhatsApp edge cases the fixtures can't express: the GET handshake, a
 * signature known answer over `\u`-escaped bytes, every status, every message
 * type and batching.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { whatsappConnector } from '../../functions/connectors/whatsapp/index.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Prepare (shared)
const APP_SECRET = 'meta-app-secret';
const SECRETS = { secret: APP_SECRET, verifyToken: 'meatyhamhock' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const CUSTOMER = '380501234567';
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/whatsapp`;

const post = (payload: unknown) =>
  signedRequest(
    whatsappConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(payload)) },
    SECRETS,
  );

const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

const webhook = (...changes: { field: string; value: unknown }[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '102290129340398', changes }],
});

const messagesChange = (value: Record<string, unknown>) => ({
  field: 'messages',
  value: { messaging_product: 'whatsapp', metadata, ...value },
});

const inbound = (message: Record<string, unknown>) =>
  webhook(
    messagesChange({
      contacts: [{ profile: { name: 'Olena' }, wa_id: CUSTOMER }],
      messages: [{ from: CUSTOMER, id: 'wamid.IN1', timestamp: '1714564800', ...message }],
    }),
  );

const status = (fields: Record<string, unknown>) =>
  webhook(
    messagesChange({ statuses: [{ id: 'wamid.OUT1', timestamp: '1714564900', recipient_id: CUSTOMER, ...fields }] }),
  );

const normalize = (payload: unknown) => whatsappConnector.normalize(whatsappConnector.parse(post(payload)), CTX);

/** Normalizes one inbound message (fields over the defaults) and returns its single event. */
const onlyMessage = (message: Record<string, unknown>): HubEventOf<'message.received'> => {
  const { events, ignored } = normalize(inbound(message));
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  const event = events[0] as HubEventOf<'message.received'>;
  expect(event.type).toBe('message.received');
  HubEventSchema.parse(event);
  return event;
};

describe('Connector: whatsapp', () => {
  describe('GET handshake', () => {
    const verification = (query: string) => rawRequest({ method: 'GET', url: `${WEBHOOK_URL}?${query}` });

    it('echoes hub.challenge as text/plain 200 when the verify token matches', () => {
      // Prepare
      const req = verification('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock');

      // Act
      const response = whatsappConnector.handshake?.(req, SECRETS);

      // Assess
      expect(response?.statusCode).toBe(200);
      expect(response?.headers?.['content-type']).toMatch(/^text\/plain/);
      expect(response?.body).toBe('1158201444');
    });

    it('answers 403 with a JSON error when the verify token differs', () => {
      // Prepare
      const req = verification('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhocK');

      // Act
      const response = whatsappConnector.handshake?.(req, SECRETS);

      // Assess
      expect(response?.statusCode).toBe(403);
      expect(response?.headers?.['content-type']).toBe('application/json');
      expect(JSON.parse(String(response?.body))).toMatchObject({ error: { code: 'forbidden' } });
      expect(response?.body).not.toContain('1158201444');
    });

    it('answers 403 when no verify token is configured (fails closed)', () => {
      // Prepare
      const req = verification('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock');

      // Act
      const response = whatsappConnector.handshake?.(req, { secret: APP_SECRET });

      // Assess
      expect(response?.statusCode).toBe(403);
    });

    it.each([
      ['missing hub.mode', 'hub.challenge=1158201444&hub.verify_token=meatyhamhock'],
      ['hub.mode other than subscribe', 'hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock'],
      ['missing hub.challenge', 'hub.mode=subscribe&hub.verify_token=meatyhamhock'],
      ['missing hub.verify_token', 'hub.mode=subscribe&hub.challenge=1158201444'],
      ['no query at all', ''],
    ])('answers 400 for %s', (_, query) => {
      // Act
      const response = whatsappConnector.handshake?.(verification(query), SECRETS);

      // Assess
      expect(response?.statusCode).toBe(400);
      expect(JSON.parse(String(response?.body))).toMatchObject({ error: { code: 'malformed_request' } });
    });
  });

  describe('signature', () => {
    // Meta escapes non-ASCII; these are the bytes on the wire, backslashes included.
    const RAW = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ol\u0435na \u00c9"},"wa_id":"380501234567"}],"messages":[{"from":"380501234567","id":"wamid.KA1","timestamp":"1714564800","text":{"body":"Caf\u00e9 \ud83d\ude00 \u041f\u0440\u0438\u0432\u0456\u0442"},"type":"text"}]},"field":"messages"}]}]}`;
    const BODY = Buffer.from(RAW, 'utf8');
    /** Computed once with `openssl dgst -sha256 -hmac meta-app-secret` over the same bytes. */
    const KNOWN_ANSWER = 'sha256=1f802e8a0ce1b3e18d08a215bcf9136ff43b128430ce469c19cef44508c989a8';
    const withSignature = (signature: string | undefined, body = BODY) =>
      rawRequest({ url: WEBHOOK_URL, headers: signature ? { 'X-Hub-Signature-256': signature } : {}, body });

    it('matches an HMAC-SHA256 computed independently over the raw escaped bytes', () => {
      // Prepare
      const independent = `sha256=${createHmac('sha256', APP_SECRET).update(BODY).digest('hex')}`;

      // Act
      const result = whatsappConnector.verify(withSignature(KNOWN_ANSWER), SECRETS, { now: TEST_NOW });

      // Assess
      expect(independent).toBe(KNOWN_ANSWER);
      expect(RAW).toContain(String.raw`\ud83d\ude00`);
      expect(result).toEqual({ ok: true });
      expect(
        whatsappConnector.signSample(
          { url: WEBHOOK_URL, method: 'POST', body: BODY, contentType: 'application/json', now: TEST_NOW },
          SECRETS,
        ).headers,
      ).toEqual({
        'x-hub-signature-256': KNOWN_ANSWER,
      });
    });

    it('rejects a signature computed over a re-serialization of the parsed JSON', () => {
      // Prepare
      const reserialized = Buffer.from(JSON.stringify(JSON.parse(RAW)), 'utf8');
      const signature = `sha256=${createHmac('sha256', APP_SECRET).update(reserialized).digest('hex')}`;

      // Act
      const result = whatsappConnector.verify(withSignature(signature), SECRETS, { now: TEST_NOW });

      // Assess
      expect(reserialized.equals(BODY)).toBe(false);
      expect(result.ok).toBe(false);
    });

    it('decodes the escapes when parsing', () => {
      // Act
      const event = whatsappConnector.normalize(whatsappConnector.parse(withSignature(KNOWN_ANSWER)), CTX).events[0];

      // Assess
      expect(event?.summary).toBe('Café 😀 Привіт');
      expect(event?.customer.traits).toEqual({ name: 'Olеna É' });
    });

    it.each([
      ['the header is missing', undefined, /missing/i],
      ['the sha256= prefix is missing', KNOWN_ANSWER.slice('sha256='.length), /sha256=/],
      ['the hex is truncated', KNOWN_ANSWER.slice(0, -2), /does not match/],
      [
        'another secret signed it',
        `sha256=${createHmac('sha256', 'other').update(BODY).digest('hex')}`,
        /does not match/,
      ],
    ])('rejects the request when %s', (_, signature, reason) => {
      // Act
      const result = whatsappConnector.verify(withSignature(signature), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('fails closed without an app secret even when the header is present', () => {
      // Act
      const result = whatsappConnector.verify(
        withSignature(KNOWN_ANSWER),
        { verifyToken: 'meatyhamhock' },
        { now: TEST_NOW },
      );

      // Assess
      expect(result.ok).toBe(false);
    });
  });

  describe('statuses', () => {
    it.each([
      ['sent', 'message.sent'],
      ['delivered', 'message.delivered'],
      ['read', 'message.read'],
      ['failed', 'message.failed'],
    ] as const)('maps status %s to %s keyed by <wamid>:<status>', (name, type) => {
      // Act
      const { events, ignored } = normalize(status({ status: name }));

      // Assess
      expect(ignored).toEqual([]);
      expect(events).toHaveLength(1);
      const event = HubEventSchema.parse(events[0]);
      expect(event).toMatchObject({
        type,
        channel: 'whatsapp',
        providerEventId: `wamid.OUT1:${name}`,
        occurredAt: '2024-05-01T12:01:40.000Z',
        summary: name === 'failed' ? 'Status: failed' : `Status: ${name}`,
        data: { messageId: 'wamid.OUT1', direction: 'outbound' },
      });
      expect(event.customer.identities.map(identityKey)).toEqual(['whatsapp:380501234567', 'phone:+380501234567']);
    });

    it('gives each status of one message its own event id', () => {
      // Act
      const ids = ['sent', 'delivered', 'read'].map((s) => normalize(status({ status: s })).events[0]?.id);

      // Assess
      expect(new Set(ids).size).toBe(3);
    });

    it('carries errors[0] as data.error on failed', () => {
      // Prepare
      const payload = status({
        status: 'failed',
        errors: [
          {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            error_data: { details: 'Message Undeliverable.' },
          },
          { code: 1, title: 'second' },
        ],
      });

      // Act
      const event = normalize(payload).events[0] as HubEventOf<'message.failed'>;

      // Assess
      expect(event.data.error).toEqual({ code: '131026', message: 'Message undeliverable', unreachable: true });
      expect(event.summary).toBe('Status: failed (131026 Message undeliverable)');
    });

    it('attributes a group status to the participant, not the group', () => {
      // Prepare
      const payload = status({
        status: 'read',
        recipient_id: '120363025246125486',
        recipient_type: 'group',
        recipient_participant_id: CUSTOMER,
      });

      // Act
      const event = normalize(payload).events[0];

      // Assess
      expect(event?.customer.identities.map(identityKey)).toEqual(['whatsapp:380501234567', 'phone:+380501234567']);
    });

    it('acknowledges and lists statuses it does not model', () => {
      // Act
      const result = normalize(status({ status: 'deleted' }));

      // Assess
      expect(result).toEqual({ events: [], ignored: ['unsupported status: deleted (wamid.OUT1)'] });
    });
  });

  describe('messages', () => {
    it('maps a text message with name trait, phone identity and reply context', () => {
      // Act
      const event = onlyMessage({
        type: 'text',
        text: { body: 'Hello' },
        context: { from: '15550783881', id: 'wamid.PREV' },
      });

      // Assess
      expect(event).toMatchObject({
        providerEventId: 'wamid.IN1',
        occurredAt: '2024-05-01T12:00:00.000Z',
        summary: 'Hello',
        customer: { traits: { name: 'Olena' } },
        data: {
          messageId: 'wamid.IN1',
          direction: 'inbound',
          contentType: 'text',
          text: 'Hello',
          replyTo: 'wamid.PREV',
        },
      });
      expect(event.customer.identities.map(identityKey)).toEqual(['whatsapp:380501234567', 'phone:+380501234567']);
    });

    it('bounds the summary of a long text to 120 characters', () => {
      // Act
      const event = onlyMessage({ type: 'text', text: { body: 'x'.repeat(500) } });

      // Assess
      expect(Array.from(event.summary)).toHaveLength(120);
      expect(event.data.text).toHaveLength(500);
    });

    it.each([
      ['image', { mime_type: 'image/jpeg', sha256: '4654+8g=', id: '65463453' }, 'Image'],
      ['video', { caption: 'caption', mime_type: 'video/mp4', id: '765756756' }, 'Video: caption'],
      ['audio', { mime_type: 'audio/ogg; codecs=opus', id: '1234567890987654321', voice: true }, 'Audio'],
      [
        'document',
        { filename: 'filename.pdf', mime_type: 'application/pdf', id: '1234567890987654321' },
        'Document: filename.pdf',
      ],
      ['sticker', { mime_type: 'image/webp', id: '1234567890987654321', animated: false }, 'Sticker'],
    ] as const)('maps %s with media id and mime type', (type, media, summary) => {
      // Act
      const event = onlyMessage({ type, [type]: media });

      // Assess
      expect(event.summary).toBe(summary);
      expect(event.data).toMatchObject({ contentType: type, media: { id: media.id, mimeType: media.mime_type } });
    });

    it('maps a location', () => {
      // Act
      const event = onlyMessage({
        type: 'location',
        location: {
          latitude: 37.4611978,
          longitude: -122.2164385,
          name: 'Facebook HQ',
          address: '1 Hacker Way, Menlo Park, CA 94025',
        },
      });

      // Assess
      expect(event.data).toMatchObject({
        contentType: 'location',
        text: 'Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025',
      });
    });

    it('maps shared contact cards without adopting their phone numbers', () => {
      // Act
      const event = onlyMessage({
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Chandler Bing' },
            phones: [{ phone: '+1 555-555-5555', wa_id: '15555555555', type: 'CELL' }],
          },
        ],
      });

      // Assess
      expect(event.data).toMatchObject({ contentType: 'contact', text: 'Chandler Bing' });
      expect(event.customer.identities.map(identityKey)).toEqual(['whatsapp:380501234567', 'phone:+380501234567']);
    });

    it.each([
      ['button_reply', { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, book it' } }],
      [
        'list_reply',
        { type: 'list_reply', list_reply: { id: 'row-1', title: 'Yes, book it', description: 'Tomorrow 10:00' } },
      ],
    ])('maps an interactive %s', (_, interactive) => {
      // Act
      const event = onlyMessage({ type: 'interactive', interactive });

      // Assess
      expect(event.data).toMatchObject({ contentType: 'interactive', text: 'Yes, book it' });
      expect(event.summary).toBe('Selected: Yes, book it');
    });

    it('maps a template quick-reply button', () => {
      // Act
      const event = onlyMessage({
        type: 'button',
        button: { payload: 'STOP', text: 'Stop promotions' },
        context: { id: 'wamid.TPL' },
      });

      // Assess
      expect(event.data).toMatchObject({ contentType: 'button', text: 'Stop promotions', replyTo: 'wamid.TPL' });
    });

    it('maps a reaction and its removal', () => {
      // Act
      const added = onlyMessage({ type: 'reaction', reaction: { message_id: 'wamid.OUT9', emoji: '\ud83d\ude2e' } });
      const removed = onlyMessage({ type: 'reaction', reaction: { message_id: 'wamid.OUT9' } });

      // Assess
      expect(added.data).toMatchObject({ contentType: 'reaction', text: '😮', replyTo: 'wamid.OUT9' });
      expect(added.summary).toBe('Reaction 😮');
      expect(removed.summary).toBe('Reaction removed');
    });

    it.each([
      ['order', { order: { catalog_id: '354160437058781', product_items: [] } }],
      ['unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }],
      ['system', { system: { body: 'changed number' } }],
    ])('acknowledges and lists an unknown message type (%s)', (type, extra) => {
      // Act
      const result = normalize(inbound({ type, ...extra }));

      // Assess
      expect(result).toEqual({ events: [], ignored: [`unsupported message type: ${type} (wamid.IN1)`] });
    });
  });

  describe('batches', () => {
    it('iterates every entry, change, message and status, listing what it skips', () => {
      // Prepare
      const payload = {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'WABA-1',
            changes: [
              messagesChange({
                contacts: [
                  { profile: { name: 'Olena' }, wa_id: CUSTOMER },
                  { profile: { name: 'Taras' }, wa_id: '380671112233' },
                ],
                messages: [
                  { from: CUSTOMER, id: 'wamid.A', timestamp: '1714564800', type: 'text', text: { body: 'one' } },
                  { from: '380671112233', id: 'wamid.B', timestamp: '1714564801', type: 'text', text: { body: 'two' } },
                  { from: CUSTOMER, id: 'wamid.C', timestamp: '1714564802', type: 'order', order: {} },
                ],
              }),
              { field: 'account_update', value: { phone_number: '15550783881', event: 'VERIFIED_ACCOUNT' } },
            ],
          },
          {
            id: 'WABA-2',
            changes: [
              messagesChange({
                statuses: [
                  { id: 'wamid.X', status: 'delivered', timestamp: '1714564803', recipient_id: CUSTOMER },
                  { id: 'wamid.X', status: 'read', timestamp: '1714564804', recipient_id: CUSTOMER },
                ],
              }),
            ],
          },
        ],
      };

      // Act
      const { events, ignored } = normalize(payload);

      // Assess
      expect(events.map((e) => `${e.type} ${e.providerEventId}`)).toEqual([
        'message.received wamid.A',
        'message.received wamid.B',
        'message.delivered wamid.X:delivered',
        'message.read wamid.X:read',
      ]);
      expect(events[1]?.customer.traits).toEqual({ name: 'Taras' });
      expect(ignored).toEqual(['unsupported message type: order (wamid.C)', 'unsupported field: account_update']);
    });
  });

  describe('parse', () => {
    it('names the bad field of a malformed message', () => {
      // Prepare
      const req = post(inbound({ id: undefined, type: 'text', text: { body: 'x' } }));

      // Act & Assess
      expect(() => whatsappConnector.parse(req)).toThrow(ValidationError);
      expect(() => whatsappConnector.parse(req)).toThrow(/entry\.0\.changes\.0\.value\.messages\.0\.id/);
    });

    it('keeps unknown fields and accepts any value shape for fields it ignores', () => {
      // Prepare
      const req = post({
        object: 'whatsapp_business_account',
        future_field: true,
        entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: 'anything' }] }],
      });

      // Act
      const result = whatsappConnector.normalize(whatsappConnector.parse(req), CTX);

      // Assess
      expect(result).toEqual({ events: [], ignored: ['unsupported field: message_template_status_update'] });
    });

    it('rejects a body that is not a WhatsApp webhook', () => {
      // Act & Assess
      expect(() => whatsappConnector.parse(post({ hello: 'world' }))).toThrow(/entry/);
    });
  });
});
