/**
 * Automations end to end on the local hub (DynamoDB Local, the local bus and
 * queues, the real HTTP surface) with a fake WhatsApp Cloud API that checks
 * every request as Meta documents it. Time-based waits are injected short
 * (a second), on the real timers.
 *
 * Done-when: a `cart.updated` with no order fires `cart.abandoned` after the
 * wait and the abandoned-cart automation sends one WhatsApp template; an
 * `order.placed` within the wait cancels it; a restart in the middle of a
 * wait loses no timer and fires it once; the marketing frequency cap holds;
 * every run is in the customer's timeline with its outcome; template
 * parameters filled from the profile and the trigger reach WhatsApp as the
 * body component Meta documents, and a value she lacks skips the run with
 * `missing_parameter`; a quiz lead whose contact was given as a WhatsApp
 * number gets the acknowledgement on WhatsApp although she writes on
 * Telegram (`channel: 'trigger'`), one without gets it where the rules say.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationsFileInput } from '../../functions/automations/config.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { startFakeTelegram } from '../fakes/telegram.js';
import { startFakeWhatsApp } from '../fakes/whatsapp.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const WA = { token: 'wa-access-token', phoneNumberId: '106540352242922' };
const BOT_TOKEN = '123456:telegram-bot-token-for-tests';
/** One second: `OMNIHUB_ABANDONED_CART_HOURS` as the test injects it. */
const CART_WAIT_HOURS = 1 / 3600;

const AUTOMATIONS: AutomationsFileInput = {
  automations: [
    {
      name: 'abandoned-cart',
      description: 'A WhatsApp reminder for a cart the hub declared abandoned',
      when: { 'detail-type': ['cart.abandoned'] },
      send: {
        purpose: 'marketing',
        template: {
          name: 'cart_reminder',
          language: 'uk',
          parameters: ['{{profile.firstName | клієнте}}', '{{event.data.total}}'],
        },
        text: 'You left something in your cart',
      },
    },
    {
      name: 'quiz-ack',
      description: 'Tell a quiz lead we received the request',
      when: { 'detail-type': ['lead.submitted'] },
      send: {
        purpose: 'service',
        text: 'Дякуємо! Ми отримали вашу заявку і зателефонуємо протягом 15 хвилин.',
        template: { name: 'lead_received', language: 'uk' },
        channel: 'trigger',
      },
    },
    {
      name: 'checkout-manager',
      description: 'Introduce her personal manager when she starts a checkout',
      when: { 'detail-type': ['checkout.started'] },
      send: { purpose: 'service', text: 'Ваш менеджер {{profile.traits.manager}} на зв’язку.' },
    },
  ],
  marketingCap: { max: 1, per: '7d' },
};
/**
 * Four seconds: `OMNIHUB_LEAD_UNANSWERED_MINUTES` as the test injects it —
 * long enough that the manager's answer lands within it on a loaded machine.
 */
const LEAD_WAIT_MINUTES = 4 / 60;

let whatsapp: Awaited<ReturnType<typeof startFakeWhatsApp>>;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-automations-'));
const tableName = `test-${randomUUID()}`;
let hub: LocalHub;

const startHub = (abandonedCartHours = CART_WAIT_HOURS) =>
  startTestHub({
    tableName,
    dataDir,
    automations: AUTOMATIONS,
    timeBased: { abandonedCartHours, leadUnansweredMinutes: LEAD_WAIT_MINUTES },
    extraEnv: {
      OMNIHUB_API_TOKEN_WHATSAPP: WA.token,
      OMNIHUB_SENDER_WHATSAPP: WA.phoneNumberId,
      OMNIHUB_API_BASE_URL_WHATSAPP: `${whatsapp.url}/v23.0`,
      OMNIHUB_API_TOKEN_TELEGRAM: BOT_TOKEN,
      OMNIHUB_API_BASE_URL_TELEGRAM: telegram.url,
      // Marketing quiet hours follow the wall clock; the test must not depend on the hour it runs at.
      OMNIHUB_QUIET_HOURS: 'off',
    },
  });

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

const whatsappMessage = (waId: string, id: string) => ({
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
            contacts: [{ profile: { name: 'Olena' }, wa_id: waId }],
            messages: [{ from: waId, id, timestamp: String(unix(new Date())), text: { body: 'Hi' }, type: 'text' }],
          },
        },
      ],
    },
  ],
});

