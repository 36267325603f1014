/**
 * Every metric of analytics/*.sql on real DuckDB, over the seeded journey of
 * `journey.ts`, against values computed by hand below (period Wed 1 May –
 * Tue 7 May 2024 UTC, `to` = 2024-05-08T00:00Z; W1 = bucket 2024-04-29,
 * W2 = bucket 2024-05-06). The arithmetic is in each test so a reader can
 * check it against the journey's table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbMetricsEngine } from '../../../functions/adapters/local/duckdb-metrics-engine.js';
import { LocalLake } from '../../../functions/adapters/local/local-lake.js';
import { forDuckDb } from '../../../functions/analytics/dialect.js';
import {
  DEFAULT_METRIC_OPTIONS,
  metricParams,
  periodOf,
  shapeMetric,
  type Granularity,
  type MetricName,
} from '../../../functions/analytics/metrics.js';
import { METRIC_SQL } from '../../../functions/analytics/sql.generated.js';
import { computeTraits } from '../../../functions/domain/traits.js';
import { emptyProfile, foldEvents } from '../../../functions/domain/profile.js';
import { EVENTS, journeyRows } from './journey.js';

const FROM = new Date('2024-05-01T00:00:00.000Z');
const TO = new Date('2024-05-08T00:00:00.000Z');
const W1 = '2024-04-29';
const W2 = '2024-05-06';

let lake: LocalLake;
let engine: DuckDbMetricsEngine;

beforeAll(async () => {
  lake = await LocalLake.open();
  await lake.record(journeyRows());
  engine = new DuckDbMetricsEngine(lake);
});
afterAll(() => lake.close());

const metric = async (
  name: MetricName,
  opts: { granularity?: Granularity; connector?: string; timeZone?: string; from?: Date; to?: Date } = {},
) => {
  const period = periodOf(opts.from ?? FROM, opts.to ?? TO, opts.granularity ?? 'week', opts.timeZone ?? 'UTC');
  const rows = await engine.run(name, metricParams(period, opts.connector, DEFAULT_METRIC_OPTIONS));
  return shapeMetric(name, rows, period.buckets, '').series;
};

/** The points of the series whose key matches, by bucket. */
const points = (series: Awaited<ReturnType<typeof metric>>, key: Record<string, string> = {}) => {
  const found = series.find((s) => JSON.stringify(s.key) === JSON.stringify(key));
  if (!found) throw new Error(`no series ${JSON.stringify(key)} in ${JSON.stringify(series.map((s) => s.key))}`);
  return Object.fromEntries(found.points.map(({ bucket, ...values }) => [bucket, values]));
};

describe('Metric: channel_mix', () => {
  it('counts contacts and distinct customers per channel and bucket', async () => {
    // Act
    const series = await metric('channel_mix');

    // Assess
    // W1 web: o1 lead, o9 survey, i2 lead, m6 survey = 4 contacts of olena, iryna, maks = 3 customers.
    // W2 web: p6, i3, a4 surveys + i4 callback request = 4 contacts of petro, iryna, andriy = 3.
    expect(points(series, { channel: 'web' })).toEqual({
      [W1]: { contacts: 4, customers: 3 },
      [W2]: { contacts: 4, customers: 3 },
    });
    // W1 ecommerce: order A1 (placed + paid = one contact) and S2; gone's S1 is erased. W2: A2 (the refund is no contact).
    expect(points(series, { channel: 'ecommerce' })).toEqual({
      [W1]: { contacts: 2, customers: 2 },
      [W2]: { contacts: 1, customers: 1 },
    });
    // W1 whatsapp: o6 (redelivered: counted once, on olena through the merge), m1, m2, m4; sent/read are not contacts.
    expect(points(series, { channel: 'whatsapp' })).toEqual({
      [W1]: { contacts: 4, customers: 2 },
      [W2]: { contacts: 0, customers: 0 },
    });
    // W1 phone: p1 missed inbound, p2 answered outbound, p3 missed inbound, p4 answered inbound, all petro.
    expect(points(series, { channel: 'phone' })).toEqual({
      [W1]: { contacts: 4, customers: 1 },
      [W2]: { contacts: 0, customers: 0 },
    });
    // pos: P1 arrived twice, one contact. telegram: i1 in W1, a5 in W2 (i0 is before the period).
    expect(points(series, { channel: 'pos' })).toEqual({
      [W1]: { contacts: 1, customers: 1 },
      [W2]: { contacts: 0, customers: 0 },
    });
    expect(points(series, { channel: 'telegram' })).toEqual({
      [W1]: { contacts: 1, customers: 1 },
      [W2]: { contacts: 1, customers: 1 },
    });
    expect(series.map((s) => s.key.channel)).toEqual(['ecommerce', 'phone', 'pos', 'telegram', 'web', 'whatsapp']);
  });

  it('keeps only the contacts of the connector asked for', async () => {
    const series = await metric('channel_mix', { connector: 'binotel' });
    expect(series.map((s) => s.key)).toEqual([{ channel: 'phone' }]);
    expect(points(series, { channel: 'phone' })[W1]).toEqual({ contacts: 4, customers: 1 });
  });

  it('buckets by the local date of the time zone asked for', async () => {
    // Iryna's Telegram message of 05-02 18:00Z is 21:00 in Kyiv (UTC+3): still 2 May. Andriy's a5 of 05-06
    // 18:00Z is 21:00 on 6 May. By day in Kyiv over 2–7 May: telegram has 1 contact on 05-02 and 1 on 05-06.
    const series = await metric('channel_mix', {
      granularity: 'day',
      timeZone: 'Europe/Kyiv',
      from: new Date('2024-05-01T21:00:00.000Z'),
      to: new Date('2024-05-07T21:00:00.000Z'),
    });
    const telegram = points(series, { channel: 'telegram' });
    expect(Object.keys(telegram)).toEqual([
      '2024-05-02',
      '2024-05-03',
      '2024-05-04',
      '2024-05-05',
      '2024-05-06',
      '2024-05-07',
    ]);
    expect(telegram['2024-05-02']).toEqual({ contacts: 1, customers: 1 });
    expect(telegram['2024-05-06']).toEqual({ contacts: 1, customers: 1 });
    // Petro's 05-01 08:00Z calls are 11:00 on 1 May in Kyiv: before the period's local start.
    expect(points(series, { channel: 'phone' })['2024-05-02']).toEqual({ contacts: 2, customers: 1 });
  });
});

