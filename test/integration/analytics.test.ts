/**
 * Analytics end to end: a seeded journey posted as signed vendor webhooks
 * (website, WhatsApp, Binotel) to the local hub, through the profile writer
 * into the lake, then `GET /v1/metrics` — every metric equal to the values
 * computed by hand below. Then an erasure: the customer leaves the metrics
 * and the lake.
 *
 * Journey (week of Mon 3 June 2024, UTC; one week bucket, 2024-06-03):
 * | who  | webhooks                                                                                          |
 * |------|---------------------------------------------------------------------------------------------------|
 * | Ann  | 06-03 09:00 site lead (utm instagram, phone 050 111 0001) · 09:05 WhatsApp message from her phone · |
 * |      | 09:15 WhatsApp status sent wamid.ANN1 · 09:20 read · 06-04 12:00 site order W1 1500.00 UAH (posted |
 * |      | twice) · 06-05 10:00 site survey NPS 9                                                            |
 * | Bob  | 06-03 10:00 Binotel inbound call missed · 10:05 outbound call answered · 06-04 11:00 site survey     |
 * |      | CSAT 4 · 06-05 15:00 order W2 500.00 UAH · 06-06 15:00 order W3 700.00 UAH                           |
 * | Cara | 06-04 08:00 WhatsApp message (phone 050 333 0003) · 08:30 site lead, email only (a second profile)  |
 * |      | · 09:00 site callback request with phone and email (merges the two)                               |
 * | Eve  | 06-06 12:00 site survey CSAT 2                                                                     |
 * | Dan  | 06-05 09:00 WhatsApp message · 09:30 site order W9 999.00 UAH · then erased                        |
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const sec = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const fixture = (connector: string, file: string): string =>
  readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8');

const site = (type: string, occurredAt: string, visitor: Record<string, string>, data: Record<string, unknown>) =>
  JSON.stringify({ version: 1, type, occurredAt, visitor, data });

const whatsappMessage = (waId: string, id: string, at: string) => {
  const body = JSON.parse(fixture('whatsapp', 'message-text.json'));
  const value = body.entry[0].changes[0].value;
  value.contacts[0].wa_id = waId;
  Object.assign(value.messages[0], { from: waId, id, timestamp: String(sec(at)) });
  return JSON.stringify(body);
};

const whatsappStatus = (waId: string, id: string, status: 'sent' | 'read', at: string) => {
  const body = JSON.parse(fixture('whatsapp', 'status-sent.json'));
  Object.assign(body.entry[0].changes[0].value.statuses[0], {
    id,
    status,
    recipient_id: waId,
    timestamp: String(sec(at)),
  });
  return JSON.stringify(body);
};

const binotelCall = (callId: string, phone: string, at: string, outbound: boolean, answered: boolean) => {
  const form = new URLSearchParams(fixture('binotel', 'api-call-completed.txt').trim());
  form.set('callDetails[generalCallID]', callId);
  form.set('callDetails[callID]', callId);
  form.set('callDetails[externalNumber]', phone);
  form.set('callDetails[startTime]', String(sec(at)));
  form.set('callDetails[callType]', outbound ? '1' : '0');
  form.set('callDetails[billsec]', answered ? '60' : '0');
  form.set('callDetails[disposition]', answered ? 'ANSWER' : 'CANCEL');
  return form.toString();
};

const orderData = (orderId: string, amountMinor: number) => ({
  orderId,
  total: { amountMinor, currency: 'UAH' },
  items: [{ name: 'Sofa', quantity: 1 }],
});

const ANN = { phone: '0501110001', email: 'ann@example.com' };
const BOB = { phone: '0502220002' };
const DAN = { phone: '0504440004' };

const WEBHOOKS: [connector: string, body: string, contentType?: string][] = [
  ['site', site('lead.submitted', '2024-06-03T09:00:00Z', ANN, { answers: [], utm: { source: 'instagram' } })],
  ['whatsapp', whatsappMessage('380501110001', 'wamid.IN-ANN', '2024-06-03T09:05:00Z')],
  ['whatsapp', whatsappStatus('380501110001', 'wamid.ANN1', 'sent', '2024-06-03T09:15:00Z')],
  ['whatsapp', whatsappStatus('380501110001', 'wamid.ANN1', 'read', '2024-06-03T09:20:00Z')],
  ['site', site('order.placed', '2024-06-04T12:00:00Z', ANN, orderData('W1', 150_000))],
  ['site', site('order.placed', '2024-06-04T12:00:00Z', ANN, orderData('W1', 150_000))],
  ['site', site('form.submitted', '2024-06-05T10:00:00Z', ANN, { answers: [], score: { kind: 'nps', value: 9 } })],
  [
    'binotel',
    binotelCall('9000000001', BOB.phone, '2024-06-03T10:00:00Z', false, false),
    'application/x-www-form-urlencoded',
  ],
  [
    'binotel',
    binotelCall('9000000002', BOB.phone, '2024-06-03T10:05:00Z', true, true),
    'application/x-www-form-urlencoded',
  ],
  ['site', site('form.submitted', '2024-06-04T11:00:00Z', BOB, { answers: [], score: { kind: 'csat', value: 4 } })],
  ['site', site('order.placed', '2024-06-05T15:00:00Z', BOB, orderData('W2', 50_000))],
  ['site', site('order.placed', '2024-06-06T15:00:00Z', BOB, orderData('W3', 70_000))],
  ['whatsapp', whatsappMessage('380503330003', 'wamid.IN-CARA', '2024-06-04T08:00:00Z')],
  ['site', site('lead.submitted', '2024-06-04T08:30:00Z', { email: 'cara@example.com' }, { answers: [] })],
  ['site', site('callback.requested', '2024-06-04T09:00:00Z', { phone: '0503330003', email: 'cara@example.com' }, {})],
  [
    'site',
    site(
      'form.submitted',
      '2024-06-06T12:00:00Z',
      { email: 'eve@example.com' },
      { answers: [], score: { kind: 'csat', value: 2 } },
    ),
  ],
  ['whatsapp', whatsappMessage('380504440004', 'wamid.IN-DAN', '2024-06-05T09:00:00Z')],
  ['site', site('order.placed', '2024-06-05T09:30:00Z', DAN, orderData('W9', 99_900))],
];

const QUERY = '/v1/metrics?from=2024-06-03T00:00:00Z&to=2024-06-10T00:00:00Z&granularity=week';
const B = '2024-06-03';

let hub: LocalHub;

beforeAll(async () => {
  hub = await startTestHub();
  for (const [connector, body, contentType] of WEBHOOKS) {
    // One at a time, in order, as each vendor would send them.
    const res = await postWebhook(hub, connector, body, contentType ? { contentType } : {});
    expect(res.status, `${connector}: ${res.text}`).toBeLessThan(300);
    await hub.idle();
  }
}, 120_000);
afterAll(() => hub?.stop());

/** The single point of a metric's series with `key`. */
const point = (body: any, name: string, key: Record<string, string> = {}) => {
  const series = body.metrics[name].series.find((s: any) => JSON.stringify(s.key) === JSON.stringify(key));
  if (!series) throw new Error(`${name}: no series ${JSON.stringify(key)}: ${JSON.stringify(body.metrics[name])}`);
  return series.points[0];
};