const siteLead = (
  type: 'lead.submitted' | 'callback.requested',
  phone: string,
  formId: string,
  contactChannel?: 'whatsapp' | 'telegram',
) => ({
  version: 1,
  type,
  occurredAt: new Date().toISOString(),
  visitor: { id: `v_${phone.slice(-6)}`, phone, name: 'Олена' },
  data: {
    formId,
    formName: 'Розрахунок кухні',
    answers: [{ question: 'Форма кухні', answer: 'Кутова' }],
    ...(contactChannel ? { contactChannel } : {}),
  },
});

/** She wrote to the bot and shared her phone (Telegram's contact message). */
const telegramContact = (userId: number, updateId: number, phone: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    from: { id: userId, is_bot: false, first_name: 'Olena', language_code: 'uk' },
    chat: { id: userId, first_name: 'Olena', type: 'private' },
    date: unix(new Date()),
    contact: { phone_number: phone, first_name: 'Olena', user_id: userId },
  },
});

const telegramTo = (chatId: number) =>
  telegram.requests.filter((r) => (JSON.parse(r.body.toString('utf8')) as { chat_id: number }).chat_id === chatId);

const siteEvent = (type: 'cart.updated' | 'order.placed', phone: string, id: string) => ({
  version: 1,
  type,
  occurredAt: new Date().toISOString(),
  visitor: { id: `v_${phone.slice(-6)}`, phone },
  data:
    type === 'cart.updated'
      ? {
          cartId: `cart_${id}`,
          total: { amountMinor: 2549900, currency: 'UAH' },
          items: [
            {
              sku: 'SOFA-OSLO-GRY',
              name: 'Sofa Oslo',
              quantity: 1,
              unitPrice: { amountMinor: 2549900, currency: 'UAH' },
            },
          ],
        }
      : {
          orderId: `ord_${id}`,
          total: { amountMinor: 2549900, currency: 'UAH' },
          items: [
            {
              sku: 'SOFA-OSLO-GRY',
              name: 'Sofa Oslo',
              quantity: 1,
              unitPrice: { amountMinor: 2549900, currency: 'UAH' },
            },
          ],
        },
});

const inbound = async (connector: string, payload: unknown) => {
  const res = await postWebhook(hub, connector, JSON.stringify(payload));
  expect(res.status, res.text).toBe(200);
  await hub.idle();
};

