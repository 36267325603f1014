/**
 * Outbound messaging end to end: the local hub (DynamoDB Local, the local bus and
 * queues, the real HTTP surface) with fake vendor APIs that check every
 * request as the vendor documents it. Customers are created by signed
 * inbound webhooks; an injected clock stands for time passing (windows,
 * quiet hours, deferrals) instead of sleeping.
 *
 * Done-when: a Telegram customer gets a service reply in Telegram and it
 * shows in her conversation; a WhatsApp customer whose last message is 30 h
 * old gets 422 template_required for free text and a template when one is
 * given; a revoked Viber consent is skipped with its reason in
 * reachability; a Telegram 403 falls back to SMS and marks Telegram
 * unreachable; the same idempotency key sends once; status receipts move a
 * message to delivered and read, never back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { startFakeTelegram } from '../fakes/telegram.js';
import { startFakeTwilio } from '../fakes/twilio.js';
import { startFakeViber } from '../fakes/viber.js';
import { startFakeWhatsApp } from '../fakes/whatsapp.js';
import { api, postWebhook, startTestHub, TEST_SECRET } from '../helpers/hub.js';

const BOT_TOKEN = '7000000001:AAtest-bot-token';
const WA = { token: 'wa-access-token', phoneNumberId: '106540352242922' };
const TWILIO = { accountSid: 'AC00000000000000000000000000000077', authToken: 'twilio-auth-token' };
// 10:00 UTC = 12:00 in Kyiv: outside quiet hours.
let clock = new Date('2026-11-23T10:00:00.000Z');
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const hoursBefore = (h: number) => new Date(clock.getTime() - h * 3_600_000);

let hub: LocalHub;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
let whatsapp: Awaited<ReturnType<typeof startFakeWhatsApp>>;
let viber: Awaited<ReturnType<typeof startFakeViber>>;
let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;

const send = async (customerId: string, body: Record<string, unknown>) => {
  const res = await fetch(`${hub.url}/v1/customers/${customerId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

const telegramUpdate = (userId: number, updateId: number, text: string, at: Date, phone?: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    from: { id: userId, is_bot: false, first_name: 'Olena', language_code: 'uk' },
    chat: { id: userId, first_name: 'Olena', type: 'private' },
    date: unix(at),
    ...(phone ? { contact: { phone_number: phone, first_name: 'Olena', user_id: userId } } : { text }),
  },
});

const whatsappMessage = (waId: string, id: string, at: Date) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '1234567890987654321',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550001111', phone_number_id: WA.phoneNumberId },
            contacts: [{ profile: { name: 'Iryna' }, wa_id: waId }],
            messages: [
              { from: waId, id, timestamp: String(unix(at)), text: { body: 'Where is my order?' }, type: 'text' },
            ],
          },
        },
      ],
    },
  ],
});

const whatsappStatus = (waId: string, wamid: string, status: string, at: Date) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '1234567890987654321',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550001111', phone_number_id: WA.phoneNumberId },
            statuses: [{ id: wamid, status, timestamp: String(unix(at)), recipient_id: waId }],
          },
        },
      ],
    },
  ],
});

/** Posts a signed webhook and waits until every queue is idle. */
const inbound = async (connector: string, payload: unknown) => {
  const res = await postWebhook(hub, connector, JSON.stringify(payload));
  expect(res.status, res.text).toBe(200);
  await hub.idle();
};

const customerOf = async (identity: string): Promise<string> => {
  const res = await api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.customerId as string;
};

beforeAll(async () => {
  telegram = await startFakeTelegram({ token: BOT_TOKEN });
  whatsapp = await startFakeWhatsApp(WA);
  viber = await startFakeViber({ token: TEST_SECRET });
  twilio = await startFakeTwilio(TWILIO);
  hub = await startTestHub({
    now: () => clock,
    extraEnv: {
      OMNIHUB_API_TOKEN_TELEGRAM: BOT_TOKEN,
      OMNIHUB_API_BASE_URL_TELEGRAM: telegram.url,
      OMNIHUB_API_TOKEN_WHATSAPP: WA.token,
      OMNIHUB_SENDER_WHATSAPP: WA.phoneNumberId,
      OMNIHUB_API_BASE_URL_WHATSAPP: `${whatsapp.url}/v23.0`,
      OMNIHUB_SENDER_VIBER: 'Omnihub Shop',
      OMNIHUB_API_BASE_URL_VIBER: `${viber.url}/pa`,
      OMNIHUB_API_TOKEN_TWILIO: `${TWILIO.accountSid}:${TWILIO.authToken}`,
      OMNIHUB_SENDER_TWILIO: '+15005550006',
      OMNIHUB_API_BASE_URL_TWILIO: twilio.url,
    },
  });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  for (const fake of [telegram, whatsapp, viber, twilio]) {
    expect(fake.rejected, 'requests off the vendor documentation').toEqual([]);
    await fake.close();
  }
});