describe('Analytics end to end: GET /v1/metrics on the local hub', () => {
  it('answers every metric equal to the hand-computed values', async () => {
    // Prepare: Dan is erased first; his rows leave the metrics at once.
    const dan = await api(hub, '/v1/customers?identity=phone:0504440004');
    expect(dan.status).toBe(200);
    const erased = await fetch(`${hub.url}/v1/customers/${dan.body.customerId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hub.apiToken}` },
    });
    expect(erased.status, await erased.clone().text()).toBe(200);

    // Act
    const res = await api(hub, QUERY);

    // Assess
    expect(res.status).toBe(200);
    const m = res.body;
    expect(m.buckets).toEqual([B]);
    expect(Object.keys(m.metrics).sort()).toEqual(
      [
        'active_customers',
        'average_order_value',
        'channel_mix',
        'first_response_time',
        'lead_conversion',
        'ltv_distribution',
        'missed_calls',
        'nps_csat',
        'omnichannel_share',
        'read_rate',
        'repeat_purchase',
        'revenue_by_channel',
        'revenue_by_source',
      ].sort(),
    );
    // Contacts: web = Ann's lead + survey, Bob's survey, Cara's lead + callback request, Eve's survey = 6 by 4
    // customers; whatsapp = Ann's and Cara's messages (Dan's is erased); ecommerce = W1 (posted twice: one
    // order), W2, W3; phone = Bob's missed inbound and answered outbound call.
    expect(point(m, 'channel_mix', { channel: 'web' })).toEqual({ bucket: B, contacts: 6, customers: 4 });
    expect(point(m, 'channel_mix', { channel: 'whatsapp' })).toEqual({ bucket: B, contacts: 2, customers: 2 });
    expect(point(m, 'channel_mix', { channel: 'ecommerce' })).toEqual({ bucket: B, contacts: 3, customers: 2 });
    expect(point(m, 'channel_mix', { channel: 'phone' })).toEqual({ bucket: B, contacts: 2, customers: 1 });
    // Ann (web, whatsapp, ecommerce), Bob (phone, web, ecommerce), Cara (whatsapp, web: her two profiles were
    // merged by the callback request), Eve (web) → 3 of 4.
    expect(point(m, 'omnichannel_share')).toEqual({
      bucket: B,
      activeCustomers: 4,
      omnichannelCustomers: 3,
      share: 0.75,
    });
    // W1 1500.00 + W2 500.00 + W3 700.00 (Dan's W9 erased).
    expect(point(m, 'revenue_by_channel', { channel: 'ecommerce', currency: 'UAH' })).toEqual({
      bucket: B,
      orders: 3,
      revenueMinor: 270_000,
      refundsMinor: 0,
      netMinor: 270_000,
    });
    // Ann's first lead came from Instagram; Bob never left a lead.
    expect(point(m, 'revenue_by_source', { source: 'instagram', currency: 'UAH' })).toEqual({
      bucket: B,
      orders: 1,
      revenueMinor: 150_000,
    });
    expect(point(m, 'revenue_by_source', { source: '(none)', currency: 'UAH' })).toEqual({
      bucket: B,
      orders: 2,
      revenueMinor: 120_000,
    });
    // Leads: Ann's (ordered 27 h = 97 200 s later) and Cara's (no order) → 1 of 2.
    expect(point(m, 'lead_conversion', { channel: 'web' })).toEqual({
      bucket: B,
      leads: 2,
      converted: 1,
      conversion: 0.5,
      medianSecondsToPurchase: 97_200,
    });
    // Ann's lead 09:00 and message 09:05 are one wait, answered by the WhatsApp message sent at 09:15: 900 s.
    // Cara's message 08:00, lead and callback request: one wait, never answered.
    expect(point(m, 'first_response_time', { channel: 'web' })).toEqual({
      bucket: B,
      answered: 1,
      unanswered: 0,
      medianSeconds: 900,
      p90Seconds: 900,
    });
    expect(point(m, 'first_response_time', { channel: 'whatsapp' })).toEqual({
      bucket: B,
      answered: 0,
      unanswered: 1,
      medianSeconds: null,
      p90Seconds: null,
    });
    // Bob's inbound call was missed (1 of 1) and called back 5 min later; Cara's callback request never was.
    expect(point(m, 'missed_calls')).toEqual({
      bucket: B,
      inboundCalls: 1,
      missedCalls: 1,
      missedRate: 1,
      callbacksNeeded: 2,
      calledBackWithinSla: 1,
      callbackRate: 0.5,
    });
    // First orders: Ann (W1), Bob (W2); Bob ordered again (W3) a day later → 1 of 2.
    expect(point(m, 'repeat_purchase')).toEqual({ bucket: B, newCustomers: 2, repeatCustomers: 1, rate: 0.5 });
    // 2700.00 / 3 = 900.00.
    expect(point(m, 'average_order_value', { currency: 'UAH' })).toEqual({
      bucket: B,
      orders: 3,
      revenueMinor: 270_000,
      aovMinor: 90_000,
      refundsMinor: 0,
      netAovMinor: 90_000,
    });
    // LTV (3 years): Ann 1500.00 × 1 × 3 = 4500.00; Bob aov 600.00 × 2 orders a year × 3 = 3600.00.
    expect(point(m, 'ltv_distribution', { currency: 'UAH' })).toEqual({
      bucket: B,
      customers: 2,
      meanMinor: 405_000,
      p10Minor: 360_000,
      p25Minor: 360_000,
      p50Minor: 360_000,
      p75Minor: 450_000,
      p90Minor: 450_000,
    });
    // NPS: Ann 9 → 100. CSAT: Bob 4 (satisfied), Eve 2 → 50.
    expect(point(m, 'nps_csat')).toEqual({
      bucket: B,
      npsResponses: 1,
      promoters: 1,
      passives: 0,
      detractors: 0,
      nps: 100,
      csatResponses: 2,
      satisfied: 1,
      csat: 50,
    });
    expect(point(m, 'active_customers')).toEqual({ bucket: B, active30: 4, active90: 4, known: 4, inactive90: 0 });
    // wamid.ANN1 sent and read.
    expect(point(m, 'read_rate', { channel: 'whatsapp' })).toEqual({
      bucket: B,
      sent: 1,
      delivered: 1,
      readMessages: 1,
      deliveredRate: 1,
      readRate: 1,
    });
    expect(m.metrics.channel_mix.definition).toMatch(/^contacts and customers per channel/);
  });

  it('takes the erased customer’s rows out of the lake, keeping only the erasure record', async () => {
    // Prepare: the lake compacts shortly after an erasure; run it now rather than wait.
    await hub.lake.compact();

    // Act
    const rows = await hub.lake.query(
      `SELECT type, count(*) AS n FROM hub_lake WHERE customer_id IN (SELECT customer_id FROM hub_erased_customers) GROUP BY type`,
    );

    // Assess
    expect(rows).toEqual([{ type: 'customer.erased', n: 1 }]);
  });

  it('refuses bad queries with a 400 naming the parameter', async () => {
    const bad = await Promise.all(
      [
        '/v1/metrics?from=2024-06-03&to=2024-06-10T00:00:00Z',
        '/v1/metrics?from=2024-06-10T00:00:00Z&to=2024-06-03T00:00:00Z',
        '/v1/metrics?from=2024-06-03T00:00:00Z&to=2024-06-10T00:00:00Z&granularity=hour',
        '/v1/metrics?from=2024-06-03T00:00:00Z&to=2024-06-10T00:00:00Z&metric=revenue,churn',
        '/v1/metrics?from=2024-06-03T00:00:00Z&to=2024-06-10T00:00:00Z&connector=nokia',
        '/v1/metrics?from=2024-06-03T00:00:00Z&to=2024-06-10T00:00:00Z&timeZone=Mars/Olympus',
        '/v1/metrics?from=2020-01-01T00:00:00Z&to=2024-06-10T00:00:00Z&granularity=day',
      ].map((path) => api(hub, path)),
    );
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    expect(bad.map((r) => r.body.error.message)).toEqual([
      expect.stringMatching(/from/),
      expect.stringMatching(/to: must be after from/),
      expect.stringMatching(/granularity/),
      expect.stringMatching(/unknown metric revenue, churn/),
      expect.stringMatching(/no connector named "nokia"/),
      expect.stringMatching(/timeZone/),
      expect.stringMatching(/more than 400 day buckets/),
    ]);
  });

  it('answers one metric for one connector, and by day', async () => {
    const res = await api(hub, `${QUERY.replace('week', 'day')}&metric=missed_calls&connector=binotel`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.metrics)).toEqual(['missed_calls']);
    expect(res.body.connector).toBe('binotel');
    expect(res.body.buckets).toHaveLength(7);
    expect(res.body.metrics.missed_calls.series[0].points[0]).toMatchObject({
      bucket: B,
      missedCalls: 1,
      callbacksNeeded: 1,
    });
    expect(res.body.metrics.missed_calls.series[0].points[1]).toMatchObject({
      bucket: '2024-06-04',
      callbacksNeeded: 0,
    });
  });
});