describe('Metric: omnichannel_share', () => {
  it('is the share of active customers with contacts on two or more channels', async () => {
    const series = await metric('omnichannel_share');
    // W1 active: olena (web, ecommerce, whatsapp), petro (phone, pos), iryna (telegram, web), andriy
    // (ecommerce), maks (whatsapp, web) → 5 active, 4 on >= 2 channels, share 4/5 = 0.8.
    // W2: olena (ecommerce), petro (web), iryna (web ×2), andriy (web, telegram) → 4 active, 1 → 0.25.
    expect(points(series)).toEqual({
      [W1]: { activeCustomers: 5, omnichannelCustomers: 4, share: 0.8 },
      [W2]: { activeCustomers: 4, omnichannelCustomers: 1, share: 0.25 },
    });
  });
});

describe('Metric: revenue_by_channel', () => {
  it('counts each order once, at its first event, and refunds in their bucket', async () => {
    const series = await metric('revenue_by_channel');
    // UAH ecommerce: W1 A1 1200.00 (placed 05-02 12:00; the paid event adds nothing); gone's S1 is erased.
    // W2 A2 800.00, refund of 300.00 on 05-07 → net 500.00.
    expect(points(series, { channel: 'ecommerce', currency: 'UAH' })).toEqual({
      [W1]: { orders: 1, revenueMinor: 120_000, refundsMinor: 0, netMinor: 120_000 },
      [W2]: { orders: 1, revenueMinor: 80_000, refundsMinor: 30_000, netMinor: 50_000 },
    });
    // USD ecommerce: S2 600.00 on 05-05 (S0 of 2022 is before the period). Currencies are never added up.
    expect(points(series, { channel: 'ecommerce', currency: 'USD' })[W1]).toEqual({
      orders: 1,
      revenueMinor: 60_000,
      refundsMinor: 0,
      netMinor: 60_000,
    });
    // pos: P1 500.00, delivered twice, counted once.
    expect(points(series, { channel: 'pos', currency: 'UAH' })[W1]).toEqual({
      orders: 1,
      revenueMinor: 50_000,
      refundsMinor: 0,
      netMinor: 50_000,
    });
    expect(series).toHaveLength(3);
  });
});

describe('Metric: revenue_by_source', () => {
  it("attributes each order to the UTM source of its customer's first lead", async () => {
    const series = await metric('revenue_by_source');
    // Olena's first lead (05-01, utm google) precedes A1 (W1, 1200.00) and A2 (W2, 800.00).
    expect(points(series, { source: 'google', currency: 'UAH' })).toEqual({
      [W1]: { orders: 1, revenueMinor: 120_000 },
      [W2]: { orders: 1, revenueMinor: 80_000 },
    });
    // Petro (P1) and Andriy (S2) never submitted a lead.
    expect(points(series, { source: '(none)', currency: 'UAH' })[W1]).toEqual({ orders: 1, revenueMinor: 50_000 });
    expect(points(series, { source: '(none)', currency: 'USD' })[W1]).toEqual({ orders: 1, revenueMinor: 60_000 });
    expect(series).toHaveLength(3);
  });
});