describe('Outbound: a Telegram customer gets a service reply in Telegram', () => {
  it('sends through sendMessage and shows it in her conversation beside her message', async () => {
    // Prepare
    await inbound('telegram', telegramUpdate(5550001, 1, 'Is my parcel sent?', hoursBefore(2)));
    const customerId = await customerOf('telegram:5550001');

    // Act
    const accepted = await send(customerId, { purpose: 'service', text: 'Yes, it left today', idempotencyKey: 'tg-1' });
    await hub.idle();

    // Assess
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'queued', channel: 'telegram', mode: 'text' });
    expect(accepted.body.reasons[0]).toMatchObject({
      channel: 'telegram',
      allowed: true,
      reasons: ['preferred_channel', 'no_window'],
    });
    expect(telegram.requests.at(-1)?.parsed).toEqual({ chat_id: 5550001, text: 'Yes, it left today' });
    const message = await api(hub, `/v1/customers/${customerId}/messages/${accepted.body.messageId}`);
    expect(message.body).toMatchObject({
      status: 'sent',
      channel: 'telegram',
      connector: 'telegram',
      vendorMessageId: expect.stringMatching(/^5550001:\d+$/),
    });
    expect(message.body.attempts).toEqual([expect.objectContaining({ n: 1, channel: 'telegram', outcome: 'sent' })]);
    const conversation = await api(hub, `/v1/customers/${customerId}/conversation`);
    expect(conversation.body.messages.map((m: any) => [m.channel, m.direction, m.text])).toEqual([
      ['telegram', 'inbound', 'Is my parcel sent?'],
      ['telegram', 'outbound', 'Yes, it left today'],
    ]);
  });
});

