/**
 * The seeded journey the metric tests compute by hand: seven customers over
 * the week of Wed 1 – Tue 7 May 2024 (UTC), with history before it, a merge,
 * a redelivered event, an erased customer and two currencies. Each event is
 * a real `HubEvent` turned into a lake row exactly as the profile writer
 * does (`eventRow`), assigned to the profile the store would have applied it
 * to.
 *
 * Week buckets (weeks start on Monday): W1 = 2024-04-29 (holds 1–5 May),
 * W2 = 2024-05-06 (holds 6–7 May).
 *
 * | customer | events (UTC)                                                                                   |
 * |----------|------------------------------------------------------------------------------------------------|
 * | olena    | 05-01 09:00 site lead (web, utm google) · 09:10 WhatsApp sent wamid.o1 · 09:12 read wamid.o1 ·    |
 * |          | 05-02 12:00 site order A1 placed 1200.00 UAH · 12:05 A1 paid · 05-03 10:00 WhatsApp message in   |
 * |          | (applied to profile olena-wa, merged into olena at 10:01; the row is redelivered) · 10:20 sent  |
 * |          | wamid.o2 · 10:21 delivered wamid.o2 · 05-05 08:00 survey NPS 10 · 05-06 15:00 order A2 800.00   |
 * |          | UAH · 05-07 09:00 A2 refunded 300.00 UAH                                                        |
 * | petro    | 05-01 08:00 Binotel inbound call missed · 08:10 outbound call answered · 05-02 14:00 inbound    |
 * |          | missed · 14:30 inbound answered · 05-04 11:00 Poster till receipt P1 500.00 UAH (redelivered) · |
 * |          | 05-06 09:00 survey NPS 6                                                                        |
 * | iryna    | 04-15 10:00 Telegram message in · 05-02 18:00 Telegram message in · 05-04 09:00 Marquiz lead     |
 * |          | (web, no UTM) · 05-06 10:00 survey CSAT 5 · 05-07 10:00 site callback request                   |
 * | andriy   | 2022-03-01 10:00 Shopify order S0 paid 400.00 USD · 2024-05-05 10:00 order S2 paid 600.00 USD · |
 * |          | 10:05 Telegram sent tg.a1 · 11:00 read tg.a1 · 05-06 12:00 survey CSAT 3 · 18:00 Telegram in    |
 * | maks     | 05-04 10:00 and 10:02 WhatsApp in · 10:30 sent wamid.m1 · 05-05 09:00 WhatsApp in · 09:01 sent  |
 * |          | wamid.m2 · 12:00 survey NPS 8                                                                   |
 * | lida     | 03-20 10:00 Viber message in (nothing since)                                                    |
 * | stara    | 01-10 10:00 Viber message in (nothing since)                                                    |
 * | gone     | 05-03 Shopify order S1 999.00 UAH · WhatsApp in (profile gone-wa merged into gone) · erased      |
 * |          | 05-07 12:00                                                                                     |
 */
import { createHash } from 'node:crypto';
import { eventRow, erasureRow, mergeRow, reassignmentRow } from '../../../functions/analytics/lake-row.js';
import type { LakeRow } from '../../../functions/analytics/lake-schema.js';
import { parseHubEvent, type Channel, type HubEvent, type HubEventType } from '../../../functions/events/hub-event.js';