describe('Metric: lead_conversion', () => {
  it('is the share of leads followed by an order within the window, with the median time to it', async () => {
    const series = await metric('lead_conversion');
    // W1 web leads: o1 (olena, 05-01 09:00) → order A1 placed 05-02 12:00, 27 h = 97 200 s later: converted.
    // i2 (iryna, 05-04) → no order: not converted. 1 of 2 = 0.5; the median of {97 200} is 97 200.
    expect(points(series, { channel: 'web' })).toEqual({
      [W1]: { leads: 2, converted: 1, conversion: 0.5, medianSecondsToPurchase: 97_200 },
      [W2]: { leads: 0, converted: 0, conversion: null, medianSecondsToPurchase: null },
    });
  });
});

describe('Metric: first_response_time', () => {
  it('times each wait from its first request to the first outbound message or answered call', async () => {
    const series = await metric('first_response_time');
    // web: olena's lead 05-01 09:00 → WhatsApp sent 09:10 = 600 s.
    expect(points(series, { channel: 'web' })[W1]).toEqual({
      answered: 1,
      unanswered: 0,
      medianSeconds: 600,
      p90Seconds: 600,
    });
    // whatsapp, W1: olena 05-03 10:00 → 10:20 = 1 200 s (her message was applied to the WhatsApp profile and
    // is paired with the reply through the merge); maks 05-04 10:00 and 10:02 are one wait → 10:30 =
    // 1 800 s; maks 05-05 09:00 → 09:01 = 60 s. Sorted {60, 1200, 1800}: median (rank ceil(1.5) = 2) 1 200,
    // p90 (rank ceil(2.7) = 3) 1 800.
    expect(points(series, { channel: 'whatsapp' })[W1]).toEqual({
      answered: 3,
      unanswered: 0,
      medianSeconds: 1200,
      p90Seconds: 1800,
    });
    // telegram, W2: andriy's 05-06 18:00 message has no reply (his sent tg.a1 came before it): 1 unanswered.
    // Iryna's Telegram messages (04-15, 05-02), lead and callback request are one unanswered wait that began
    // on 04-15, before the period: not counted in it.
    expect(points(series, { channel: 'telegram' })).toEqual({
      [W1]: { answered: 0, unanswered: 0, medianSeconds: null, p90Seconds: null },
      [W2]: { answered: 0, unanswered: 1, medianSeconds: null, p90Seconds: null },
    });
  });
});

describe('Metric: missed_calls', () => {
  it('gives the missed-call rate and the share called back within the SLA (15 min)', async () => {
    const series = await metric('missed_calls');
    // W1 inbound calls: p1 missed, p3 missed, p4 answered = 3 (p2 is outbound); missed 2 → 2/3.
    // Callbacks needed: p1 → outbound p2 10 min later (within 15); p3 → the next call, p4, 30 min later
    // (too late) → 1 of 2 = 0.5.
    // W2: iryna's callback request 05-07 10:00, never called → 0 of 1; no inbound call → missed rate null.
    expect(points(series)).toEqual({
      [W1]: {
        inboundCalls: 3,
        missedCalls: 2,
        missedRate: 2 / 3,
        callbacksNeeded: 2,
        calledBackWithinSla: 1,
        callbackRate: 0.5,
      },
      [W2]: {
        inboundCalls: 0,
        missedCalls: 0,
        missedRate: null,
        callbacksNeeded: 1,
        calledBackWithinSla: 0,
        callbackRate: 0,
      },
    });
  });

  it('filtered by connector, keeps the calls of that connector', async () => {
    // The callback request came through the website: with binotel only, W2 has nothing.
    const series = await metric('missed_calls', { connector: 'binotel' });
    expect(points(series)[W2]).toEqual({
      inboundCalls: 0,
      missedCalls: 0,
      missedRate: null,
      callbacksNeeded: 0,
      calledBackWithinSla: 0,
      callbackRate: null,
    });
    expect(points(series)[W1]?.calledBackWithinSla).toBe(1);
  });
});