/** A WhatsApp customer (phone + wa_id) with an open 24 h window. */
const customer = async (waId: string): Promise<string> => {
  await inbound('whatsapp', whatsappMessage(waId, `wamid.in.${waId}`));
  const res = await api(hub, `/v1/customers?identity=${encodeURIComponent(`phone:+${waId}`)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.customerId as string;
};

const timeline = async (customerId: string) => {
  const res = await api(hub, `/v1/customers/${customerId}/timeline?limit=50`);
  expect(res.status).toBe(200);
  return res.body.items as { type: string; data: Record<string, unknown>; summary: string }[];
};

const textsTo = (waId: string) =>
  whatsapp.requests.filter((r) => {
    const body = JSON.parse(r.body.toString('utf8')) as { to: string; type: string };
    return body.to === waId && body.type === 'text';
  });

const templatesTo = (waId: string) =>
  whatsapp.requests.filter((r) => {
    const body = JSON.parse(r.body.toString('utf8')) as { to: string; type: string };
    return body.to === waId && body.type === 'template';
  });

/** Polls until `check` holds (timers are real; a loaded machine is slow). */
const eventually = async (check: () => Promise<boolean>, timeoutMs = 15_000) => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await hub.idle();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
};

beforeAll(async () => {
  whatsapp = await startFakeWhatsApp(WA);
  telegram = await startFakeTelegram({ token: BOT_TOKEN });
  hub = await startHub();
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  expect(whatsapp.rejected, 'requests off the WhatsApp documentation').toEqual([]);
  await whatsapp.close();
  expect(telegram.rejected, 'requests off the Telegram documentation').toEqual([]);
  await telegram.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Automations: the abandoned cart', () => {
  it('a cart with no order becomes cart.abandoned and gets one WhatsApp template, recorded in the timeline', async () => {
    // Prepare
    const customerId = await customer('380671110001');

    // Act
    await inbound('site', siteEvent('cart.updated', '+380671110001', 'a1'));
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'automation.triggered'));

    // Assess
    const items = await timeline(customerId);
    const abandoned = items.filter((i) => i.type === 'cart.abandoned');
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]?.data).toMatchObject({ cartId: 'cart_a1', total: { amountMinor: 2549900, currency: 'UAH' } });
    const runs = items.filter((i) => i.type === 'automation.triggered');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.data).toMatchObject({ automation: 'abandoned-cart', sentChannel: 'whatsapp' });
    const sent = templatesTo('380671110001');
    expect(sent).toHaveLength(1);
    // The parameters from her profile (WhatsApp gave her name) and the trigger, as Meta's body component.
    expect(JSON.parse(sent[0]?.body.toString('utf8') ?? '{}')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '380671110001',
      type: 'template',
      template: {
        name: 'cart_reminder',
        language: { policy: 'deterministic', code: 'uk' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Olena' },
              { type: 'text', text: '25499.00 UAH' },
            ],
          },
        ],
      },
    });
    expect(items.some((i) => i.type === 'message.sent')).toBe(true);
  });

  it('the marketing frequency cap holds: a second abandoned cart within the week is skipped with the reason', async () => {
    // Prepare: the first customer already got one marketing message (cap: 1 a week).
    const res = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:+380671110001')}`);
    const customerId = res.body.customerId as string;

    // Act
    await inbound('site', siteEvent('cart.updated', '+380671110001', 'a2'));
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'automation.skipped'));

    // Assess
    const skipped = (await timeline(customerId)).filter((i) => i.type === 'automation.skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.data).toMatchObject({ automation: 'abandoned-cart', reason: 'frequency_cap' });
    expect(templatesTo('380671110001')).toHaveLength(1);
  });

  it('a restart in the middle of the wait loses no timer and fires it once', async () => {
    // Prepare: a longer wait (4 s), so the stop certainly comes in the middle of it.
    await hub.stop();
    hub = await startHub(4 / 3600);
    const customerId = await customer('380671110003');
    await inbound('site', siteEvent('cart.updated', '+380671110003', 'c1'));

    // Act: stop before the timer is due; the journal holds it; start again on the same data folder and table.
    await hub.stop();
    const journal = JSON.parse(readFileSync(join(dataDir, 'automation-timers.json'), 'utf8')) as { name: string }[];
    expect(journal.map((t) => t.name)).toContain(`t-cart-${customerId}`);
    expect(templatesTo('380671110003')).toEqual([]);
    hub = await startHub(4 / 3600);
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'automation.triggered'));
    await new Promise((r) => setTimeout(r, 1_500));
    await hub.idle();

    // Assess
    const types = (await timeline(customerId)).map((i) => i.type);
    expect(types.filter((t) => t === 'cart.abandoned')).toHaveLength(1);
    expect(types.filter((t) => t === 'automation.triggered')).toHaveLength(1);
    expect(templatesTo('380671110003')).toHaveLength(1);
    expect(hub.automations.timers.pending()).toEqual([]);
  });

  it('an order.placed within the wait cancels it: no cart.abandoned, no message', async () => {
    // Prepare (the hub restarted above waits 4 s: the order certainly comes within the wait)
    const customerId = await customer('380671110002');

    // Act
    await inbound('site', siteEvent('cart.updated', '+380671110002', 'b1'));
    await inbound('site', siteEvent('order.placed', '+380671110002', 'b1'));
    await new Promise((r) => setTimeout(r, 5_000));
    await hub.idle();

    // Assess
    const types = (await timeline(customerId)).map((i) => i.type);
    expect(types).toContain('order.placed');
    expect(types).not.toContain('cart.abandoned');
    expect(types).not.toContain('automation.triggered');
    expect(templatesTo('380671110002')).toEqual([]);
    expect(hub.automations.timers.pending().filter((t) => t.name.endsWith(customerId))).toEqual([]);
  });
});