describe('Outbound: the same idempotency key sends once', () => {
  it('returns the same messageId for repeated and concurrent requests, one vendor call', async () => {
    // Prepare
    await inbound('telegram', telegramUpdate(5550002, 2, 'Hello', hoursBefore(1)));
    const customerId = await customerOf('telegram:5550002');
    const before = telegram.requests.length;
    const body = { purpose: 'service', text: 'Hello from the shop', idempotencyKey: 'same-key-1' };

    // Act
    const [a, b] = await Promise.all([send(customerId, body), send(customerId, body)]);
    const c = await send(customerId, body);
    await hub.idle();
    const d = await send(customerId, body);

    // Assess
    expect([a.status, b.status, c.status, d.status]).toEqual([202, 202, 202, 202]);
    expect(new Set([a.body.messageId, b.body.messageId, c.body.messageId, d.body.messageId]).size).toBe(1);
    expect(d.body.status).toBe('sent');
    expect(telegram.requests.length - before).toBe(1);
    const reused = await send(customerId, { ...body, text: 'another text' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('Outbound: WhatsApp outside the 24 h window', () => {
  let customerId: string;
  let wamid: string;

  it('answers 422 template_required for free text 30 h after her last message', async () => {
    // Prepare
    await inbound('whatsapp', whatsappMessage('380671110030', 'wamid.in30h', hoursBefore(30)));
    customerId = await customerOf('whatsapp:380671110030');

    // Act
    const refused = await send(customerId, {
      purpose: 'service',
      channel: 'whatsapp',
      text: 'Your order',
      idempotencyKey: 'wa-1',
    });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('template_required');
    expect(refused.body.error.channels.find((c: any) => c.channel === 'whatsapp')).toMatchObject({
      allowed: false,
      reasons: ['preferred_channel', 'template_required'],
    });
  });

  it('sends the template when one is given', async () => {
    // Act
    const accepted = await send(customerId, {
      purpose: 'service',
      channel: 'whatsapp',
      text: 'Your order',
      template: { name: 'order_update', language: 'uk', parameters: ['Iryna', '#1042'] },
      idempotencyKey: 'wa-2',
    });
    await hub.idle();

    // Assess
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ channel: 'whatsapp', mode: 'template' });
    expect(whatsapp.requests.at(-1)?.parsed).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '380671110030',
      type: 'template',
      template: {
        name: 'order_update',
        language: { policy: 'deterministic', code: 'uk' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Iryna' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
    });
    const message = await api(hub, `/v1/customers/${customerId}/messages/${accepted.body.messageId}`);
    expect(message.body.status).toBe('sent');
    wamid = message.body.vendorMessageId;
    expect(wamid).toMatch(/^wamid\./);
    // Later receipts refer to it.
    (globalThis as any).__wa = { messageId: accepted.body.messageId };
  });

  it('without a forced channel, free text goes by SMS instead (her phone from WhatsApp)', async () => {
    const accepted = await send(customerId, {
      purpose: 'service',
      text: 'Your order is ready',
      idempotencyKey: 'wa-3',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.channel).toBe('sms');
    await hub.idle();
  });

  it('a status receipt moves the message to delivered, then read, and a late delivered changes nothing', async () => {
    // Prepare
    const { messageId } = (globalThis as any).__wa as { messageId: string };
    const path = `/v1/customers/${customerId}/messages/${messageId}`;

    // Act & Assess: WhatsApp's own `sent` status first, as it sends one for every message.
    await inbound('whatsapp', whatsappStatus('380671110030', wamid, 'sent', clock));
    expect((await api(hub, path)).body.status).toBe('sent');
    await inbound('whatsapp', whatsappStatus('380671110030', wamid, 'delivered', clock));
    expect((await api(hub, path)).body.status).toBe('delivered');
    await inbound('whatsapp', whatsappStatus('380671110030', wamid, 'read', new Date(clock.getTime() + 60_000)));
    const read = (await api(hub, path)).body;
    expect(read).toMatchObject({ status: 'read', deliveredAt: expect.any(String), readAt: expect.any(String) });
    // A duplicate delivered with a later timestamp (a redelivery out of order) does not go back.
    await inbound('whatsapp', whatsappStatus('380671110030', wamid, 'delivered', new Date(clock.getTime() + 120_000)));
    expect((await api(hub, path)).body.status).toBe('read');
    expect(read.receipts.map((r: any) => r.status)).toEqual(['delivered', 'read']);
    // The conversation shows the template once (the `sent` status is a receipt, not a message).
    const conversation = (await api(hub, `/v1/customers/${customerId}/conversation`)).body.messages;
    expect(conversation.filter((m: any) => m.channel === 'whatsapp').map((m: any) => [m.direction, m.text])).toEqual([
      ['inbound', 'Where is my order?'],
      ['outbound', 'Template order_update (uk): Iryna, #1042'],
    ]);
  });
});

describe('Outbound: a revoked Viber consent is skipped with its reason', () => {
  it('shows consent_revoked for Viber in reachability and does not choose it', async () => {
    // Prepare
    const userId = 'vbUser0000000001==';
    await inbound('viber', {
      event: 'message',
      timestamp: hoursBefore(3).getTime(),
      message_token: 4912661846655238145n.toString(),
      sender: { id: userId, name: 'Marta', language: 'uk', country: 'UA', api_version: 10 },
      message: { type: 'text', text: 'Do you have it in blue?' },
    });
    const customerId = await customerOf(`viber:${userId}`);
    const subscribedPlan = await api(hub, `/v1/customers/${customerId}/reachability?purpose=marketing`);
    expect(subscribedPlan.body.channels[0]).toMatchObject({ channel: 'viber', allowed: true });
    await inbound('viber', {
      event: 'unsubscribed',
      timestamp: hoursBefore(1).getTime(),
      user_id: userId,
      message_token: '5466394919049723652',
    });

    // Act
    const plan = await api(hub, `/v1/customers/${customerId}/reachability?purpose=marketing`);

    // Assess
    expect(plan.status).toBe(200);
    const viberVerdict = plan.body.channels.find((c: any) => c.channel === 'viber');
    expect(viberVerdict).toMatchObject({ allowed: false, reasons: ['preferred_channel', 'consent_revoked'] });
    expect(viberVerdict.message).toContain('revoked consent for Viber');
    expect(plan.body.chosen).not.toBe('viber');
    const attempt = await send(customerId, { purpose: 'marketing', text: 'Blue is back', idempotencyKey: 'vb-1' });
    expect(attempt.status).toBe(409);
    expect(attempt.body.error.code).toBe('no_reachable_channel');
    expect(attempt.body.error.channels.find((c: any) => c.channel === 'viber').reasons).toContain('consent_revoked');
    expect(viber.requests).toHaveLength(0);
  });
});

describe('Outbound: a Telegram 403 falls back to SMS and marks Telegram unreachable', () => {
  it('tries Telegram, gets "bot was blocked", sends the SMS, and the next plan skips Telegram', async () => {
    // Prepare: she shared her own number in the chat, so the profile has a phone.
    await inbound('telegram', telegramUpdate(5550003, 3, '', hoursBefore(5), '+380671110003'));
    await inbound('telegram', telegramUpdate(5550003, 4, 'When will it arrive?', hoursBefore(4)));
    const customerId = await customerOf('telegram:5550003');
    telegram.failNext('blocked');
    const smsBefore = twilio.requests.length;

    // Act
    const accepted = await send(customerId, {
      purpose: 'transactional',
      text: 'Arrives tomorrow',
      idempotencyKey: 'tg-403',
    });
    await hub.idle();

    // Assess
    expect(accepted.body.channel).toBe('telegram');
    const message = (await api(hub, `/v1/customers/${customerId}/messages/${accepted.body.messageId}`)).body;
    expect(message).toMatchObject({ status: 'sent', channel: 'sms', connector: 'twilio' });
    expect(message.attempts).toEqual([
      expect.objectContaining({ channel: 'telegram', outcome: 'failed', failure: 'recipient', code: '403' }),
      expect.objectContaining({ channel: 'sms', outcome: 'sent', vendorMessageId: expect.stringMatching(/^SM/) }),
    ]);
    expect(twilio.requests.length - smsBefore).toBe(1);
    expect(twilio.requests.at(-1)?.parsed).toMatchObject({
      To: '+380671110003',
      From: '+15005550006',
      Body: 'Arrives tomorrow',
    });
    const profile = (await api(hub, `/v1/customers/${customerId}`)).body;
    expect(profile.unreachable.telegram).toMatchObject({ code: '403', source: 'telegram' });
    const plan = (await api(hub, `/v1/customers/${customerId}/reachability?purpose=service`)).body;
    expect(plan.channels.find((c: any) => c.channel === 'telegram')).toMatchObject({
      allowed: false,
      reasons: ['preferred_channel', 'marked_unreachable'],
    });
    // A dry run: WhatsApp (by her phone) would take a template; free text goes by SMS.
    expect(plan.chosen).not.toBe('telegram');
    expect(plan.channels.find((c: any) => c.channel === 'sms')).toMatchObject({ allowed: true });
    const timeline = (await api(hub, `/v1/customers/${customerId}/timeline?type=message.failed`)).body;
    expect(timeline.items[0]).toMatchObject({ channel: 'telegram', type: 'message.failed' });
  });
});

describe('Outbound: transient failures and quiet hours (injected clock)', () => {
  it('retries after a 429 with Retry-After, then sends', async () => {
    // Prepare
    await inbound('telegram', telegramUpdate(5550004, 5, 'Hi', hoursBefore(1)));
    const customerId = await customerOf('telegram:5550004');
    telegram.failNext('flood');

    // Act
    const accepted = await send(customerId, { purpose: 'service', text: 'Back to you', idempotencyKey: 'tg-429' });
    await hub.idle();
    const waiting = (await api(hub, `/v1/customers/${customerId}/messages/${accepted.body.messageId}`)).body;
    clock = new Date(Date.parse(waiting.notBefore) + 1000);
    expect(hub.outbound.scheduler.due()).toBeGreaterThanOrEqual(1);
    await hub.idle();

    // Assess
    expect(waiting).toMatchObject({
      status: 'queued',
      attempts: [expect.objectContaining({ outcome: 'retrying', code: '429' })],
    });
    expect(Date.parse(waiting.notBefore) - Date.parse(waiting.attempts[0].finishedAt)).toBeGreaterThanOrEqual(3000);
    const done = (await api(hub, `/v1/customers/${customerId}/messages/${accepted.body.messageId}`)).body;
    expect(done.status).toBe('sent');
    expect(done.attempts.map((a: any) => a.outcome)).toEqual(['retrying', 'sent']);
  });

  it('defers marketing in quiet hours in her zone, sends it when they end; an erased customer gets nothing', async () => {
    // Prepare: 20:00 UTC is 22:00 in Kyiv (her +380 number).
    clock = new Date('2026-11-24T20:00:00.000Z');
    await inbound('telegram', telegramUpdate(5550005, 6, '', hoursBefore(2), '+380671110005'));
    await inbound('telegram', telegramUpdate(5550006, 7, '', hoursBefore(2), '+380671110006'));
    const stays = await customerOf('telegram:5550005');
    const erased = await customerOf('telegram:5550006');
    const before = telegram.requests.length;

    // Act
    const a = await send(stays, { purpose: 'marketing', text: 'Sale starts now', idempotencyKey: 'qh-1' });
    const b = await send(erased, { purpose: 'marketing', text: 'Sale starts now', idempotencyKey: 'qh-2' });
    const service = await send(stays, { purpose: 'service', text: 'Your return is accepted', idempotencyKey: 'qh-3' });
    await hub.idle();
    const queued = (await api(hub, `/v1/customers/${stays}/messages/${a.body.messageId}`)).body;
    const del = await fetch(`${hub.url}/v1/customers/${erased}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hub.apiToken}` },
    });
    clock = new Date('2026-11-25T07:00:30.000Z');
    hub.outbound.scheduler.due();
    await hub.idle();

    // Assess
    expect(a.body).toMatchObject({ status: 'queued', notBefore: '2026-11-25T07:00:00.000Z' });
    expect(b.body.notBefore).toBe('2026-11-25T07:00:00.000Z');
    expect(service.body.notBefore).toBeUndefined();
    expect(queued.status).toBe('queued');
    expect(del.status).toBe(200);
    expect(telegram.requests.slice(before).map((r: any) => r.parsed)).toEqual([
      { chat_id: 5550005, text: 'Your return is accepted' },
      { chat_id: 5550005, text: 'Sale starts now' },
    ]);
    expect((await api(hub, `/v1/customers/${stays}/messages/${a.body.messageId}`)).body.status).toBe('sent');
    expect((await api(hub, `/v1/customers/${erased}/messages/${b.body.messageId}`)).status).toBe(404);
  });
});

describe('Outbound: request errors', () => {
  let customerId: string;
  beforeAll(async () => {
    clock = new Date('2026-11-26T10:00:00.000Z');
    await inbound('telegram', telegramUpdate(5550007, 8, 'hi', hoursBefore(1)));
    customerId = await customerOf('telegram:5550007');
  });

  it.each([
    ['a missing idempotency key', { purpose: 'service', text: 'x' }, 400, 'idempotency_key_required'],
    [
      'an unknown channel',
      { purpose: 'service', text: 'x', channel: 'fax', idempotencyKey: 'e1' },
      400,
      'unknown_channel',
    ],
    [
      'text over the Telegram limit (the only channel)',
      { purpose: 'service', text: 'x'.repeat(4097), idempotencyKey: 'e2' },
      400,
      'text_too_long',
    ],
    ['no text and no template', { purpose: 'service', idempotencyKey: 'e3' }, 400, 'malformed_request'],
    ['an unknown purpose', { purpose: 'spam', text: 'x', idempotencyKey: 'e4' }, 400, 'malformed_request'],
  ])('%s → %s %s', async (_name, body, status, code) => {
    const res = await send(customerId, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('an unknown customer is 404 for sending, reachability and message status', async () => {
    expect((await send('cus_nobody', { purpose: 'service', text: 'x', idempotencyKey: 'e5' })).status).toBe(404);
    expect((await api(hub, '/v1/customers/cus_nobody/reachability')).status).toBe(404);
    expect((await api(hub, `/v1/customers/${customerId}/messages/msg_00000000000000000000ff`)).status).toBe(404);
  });
});

describe('Outbound: vendor APIs on this machine only when the local config allows them', () => {
  it('with OMNIHUB_ALLOW_LOCAL_URLS=0 (as on AWS) the fake Telegram API never gets a request and nothing is sent', async () => {
    // Prepare: the same vendor configuration as the hub above, local URLs refused.
    const guarded = await startTestHub({
      now: () => clock,
      extraEnv: {
        OMNIHUB_ALLOW_LOCAL_URLS: '0',
        OMNIHUB_API_TOKEN_TELEGRAM: BOT_TOKEN,
        OMNIHUB_API_BASE_URL_TELEGRAM: telegram.url,
      },
    });
    try {
      const posted = await postWebhook(
        guarded,
        'telegram',
        JSON.stringify(telegramUpdate(5550099, 99, 'Hello?', hoursBefore(1))),
      );
      expect(posted.status, posted.text).toBe(200);
      await guarded.idle();
      const found = await api(guarded, `/v1/customers?identity=${encodeURIComponent('telegram:5550099')}`);
      const before = telegram.requests.length;

      // Act
      const res = await fetch(`${guarded.url}/v1/customers/${found.body.customerId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${guarded.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'service', text: 'Hi', idempotencyKey: 'guarded-1' }),
      });
      const accepted = (await res.json()) as any;
      await guarded.idle();

      // Assess
      expect(res.status, JSON.stringify(accepted)).toBe(202);
      expect(telegram.requests.length).toBe(before);
      const message = await api(guarded, `/v1/customers/${found.body.customerId}/messages/${accepted.messageId}`);
      expect(message.body.status).not.toBe('sent');
      expect(JSON.stringify(message.body.attempts)).toMatch(/Refusing to call http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await guarded.stop();
    }
  });
});