describe('Metric: repeat_purchase', () => {
  it('is the share of first-time buyers who bought again within 180 days', async () => {
    const series = await metric('repeat_purchase');
    // First orders: andriy 2022-03-01 (before the period), olena 05-02 (A1), petro 05-04 (P1): W1 has 2 new
    // customers. Olena ordered again on 05-06 (A2, 4 days later): 1 of 2 = 0.5.
    expect(points(series)).toEqual({
      [W1]: { newCustomers: 2, repeatCustomers: 1, rate: 0.5 },
      [W2]: { newCustomers: 0, repeatCustomers: 0, rate: null },
    });
  });
});

describe('Metric: average_order_value', () => {
  it('divides revenue by orders per currency, gross and net of the same orders’ refunds', async () => {
    const series = await metric('average_order_value');
    // UAH W1: A1 1200.00 + P1 500.00 = 1700.00 over 2 orders = 850.00. W2: A2 800.00, refunded 300.00 →
    // net (800.00 - 300.00) / 1 = 500.00.
    expect(points(series, { currency: 'UAH' })).toEqual({
      [W1]: { orders: 2, revenueMinor: 170_000, aovMinor: 85_000, refundsMinor: 0, netAovMinor: 85_000 },
      [W2]: { orders: 1, revenueMinor: 80_000, aovMinor: 80_000, refundsMinor: 30_000, netAovMinor: 50_000 },
    });
    expect(points(series, { currency: 'USD' })[W1]).toEqual({
      orders: 1,
      revenueMinor: 60_000,
      aovMinor: 60_000,
      refundsMinor: 0,
      netAovMinor: 60_000,
    });
  });
});

describe('Metric: ltv_distribution', () => {
  it('gives the quantiles of the profile lifetime value as of `to`, agreeing with computeTraits', async () => {
    const series = await metric('ltv_distribution');
    // Lifespan 3 years. Olena: orders A1 + A2 = 2; gross 2000.00 - refunds 300.00 = 1700.00; aov 850.00;
    // first to last order event 05-02 → 05-06 (< 1 year, so 1) → frequency 2 → 850.00 × 2 × 3 = 5100.00.
    // Petro: P1 once (redelivered) → 500.00 × 1 × 3 = 1500.00. UAH: {1500.00, 5100.00}: mean 3300.00;
    // nearest rank of 2 values: p10, p25, p50 (ranks 1) 1500.00; p75, p90 (rank 2) 5100.00.
    expect(points(series, { currency: 'UAH' })).toEqual({
      [W2]: {
        customers: 2,
        meanMinor: 330_000,
        p10Minor: 150_000,
        p25Minor: 150_000,
        p50Minor: 150_000,
        p75Minor: 510_000,
        p90Minor: 510_000,
      },
    });
    // Andriy (USD): S0 2022-03-01 10:00 and S2 2024-05-05 10:00, 796 days apart = 796 / 365.25 =
    // 2.1793 years; frequency 2 / 2.1793 = 0.91771; aov (400.00 + 600.00) / 2 = 500.00;
    // 500.00 × 0.91771 × 3 = 1376.57.
    expect(points(series, { currency: 'USD' })[W2]).toMatchObject({ customers: 1, p50Minor: 137_657 });

    // The same numbers as the profile's own trait, folded from each customer's events.
    const traitLtv = (events: (keyof typeof EVENTS)[]) =>
      computeTraits(
        foldEvents(
          emptyProfile('c', '2020-01-01T00:00:00.000Z', '2024-05-08T00:00:00.000Z'),
          events.map((k) => EVENTS[k]),
          '2024-05-08T00:00:00.000Z',
        ),
        { now: TO, lifespanYears: 3 },
      ).lifetimeValue?.amountMinor;
    expect(traitLtv(['o4', 'o5', 'o10', 'o11'])).toBe(510_000);
    expect(traitLtv(['p5'])).toBe(150_000);
    expect(traitLtv(['a0', 'a1'])).toBe(137_657);
  });

  it('reads the same values from the per-customer summary as from the events, at every `to` and connector', async () => {
    // Prepare: the metric with every customer taken from the events (her summary's last activity moved past
    // any `to`), at each order and refund event's time and just after it, overall and per connector.
    const fromEvents = (METRIC_SQL.ltv_distribution ?? '').replace(
      'FROM hub_customer_ltv',
      "FROM (SELECT * REPLACE (TIMESTAMP '9999-12-31 00:00:00' AS last_activity_at) FROM hub_customer_ltv)",
    );
    expect(fromEvents).not.toBe(METRIC_SQL.ltv_distribution);
    const sales = Object.values(EVENTS).filter((e) =>
      ['order.placed', 'order.paid', 'purchase.completed', 'order.refunded'].includes(e.type),
    );
    const tos = [...new Set(sales.flatMap((e) => [Date.parse(e.occurredAt), Date.parse(e.occurredAt) + 1]))];
    const connectors = ['', ...new Set(sales.map((e) => e.connector))];
    const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    let compared = 0;

    for (const to of tos)
      for (const connector of connectors) {
        // Act
        const period = periodOf(new Date(to - 7 * 86_400_000), new Date(to), 'week', 'UTC');
        const params = metricParams(period, connector || undefined, DEFAULT_METRIC_OPTIONS);
        const viaSummary = await engine.run('ltv_distribution', params);
        const { sql, values } = forDuckDb(fromEvents, params);
        const viaEvents = await lake.queryEvents(sql, values);

        // Assess
        expect(sorted(viaSummary), `to ${new Date(to).toISOString()} connector '${connector}'`).toEqual(
          sorted(viaEvents),
        );
        compared += viaEvents.length;
      }
    // Not vacuous: customers were counted at most of those times.
    expect(compared).toBeGreaterThan(tos.length);
  });
});