describe('Automations: leads', () => {
  it('a quiz lead gets the acknowledgement on the channel she writes in; nobody calling fires lead.unanswered', async () => {
    // Prepare: she wrote on WhatsApp (window open), then completed the kitchen quiz with that phone.
    const customerId = await customer('380671110004');

    // Act
    await inbound('site', siteLead('lead.submitted', '+380671110004', 'kitchen-quote'));
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'lead.unanswered'));

    // Assess: the ack went as WhatsApp text (within the 24 h window); an automation's message is no answer.
    const items = await timeline(customerId);
    const ack = items.filter((i) => i.type === 'automation.triggered');
    expect(ack).toHaveLength(1);
    expect(ack[0]?.data).toMatchObject({ automation: 'quiz-ack', sentChannel: 'whatsapp' });
    expect(textsTo('380671110004')).toHaveLength(1);
    const unanswered = items.filter((i) => i.type === 'lead.unanswered');
    expect(unanswered).toHaveLength(1);
    expect(unanswered[0]?.data).toMatchObject({ leadType: 'lead.submitted', formId: 'kitchen-quote' });
  });

  it("a manager's message within the wait answers a callback request: no lead.unanswered", async () => {
    // Prepare
    const customerId = await customer('380671110005');

    // Act
    const requestedAt = Date.now();
    await inbound('site', siteLead('callback.requested', '+380671110005', 'callback-widget'));
    const res = await fetch(`${hub.url}/v1/customers/${customerId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: 'service', text: 'Передзвоню за хвилину', idempotencyKey: 'manager-1' }),
    });
    expect(res.status).toBe(202);
    await hub.idle();
    // Past the moment the lead's timer was due, so its absence means it was cancelled, not that it is late.
    await new Promise((r) => setTimeout(r, Math.max(0, requestedAt + LEAD_WAIT_MINUTES * 60_000 + 1_500 - Date.now())));
    await hub.idle();

    // Assess
    const types = (await timeline(customerId)).map((i) => i.type);
    expect(types).toContain('callback.requested');
    expect(types).toContain('message.sent');
    expect(types).not.toContain('lead.unanswered');
  });

  it('a callback request with no call and no message fires lead.unanswered once', async () => {
    const customerId = await customer('380671110006');
    await inbound('site', siteLead('callback.requested', '+380671110006', 'callback-widget'));
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'lead.unanswered'));
    await new Promise((r) => setTimeout(r, 1_000));
    const unanswered = (await timeline(customerId)).filter((i) => i.type === 'lead.unanswered');
    expect(unanswered).toHaveLength(1);
    expect(unanswered[0]?.data).toMatchObject({ leadType: 'callback.requested', formId: 'callback-widget' });
  });
});

describe('Automations: what a run sends', () => {
  it('a placeholder she has no value for skips the run with missing_parameter, naming it; nothing is sent', async () => {
    // Prepare
    const customerId = await customer('380671110009');
    const before = textsTo('380671110009').length;

    // Act
    await inbound('site', {
      version: 1,
      type: 'checkout.started',
      occurredAt: new Date().toISOString(),
      visitor: { id: 'v_110009', phone: '+380671110009' },
      data: { checkoutId: 'chk_1', total: { amountMinor: 100, currency: 'UAH' }, items: [] },
    });
    await eventually(async () => (await timeline(customerId)).some((i) => i.type === 'automation.skipped'));

    // Assess
    const skipped = (await timeline(customerId)).filter((i) => i.type === 'automation.skipped');
    expect(skipped.map((i) => i.data)).toEqual([
      expect.objectContaining({
        automation: 'checkout-manager',
        reason: 'missing_parameter',
        detail: 'profile.traits.manager has no value for this customer (send.text)',
      }),
    ]);
    expect(textsTo('380671110009')).toHaveLength(before);
  });

  it('a quiz lead whose contact is a WhatsApp number is acknowledged on WhatsApp, though she writes on Telegram', async () => {
    // Prepare: two customers who wrote to the Telegram bot and shared their phones (Telegram is where the rules go).
    await inbound('telegram', telegramContact(5550107, 107, '+380671110007'));
    await inbound('telegram', telegramContact(5550108, 108, '+380671110008'));
    const lookup = async (phone: string) =>
      (await api(hub, `/v1/customers?identity=${encodeURIComponent(`phone:${phone}`)}`)).body.customerId as string;
    const [viaWhatsApp, viaRules] = [await lookup('+380671110007'), await lookup('+380671110008')];

    // Act: one gives her WhatsApp number in the quiz, the other just a phone
    await inbound('site', siteLead('lead.submitted', '+380671110007', 'kitchen-quote', 'whatsapp'));
    await inbound('site', siteLead('lead.submitted', '+380671110008', 'kitchen-quote'));
    await eventually(async () =>
      (await Promise.all([viaWhatsApp, viaRules].map(timeline))).every((items) =>
        items.some((i) => i.type === 'automation.triggered'),
      ),
    );

    // Assess: WhatsApp (a template: she never wrote there, so the 24 h window is closed), nothing on Telegram
    const ack = (await timeline(viaWhatsApp)).filter((i) => i.type === 'automation.triggered');
    expect(ack.map((i) => i.data)).toEqual([
      expect.objectContaining({ automation: 'quiz-ack', sentChannel: 'whatsapp' }),
    ]);
    expect(templatesTo('380671110007').map((r) => JSON.parse(r.body.toString('utf8')).template.name)).toEqual([
      'lead_received',
    ]);
    expect(telegramTo(5550107)).toEqual([]);
    // The other: where the reachability rules go, the bot she wrote to
    const other = (await timeline(viaRules)).filter((i) => i.type === 'automation.triggered');
    expect(other.map((i) => i.data)).toEqual([
      expect.objectContaining({ automation: 'quiz-ack', sentChannel: 'telegram' }),
    ]);
    expect(telegramTo(5550108)).toHaveLength(1);
    expect(templatesTo('380671110008')).toEqual([]);
  });
});