const eventId = (key: string): string => `evt_${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/** A valid hub event (parsed by the real schema) of `type` at `at`. */
export const hubEvent = (
  key: string,
  type: HubEventType,
  channel: Channel,
  connector: string,
  at: string,
  data: Record<string, unknown>,
): HubEvent =>
  parseHubEvent({
    schemaVersion: 1,
    id: eventId(key),
    connector,
    providerEventId: key,
    type,
    channel,
    occurredAt: at,
    receivedAt: at,
    customer: { identities: [{ type: 'site', value: key }], traits: {} },
    summary: key,
    data,
  });

/** The row of `event` applied to `customerId` (assigned a second after it happened). */
export const row = (customerId: string, event: HubEvent): LakeRow =>
  eventRow(event, customerId, new Date(Date.parse(event.occurredAt) + 1000));

const msgIn = (key: string, channel: Channel, connector: string, at: string) =>
  hubEvent(key, 'message.received', channel, connector, at, {
    messageId: key,
    direction: 'inbound',
    contentType: 'text',
  });
const msgStatus = (
  key: string,
  type: HubEventType,
  channel: Channel,
  connector: string,
  at: string,
  messageId: string,
) =>
  hubEvent(key, type, channel, connector, at, {
    messageId,
    direction: 'outbound',
    contentType: 'text',
  });
const call = (key: string, type: 'call.completed' | 'call.missed', direction: 'inbound' | 'outbound', at: string) =>
  hubEvent(key, type, 'phone', 'binotel', at, {
    callId: key,
    direction,
    durationSec: type === 'call.completed' ? 120 : 0,
  });
const order = (
  key: string,
  type: 'order.placed' | 'order.paid' | 'purchase.completed' | 'order.refunded',
  channel: Channel,
  connector: string,
  at: string,
  orderId: string,
  amountMinor: number,
  currency: string,
  refunded?: number,
) =>
  hubEvent(key, type, channel, connector, at, {
    orderId,
    total: { amountMinor, currency },
    items: [{ name: 'Sofa', quantity: 1 }],
    ...(refunded === undefined ? {} : { refunded: { amountMinor: refunded, currency } }),
  });
const form = (
  key: string,
  type: 'lead.submitted' | 'form.submitted' | 'callback.requested',
  connector: string,
  at: string,
  extra: Record<string, unknown> = {},
) => hubEvent(key, type, 'web', connector, at, { answers: [], ...extra });

export const EVENTS = {
  o1: form('o1', 'lead.submitted', 'site', '2024-05-01T09:00:00.000Z', { utm: { source: 'google' } }),
  o2: msgStatus('o2', 'message.sent', 'whatsapp', 'whatsapp', '2024-05-01T09:10:00.000Z', 'wamid.o1'),
  o3: msgStatus('o3', 'message.read', 'whatsapp', 'whatsapp', '2024-05-01T09:12:00.000Z', 'wamid.o1'),
  o4: order('o4', 'order.placed', 'ecommerce', 'site', '2024-05-02T12:00:00.000Z', 'A1', 120_000, 'UAH'),
  o5: order('o5', 'order.paid', 'ecommerce', 'site', '2024-05-02T12:05:00.000Z', 'A1', 120_000, 'UAH'),
  o6: msgIn('o6', 'whatsapp', 'whatsapp', '2024-05-03T10:00:00.000Z'),
  o7: msgStatus('o7', 'message.sent', 'whatsapp', 'whatsapp', '2024-05-03T10:20:00.000Z', 'wamid.o2'),
  o8: msgStatus('o8', 'message.delivered', 'whatsapp', 'whatsapp', '2024-05-03T10:21:00.000Z', 'wamid.o2'),
  o9: form('o9', 'form.submitted', 'site', '2024-05-05T08:00:00.000Z', { score: { kind: 'nps', value: 10 } }),
  o10: order('o10', 'order.placed', 'ecommerce', 'site', '2024-05-06T15:00:00.000Z', 'A2', 80_000, 'UAH'),
  o11: order('o11', 'order.refunded', 'ecommerce', 'site', '2024-05-07T09:00:00.000Z', 'A2', 80_000, 'UAH', 30_000),
  p1: call('p1', 'call.missed', 'inbound', '2024-05-01T08:00:00.000Z'),
  p2: call('p2', 'call.completed', 'outbound', '2024-05-01T08:10:00.000Z'),
  p3: call('p3', 'call.missed', 'inbound', '2024-05-02T14:00:00.000Z'),
  p4: call('p4', 'call.completed', 'inbound', '2024-05-02T14:30:00.000Z'),
  p5: order('p5', 'purchase.completed', 'pos', 'poster', '2024-05-04T11:00:00.000Z', 'P1', 50_000, 'UAH'),
  p6: form('p6', 'form.submitted', 'site', '2024-05-06T09:00:00.000Z', { score: { kind: 'nps', value: 6 } }),
  i0: msgIn('i0', 'telegram', 'telegram', '2024-04-15T10:00:00.000Z'),
  i1: msgIn('i1', 'telegram', 'telegram', '2024-05-02T18:00:00.000Z'),
  i2: form('i2', 'lead.submitted', 'marquiz', '2024-05-04T09:00:00.000Z'),
  i3: form('i3', 'form.submitted', 'site', '2024-05-06T10:00:00.000Z', { score: { kind: 'csat', value: 5 } }),
  i4: form('i4', 'callback.requested', 'site', '2024-05-07T10:00:00.000Z'),
  a0: order('a0', 'order.paid', 'ecommerce', 'shopify', '2022-03-01T10:00:00.000Z', 'S0', 40_000, 'USD'),
  a1: order('a1', 'order.paid', 'ecommerce', 'shopify', '2024-05-05T10:00:00.000Z', 'S2', 60_000, 'USD'),
  a2: msgStatus('a2', 'message.sent', 'telegram', 'telegram', '2024-05-05T10:05:00.000Z', 'tg.a1'),
  a3: msgStatus('a3', 'message.read', 'telegram', 'telegram', '2024-05-05T11:00:00.000Z', 'tg.a1'),
  a4: form('a4', 'form.submitted', 'site', '2024-05-06T12:00:00.000Z', { score: { kind: 'csat', value: 3 } }),
  a5: msgIn('a5', 'telegram', 'telegram', '2024-05-06T18:00:00.000Z'),
  m1: msgIn('m1', 'whatsapp', 'whatsapp', '2024-05-04T10:00:00.000Z'),
  m2: msgIn('m2', 'whatsapp', 'whatsapp', '2024-05-04T10:02:00.000Z'),
  m3: msgStatus('m3', 'message.sent', 'whatsapp', 'whatsapp', '2024-05-04T10:30:00.000Z', 'wamid.m1'),
  m4: msgIn('m4', 'whatsapp', 'whatsapp', '2024-05-05T09:00:00.000Z'),
  m5: msgStatus('m5', 'message.sent', 'whatsapp', 'whatsapp', '2024-05-05T09:01:00.000Z', 'wamid.m2'),
  m6: form('m6', 'form.submitted', 'site', '2024-05-05T12:00:00.000Z', { score: { kind: 'nps', value: 8 } }),
  l1: msgIn('l1', 'viber', 'viber', '2024-03-20T10:00:00.000Z'),
  s1: msgIn('s1', 'viber', 'viber', '2024-01-10T10:00:00.000Z'),
  g1: order('g1', 'order.placed', 'ecommerce', 'shopify', '2024-05-03T11:00:00.000Z', 'S1', 99_900, 'UAH'),
  g2: msgIn('g2', 'whatsapp', 'whatsapp', '2024-05-03T11:30:00.000Z'),
};

const OWNER: Record<keyof typeof EVENTS, string> = {
  ...(Object.fromEntries(Object.keys(EVENTS).map((k) => [k, `cus_${k[0]}`])) as Record<keyof typeof EVENTS, string>),
  // The WhatsApp message came before the profiles were joined: applied to the WhatsApp profile.
  o6: 'cus_o_wa',
  g2: 'cus_g_wa',
};

/** Every lake row of the journey, in the order they would arrive. */
export const journeyRows = (): LakeRow[] => [
  ...(Object.entries(EVENTS) as [keyof typeof EVENTS, HubEvent][]).map(([key, event]) => row(OWNER[key], event)),
  // Redeliveries: the profile writer hands a redelivered event to the lake again.
  row('cus_p', EVENTS.p5),
  eventRow(EVENTS.o6, 'cus_o_wa', new Date('2024-05-03T12:00:00.000Z')),
  mergeRow('evt_merge_o', new Date('2024-05-03T10:01:00.000Z'), 'cus_o', ['cus_o_wa']),
  mergeRow('evt_merge_g', new Date('2024-05-03T11:31:00.000Z'), 'cus_g', ['cus_g_wa']),
  erasureRow('evt_erase_g', new Date('2024-05-07T12:00:00.000Z'), 'cus_g', ['cus_g_wa']),
];

/** Customer ids of the journey (the store's would be `cus_<hash>`; short ones read better here). */
export const CUSTOMERS = {
  olena: 'cus_o',
  petro: 'cus_p',
  iryna: 'cus_i',
  andriy: 'cus_a',
  maks: 'cus_m',
  lida: 'cus_l',
  stara: 'cus_s',
  gone: 'cus_g',
} as const;

export { reassignmentRow };
