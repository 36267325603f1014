/**
 * The customer's clocks and automation quiet hours end to end on the local
 * hub (DynamoDB Local, the local bus, queues and journaled timers, the real
 * HTTP surface) with a fake WhatsApp Cloud API that checks every request as
 * Meta documents it. The hub runs on an injected clock that stands still at
 * chosen local times until the test moves it (webhooks are stamped with it),
 * so a loaded machine cannot make a timer fire early; after each move the
 * test hands the real journaled timers their wake-up (`timers.due()`, what
 * their own setTimeout does). The inactivity period is injected short (8 s).
 *
 * Done-when: a fire inside an automation's quiet hours is deferred to their
 * end (not dropped, not sent early); `customer.inactive` and
 * `customer.birthday` fire at their time, survive a restart of the hub in
 * the middle of the wait, fire once; a birthday automation's template
 * parameter is filled from the profile and reaches WhatsApp as the body
 * component Meta documents; the birthday timer is re-armed for next year.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationsFileInput } from '../../functions/automations/config.js';
import { buildEvent } from '../../functions/connectors/shared/build-event.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { startFakeWhatsApp } from '../fakes/whatsapp.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const WA = { token: 'wa-access-token', phoneNumberId: '106540352242922' };
/** 09:00 in Kyiv on 13 May 2026 (UTC+3): the end of the quiet hours below. */
const QUIET_END = new Date('2026-05-13T06:00:00.000Z');
/** 10:00 in Kyiv on 14 May 2026: OMNIHUB_BIRTHDAY_TIME on her birthday. */
const BIRTHDAY_AT = new Date('2026-05-14T07:00:00.000Z');
const INACTIVE_SECONDS = 8;

const AUTOMATIONS: AutomationsFileInput = {
  automations: [
    {
      name: 'feedback-thanks',
      description: 'Thank for a survey, but never at night',
      when: { 'detail-type': ['form.submitted'] },
      send: {
        purpose: 'service',
        text: 'Дякуємо за відгук, {{profile.firstName | друже}}!',
        template: { name: 'feedback_thanks', language: 'uk' },
      },
      quietHours: '21:00-09:00',
    },
    {
      name: 'birthday-greeting',
      when: { 'detail-type': ['customer.birthday'] },
      send: {
        purpose: 'marketing',
        template: { name: 'birthday_greeting', language: 'uk', parameters: ['{{profile.firstName}}'] },
      },
    },
  ],
};

let now = new Date();
/** The hub's clock: it stands at the local time a test needs until the test moves it. */
const clock = () => now;
const setClock = (at: Date) => {
  now = at;
};
/** Moves the clock and wakes the timers that came due, as their own setTimeout would. */
const advanceTo = async (at: Date) => {
  setClock(at);
  hub.automations.timers.due();
  await hub.idle();
};
const seconds = (from: Date, s: number) => new Date(from.getTime() + s * 1000);

let whatsapp: Awaited<ReturnType<typeof startFakeWhatsApp>>;
const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-automation-clocks-'));
const tableName = `test-${randomUUID()}`;
let hub: LocalHub;

const startHub = () =>
  startTestHub({
    tableName,
    dataDir,
    automations: AUTOMATIONS,
    now: clock,
    timeBased: { inactiveDays: INACTIVE_SECONDS / 86_400, birthdayTime: '10:00', leadUnansweredMinutes: 0 },
    extraEnv: {
      OMNIHUB_API_TOKEN_WHATSAPP: WA.token,
      OMNIHUB_SENDER_WHATSAPP: WA.phoneNumberId,
      OMNIHUB_API_BASE_URL_WHATSAPP: `${whatsapp.url}/v23.0`,
      OMNIHUB_QUIET_HOURS: 'off',
    },
  });

const site = async (type: 'message.received' | 'form.submitted', phone: string, id: string) => {
  const payload = {
    version: 1,
    type,
    occurredAt: clock().toISOString(),
    visitor: { id: `v_${phone.slice(-6)}`, phone, name: 'Олена Коваль' },
    data:
      type === 'message.received'
        ? { messageId: id, text: 'Привіт' }
        : { formId: 'nps', formName: 'Відгук', answers: [{ question: 'Оцінка', answer: '10' }] },
  };
  // Signed on the wall clock (ingest checks the signature's age against it); stamped with the hub's clock.
  const res = await postWebhook(hub, 'site', JSON.stringify(payload));
  expect(res.status, res.text).toBe(200);
  await hub.idle();
};