describe('Metric: nps_csat', () => {
  it('computes NPS from 0–10 scores and CSAT from 1–5 scores', async () => {
    const series = await metric('nps_csat');
    // W1: olena 10 (promoter), maks 8 (passive) → (1 - 0) × 100 / 2 = 50; no CSAT answer.
    // W2: petro 6 (detractor) → (0 - 1) × 100 / 1 = -100; CSAT iryna 5 (satisfied), andriy 3 → 1 / 2 = 50 %.
    expect(points(series)).toEqual({
      [W1]: {
        npsResponses: 2,
        promoters: 1,
        passives: 1,
        detractors: 0,
        nps: 50,
        csatResponses: 0,
        satisfied: 0,
        csat: null,
      },
      [W2]: {
        npsResponses: 1,
        promoters: 0,
        passives: 0,
        detractors: 1,
        nps: -100,
        csatResponses: 2,
        satisfied: 1,
        csat: 50,
      },
    });
  });
});

describe('Metric: active_customers', () => {
  it('counts customers active within 30 and 90 days of each bucket end, and the inactive known ones', async () => {
    const series = await metric('active_customers');
    // As of 05-05 (end of W1): olena, petro, iryna, andriy, maks had a contact within 30 days (04-06..05-05)
    // → 5; lida's last contact (03-20) is within 90 days (02-06..) but not 30 → active_90 6; stara (01-10)
    // is known but silent for 90 days → known 7, inactive_90 1. Gone is erased.
    // As of 05-07 (the last day of the period, W2): the same five within 30 (04-08..05-07), lida within 90.
    expect(points(series)).toEqual({
      [W1]: { active30: 5, active90: 6, known: 7, inactive90: 1 },
      [W2]: { active30: 5, active90: 6, known: 7, inactive90: 1 },
    });
  });

  it('follows the window as it slides past a customer', async () => {
    // By month, as of 2024-04-30: lida (03-20) is within 30 days of 04-30? 04-01..04-30 — no; within 90 — yes.
    // Iryna (04-15) within 30 → active_30 1; stara (01-10): 90 days back from 04-30 is 02-01 → inactive.
    // Andriy's 2022 order makes him known and long inactive. Known by 04-30: stara, lida, iryna, andriy = 4.
    const series = await metric('active_customers', {
      granularity: 'month',
      from: new Date('2024-04-01T00:00:00.000Z'),
      to: new Date('2024-05-01T00:00:00.000Z'),
    });
    expect(points(series)).toEqual({ '2024-04-01': { active30: 1, active90: 2, known: 4, inactive90: 2 } });
  });
});

describe('Metric: read_rate', () => {
  it('gives the delivered and read share of outbound messages per channel', async () => {
    const series = await metric('read_rate');
    // whatsapp W1 sent: wamid.o1 (read), wamid.o2 (delivered), wamid.m1, wamid.m2 (no receipt) → 4 sent,
    // delivered 2 (a read counts as delivered) = 0.5, read 1 = 0.25.
    expect(points(series, { channel: 'whatsapp' })[W1]).toEqual({
      sent: 4,
      delivered: 2,
      readMessages: 1,
      deliveredRate: 0.5,
      readRate: 0.25,
    });
    // telegram W1: tg.a1 read → 1 of 1.
    expect(points(series, { channel: 'telegram' })[W1]).toEqual({
      sent: 1,
      delivered: 1,
      readMessages: 1,
      deliveredRate: 1,
      readRate: 1,
    });
  });
});
