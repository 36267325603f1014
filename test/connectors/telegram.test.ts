/**
 * Telegram edge cases the fixtures can't express: whose phone a shared
 * contact is, edits, inline buttons, media, update kinds the hub ignores and
 * the secret-token header.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { telegramConnector } from '../../functions/connectors/telegram/index.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Prepare (shared)
const SECRETS = { secret: 'tg_secret-token_123' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const USER = {
  id: 424242,
  is_bot: false,
  first_name: 'Olena',
  last_name: 'Koval',
  username: 'olenak',
  language_code: 'uk',
};
const CHAT = { id: 424242, first_name: 'Olena', type: 'private' };

const post = (payload: unknown) =>
  signedRequest(
    telegramConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(payload)) },
    SECRETS,
  );

const normalize = (payload: unknown) => telegramConnector.normalize(telegramConnector.parse(post(payload)), CTX);

const message = (fields: Record<string, unknown>) => ({
  update_id: 900001,
  message: { message_id: 77, from: USER, chat: CHAT, date: 1714564800, ...fields },
});

const only = (payload: unknown): HubEventOf<'message.received'> => {
  const { events, ignored } = normalize(payload);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return HubEventSchema.parse(events[0]) as HubEventOf<'message.received'>;
};

const identitiesOf = (payload: unknown) => only(payload).customer.identities.map(identityKey);

describe('Connector: telegram', () => {
  describe('verify', () => {
    const withToken = (token: string | undefined) =>
      rawRequest({
        url: `${TEST_BASE_URL}/webhooks/telegram`,
        headers: token === undefined ? {} : { 'X-Telegram-Bot-Api-Secret-Token': token },
        body: '{}',
      });

    it('accepts the configured secret token, whatever the header case', () => {
      // Act
      const result = telegramConnector.verify(withToken(SECRETS.secret), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: true });
    });

    it.each([
      ['a different token of the same length', 'tg_secret-token_124', /does not match/],
      ['a prefix of the token', 'tg_secret', /does not match/],
      ['the token with a suffix', `${SECRETS.secret}x`, /does not match/],
      ['an empty header', '', /missing/i],
      ['no header', undefined, /missing/i],
    ])('rejects %s', (_, token, reason) => {
      // Act
      const result = telegramConnector.verify(withToken(token), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('fails closed when no secret is configured, even for a request without the header', () => {
      // Act
      const result = telegramConnector.verify(withToken(undefined), {}, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
    });
  });

  describe('shared contacts', () => {
    it('adds the phone when the sender shares their own contact (contact.user_id == from.id)', () => {
      // Act
      const identities = identitiesOf(
        message({ contact: { phone_number: '+380501234567', first_name: 'Olena', user_id: USER.id } }),
      );

      // Assess
      expect(identities).toEqual(['telegram:424242', 'telegram_username:olenak', 'phone:+380501234567']);
    });

    it('normalizes the digits-only phone Telegram usually sends', () => {
      // Act
      const identities = identitiesOf(
        message({ contact: { phone_number: '380501234567', first_name: 'Olena', user_id: USER.id } }),
      );

      // Assess
      expect(identities).toEqual(['telegram:424242', 'telegram_username:olenak', 'phone:+380501234567']);
    });

    it("does not add the phone of someone else's contact (contact.user_id != from.id)", () => {
      // Act
      const event = only(message({ contact: { phone_number: '+380671112233', first_name: 'Taras', user_id: 515151 } }));

      // Assess
      expect(event.customer.identities.map(identityKey)).toEqual(['telegram:424242', 'telegram_username:olenak']);
      expect(event.data).toMatchObject({ contentType: 'contact', text: 'Taras' });
    });

    it('does not add the phone of a contact card without user_id', () => {
      // Act
      const identities = identitiesOf(message({ contact: { phone_number: '+380671112233', first_name: 'Taras' } }));

      // Assess
      expect(identities).toEqual(['telegram:424242', 'telegram_username:olenak']);
    });
  });

  describe('messages', () => {
    it('maps a text message with traits, chat and update_id as the dedup key', () => {
      // Act
      const event = only(
        message({ text: 'Hi there', reply_to_message: { message_id: 70, chat: CHAT, date: 1714564700 } }),
      );

      // Assess
      expect(event).toMatchObject({
        connector: 'telegram',
        channel: 'telegram',
        providerEventId: '900001',
        occurredAt: '2024-05-01T12:00:00.000Z',
        summary: 'Hi there',
        customer: { traits: { firstName: 'Olena', lastName: 'Koval', username: 'olenak', language: 'uk' } },
        data: {
          messageId: '77',
          direction: 'inbound',
          contentType: 'text',
          text: 'Hi there',
          conversationId: '424242',
          replyTo: '70',
        },
      });
      expect(event.data.edited).toBeUndefined();
    });

    it('keeps ids beyond 32 bits exact as strings', () => {
      // Prepare
      const bigId = 2 ** 52 - 1;

      // Act
      const event = only({
        update_id: 1,
        message: {
          message_id: 1,
          from: { ...USER, id: bigId },
          chat: { id: -1001234567890123, type: 'supergroup' },
          date: 1714564800,
          text: 'x',
        },
      });

      // Assess
      expect(event.customer.identities.map(identityKey)).toEqual([
        'telegram:4503599627370495',
        'telegram_username:olenak',
      ]);
      expect(event.data.conversationId).toBe('-1001234567890123');
    });

    it('maps an edited message with data.edited, the edit time and its own update_id', () => {
      // Prepare
      const original = message({ text: 'Helo' });
      const edit = { update_id: 900002, edited_message: { ...original.message, text: 'Hello', edit_date: 1714564860 } };

      // Act
      const before = only(original);
      const after = only(edit);

      // Assess
      expect(after).toMatchObject({
        providerEventId: '900002',
        occurredAt: '2024-05-01T12:01:00.000Z',
        summary: '(edited) Hello',
        data: { messageId: '77', text: 'Hello', edited: true },
      });
      expect(after.id).not.toBe(before.id);
    });

    it('maps a callback_query (inline button) to a button message', () => {
      // Prepare
      const payload = {
        update_id: 900003,
        callback_query: {
          id: '4382bfdwdsb323b2d9',
          from: USER,
          message: { message_id: 76, chat: CHAT, date: 1714564700, text: 'Book a table?' },
          chat_instance: '-7070707070',
          data: 'book:yes',
        },
      };

      // Act
      const event = only(payload);

      // Assess
      expect(event).toMatchObject({
        providerEventId: '900003',
        occurredAt: CTX.receivedAt,
        summary: 'Button: book:yes',
        data: {
          messageId: '4382bfdwdsb323b2d9',
          contentType: 'button',
          text: 'book:yes',
          conversationId: '424242',
          replyTo: '76',
        },
      });
      expect(event.customer.identities.map(identityKey)).toEqual(['telegram:424242', 'telegram_username:olenak']);
    });

    it('maps a photo to its largest size with the caption', () => {
      // Act
      const event = only(
        message({
          photo: [
            { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
            { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280 },
          ],
          caption: 'Our kitchen',
        }),
      );

      // Assess
      expect(event.data).toMatchObject({ contentType: 'image', media: { id: 'large' }, text: 'Our kitchen' });
      expect(event.summary).toBe('Image: Our kitchen');
    });

    it('maps a voice note to audio with its mime type', () => {
      // Act
      const event = only(
        message({ voice: { file_id: 'v1', file_unique_id: 'u', duration: 3, mime_type: 'audio/ogg' } }),
      );

      // Assess
      expect(event.data).toMatchObject({ contentType: 'audio', media: { id: 'v1', mimeType: 'audio/ogg' } });
    });
  });

  describe('ignored updates', () => {
    it.each([
      'poll',
      'poll_answer',
      'my_chat_member',
      'chat_member',
      'channel_post',
      'message_reaction',
      'pre_checkout_query',
    ])('acknowledges a %s update and lists it as ignored', (kind) => {
      // Act
      const result = normalize({ update_id: 900010, [kind]: { id: 'x' } });

      // Assess
      expect(result).toEqual({ events: [], ignored: [`unsupported update kind: ${kind}`] });
    });

    it('ignores a message sent on behalf of a chat (no from)', () => {
      // Act
      const result = normalize({
        update_id: 900011,
        message: { message_id: 1, chat: { id: -100, type: 'channel' }, date: 1714564800, text: 'news' },
      });

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual(['update 900011: message without a user sender (sent on behalf of a chat)']);
    });

    it('ignores a service message with no content the hub models', () => {
      // Act
      const result = normalize(message({ new_chat_members: [USER] }));

      // Assess
      expect(result).toEqual({ events: [], ignored: ['update 900001: unsupported message content'] });
    });
  });

  describe('parse', () => {
    it('names the missing update_id', () => {
      // Act & Assess
      expect(() => telegramConnector.parse(post({ message: message({ text: 'x' }).message }))).toThrow(ValidationError);
      expect(() => telegramConnector.parse(post({ message: message({ text: 'x' }).message }))).toThrow(/update_id/);
    });

    it('names a bad field inside the message', () => {
      // Act & Assess
      expect(() =>
        telegramConnector.parse(post({ update_id: 1, message: { message_id: 1, from: USER, date: 1 } })),
      ).toThrow(/message\.chat/);
    });
  });
});

describe('Connector: telegram known-answer authenticity (independent of signSample)', () => {
  // setWebhook's secret_token (1–256 of A-Z a-z 0-9 _ -) comes back verbatim in X-Telegram-Bot-Api-Secret-Token;
  // the body is the webhook guide's curl example, byte for byte.
  const TOKEN = 'Omnihub_Bot-Secret_0123456789';
  const body = () => readFileSync('functions/connectors/telegram/fixtures/message-text.json');
  const verify = (headers: Record<string, string>) =>
    telegramConnector.verify(
      rawRequest({ url: `${TEST_BASE_URL}/webhooks/telegram`, body: body(), headers }),
      { secret: TOKEN },
      { now: TEST_NOW },
    );

  it('accepts the header exactly as Telegram names it', () => {
    // Act & Assess
    expect(verify({ 'X-Telegram-Bot-Api-Secret-Token': 'Omnihub_Bot-Secret_0123456789' })).toEqual({ ok: true });
  });

  it.each([
    ['in another case', { 'X-Telegram-Bot-Api-Secret-Token': 'omnihub_bot-secret_0123456789' }],
    ['with a trailing space', { 'X-Telegram-Bot-Api-Secret-Token': 'Omnihub_Bot-Secret_0123456789 ' }],
    ['under another header', { 'X-Telegram-Secret-Token': 'Omnihub_Bot-Secret_0123456789' }],
    ['as a bot token header', { Authorization: 'Bearer Omnihub_Bot-Secret_0123456789' }],
  ])('refuses the token %s', (_, headers) => {
    // Act & Assess
    expect(verify(headers).ok).toBe(false);
  });

  it('signs samples with that one header', () => {
    // Act
    const signed = telegramConnector.signSample(
      {
        url: `${TEST_BASE_URL}/webhooks/telegram`,
        method: 'POST',
        body: body(),
        contentType: 'application/json',
        now: TEST_NOW,
      },
      { secret: TOKEN },
    );

    // Assess
    expect(signed).toEqual({
      url: `${TEST_BASE_URL}/webhooks/telegram`,
      headers: { 'x-telegram-bot-api-secret-token': 'Omnihub_Bot-Secret_0123456789' },
    });
  });
});