/** A contact from the old CRM with a birthday, through POST /v1/imports as `omnihub import` sends it. */
const importContact = async (phone: string, birthday: string) => {
  const now = clock().toISOString();
  const event = buildEvent(
    {
      connector: 'import',
      providerEventId: `crm:${phone}`,
      type: 'contact.imported',
      channel: 'crm',
      occurredAt: now,
      identities: [{ type: 'phone', value: phone }],
      traits: { name: 'Олена Коваль', birthday },
      summary: 'Imported from crm',
      data: { source: 'crm', row: 1 },
    },
    { receivedAt: now, defaultCountry: 'UA' },
  );
  const res = await fetch(`${hub.url}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [event] }),
  });
  expect(res.status, await res.text()).toBe(202);
  await hub.idle();
};

const customerOf = async (phone: string): Promise<string> => {
  const res = await api(hub, `/v1/customers?identity=${encodeURIComponent(`phone:${phone}`)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.customerId as string;
};

const timeline = async (customerId: string) => {
  const res = await api(hub, `/v1/customers/${customerId}/timeline?limit=50`);
  expect(res.status).toBe(200);
  return res.body.items as { eventId: string; type: string; occurredAt: string; data: Record<string, unknown> }[];
};

const requestsTo = (waId: string) =>
  whatsapp.requests
    .map((r) => JSON.parse(r.body.toString('utf8')) as { to: string; type: string; template?: unknown })
    .filter((b) => b.to === waId);

const eventually = async (check: () => Promise<boolean>, timeoutMs = 30_000) => {
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
  hub = await startHub();
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  expect(whatsapp.rejected, 'requests off the WhatsApp documentation').toEqual([]);
  await whatsapp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Automations: quiet hours', () => {
  it('a run due inside the automation’s quiet hours is deferred to their end, then sent once', async () => {
    // Prepare: 08:59:55 in Kyiv, inside 21:00-09:00.
    setClock(new Date(QUIET_END.getTime() - 5_000));

    // Act
    await site('form.submitted', '+380671130010', 'f1');
    const customerId = await customerOf('+380671130010');

    // Assess: nothing sent, nothing dropped — the run waits on a timer at 09:00
    expect(requestsTo('380671130010')).toEqual([]);
    expect((await timeline(customerId)).map((i) => i.type)).not.toContain('automation.skipped');
    const waiting = hub.automations.timers.pending().filter((t) => t.name === `a-feedback-thanks-${customerId}`);
    expect(waiting.map((t) => new Date(t.at).toISOString())).toEqual([QUIET_END.toISOString()]);

    // Act: 09:00 comes
    await advanceTo(QUIET_END);
    await eventually(async () => requestsTo('380671130010').length > 0);
    await advanceTo(seconds(QUIET_END, 5));

    // Assess: one message, queued at or after the end of quiet hours, with the name filled in
    expect(requestsTo('380671130010')).toEqual([
      expect.objectContaining({ type: 'template', template: expect.objectContaining({ name: 'feedback_thanks' }) }),
    ]);
    const runs = (await timeline(customerId)).filter((i) => i.type === 'automation.triggered');
    expect(runs).toHaveLength(1);
    expect(Date.parse(runs[0]?.occurredAt ?? '')).toBeGreaterThanOrEqual(QUIET_END.getTime());
  });
});

describe('Automations: customer.inactive and customer.birthday', () => {
  it('fire at their time across a restart, once each; the birthday template is filled from the profile', async () => {
    // Prepare: 09:59:50 in Kyiv on her birthday.
    const start = seconds(BIRTHDAY_AT, -10);
    setClock(start);
    await importContact('+380671130001', '1990-05-14');
    const birthdayCustomer = await customerOf('+380671130001');
    await site('message.received', '+380671130002', 'm1');
    const quietCustomer = await customerOf('+380671130002');
    const pendingFirst = hub.automations.timers.pending().find((t) => t.name === `t-inactive-${quietCustomer}`);
    setClock(seconds(start, 2));
    await site('message.received', '+380671130002', 'm2');

    // Act: stop in the middle of both waits; the journal holds both timers; start again on the same data
    await hub.stop();
    const journal = JSON.parse(readFileSync(join(dataDir, 'automation-timers.json'), 'utf8')) as {
      name: string;
      at: number;
    }[];
    const saved = new Map(journal.map((t) => [t.name, t.at]));
    expect(saved.get(`t-birthday-${birthdayCustomer}`)).toBe(BIRTHDAY_AT.getTime());
    // The second message did not rewrite the inactivity timer: it is still the first message's + 8 s.
    expect(pendingFirst).toBeDefined();
    expect(saved.get(`t-inactive-${quietCustomer}`)).toBe(Date.parse(pendingFirst?.at ?? ''));
    hub = await startHub();
    // 09:59:58: the inactivity timer (first message + 8 s) fires, finds the second message, moves to 10:00:00.
    await advanceTo(seconds(start, 8));
    expect((await timeline(quietCustomer)).map((i) => i.type)).not.toContain('customer.inactive');
    expect(
      hub.automations.timers
        .pending()
        .filter((t) => t.name === `t-inactive-${quietCustomer}`)
        .map((t) => t.at),
    ).toEqual([BIRTHDAY_AT.toISOString()]);
    // 10:00: both clocks come due.
    await advanceTo(BIRTHDAY_AT);
    await eventually(
      async () =>
        (await timeline(quietCustomer)).some((i) => i.type === 'customer.inactive') &&
        (await timeline(birthdayCustomer)).some((i) => i.type === 'automation.triggered'),
    );
    // A second wake-up later changes nothing.
    await advanceTo(seconds(BIRTHDAY_AT, 30));

    // Assess: one customer.inactive, about her last message, at least 8 s after it
    const quiet = await timeline(quietCustomer);
    const inactive = quiet.filter((i) => i.type === 'customer.inactive');
    const lastMessage = quiet
      .filter((i) => i.type === 'message.received')
      .sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1))[0];
    expect(inactive).toHaveLength(1);
    expect(inactive[0]?.data).toMatchObject({
      lastInteractionEventId: lastMessage?.eventId,
      inactiveDays: INACTIVE_SECONDS / 86_400,
    });
    expect(Date.parse(inactive[0]?.occurredAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(lastMessage?.occurredAt ?? '') + INACTIVE_SECONDS * 1000,
    );

    // Assess: one customer.birthday at 10:00 her time, one greeting, its parameter her first name
    const birthday = (await timeline(birthdayCustomer)).filter((i) => i.type === 'customer.birthday');
    expect(birthday).toHaveLength(1);
    expect(birthday[0]?.data).toEqual({ birthday: '1990-05-14', date: '2026-05-14', timeZone: 'Europe/Kyiv', age: 36 });
    expect(requestsTo('380671130001')).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '380671130001',
        type: 'template',
        template: {
          name: 'birthday_greeting',
          language: { policy: 'deterministic', code: 'uk' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Олена' }] }],
        },
      },
    ]);

    // Assess: next year's birthday is armed; no inactivity timer until she writes again
    const pending = hub.automations.timers.pending();
    expect(
      pending.filter((t) => t.name === `t-birthday-${birthdayCustomer}`).map((t) => new Date(t.at).toISOString()),
    ).toEqual(['2027-05-14T07:00:00.000Z']);
    expect(pending.filter((t) => t.name === `t-inactive-${quietCustomer}`)).toEqual([]);

    // Act: she is erased; Assess: next year's timer goes with her (customer.erased reaches the runner)
    const erased = await fetch(`${hub.url}/v1/customers/${birthdayCustomer}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hub.apiToken}` },
    });
    expect(erased.status, await erased.text()).toBeLessThan(300);
    await eventually(
      async () => !hub.automations.timers.pending().some((t) => t.name === `t-birthday-${birthdayCustomer}`),
    );
    expect(hub.automations.queue.deadLetters()).toEqual([]);
  });
});
