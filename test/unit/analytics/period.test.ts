/** The pure half of a metrics request: the query, the buckets of a period in a time zone, and the shaping. */
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  localDate,
  MetricsQuerySchema,
  METRIC_NAMES,
  periodOf,
  shapeMetric,
} from '../../../functions/analytics/metrics.js';

describe('Analytics: buckets', () => {
  it('truncates a local date to its day, its week (Monday) and its month', () => {
    // 2024-05-01 was a Wednesday; 2024-03-03 a Sunday.
    expect(bucketOf('2024-05-01', 'day')).toBe('2024-05-01');
    expect(bucketOf('2024-05-01', 'week')).toBe('2024-04-29');
    expect(bucketOf('2024-03-03', 'week')).toBe('2024-02-26');
    expect(bucketOf('2024-04-29', 'week')).toBe('2024-04-29');
    expect(bucketOf('2024-05-31', 'month')).toBe('2024-05-01');
  });

  it('lists the buckets of [from, to) in the time zone, to excluded', () => {
    // Kyiv is UTC+3 in summer: 2024-05-31T21:00Z is midnight of 1 June there.
    const p = periodOf(new Date('2024-04-30T21:00:00Z'), new Date('2024-06-30T21:00:00Z'), 'month', 'Europe/Kyiv');
    expect(p.buckets).toEqual(['2024-05-01', '2024-06-01']);
    expect([p.firstDay, p.lastDay]).toEqual(['2024-05-01', '2024-06-30']);
    expect(periodOf(new Date('2024-12-30T00:00:00Z'), new Date('2025-01-14T00:00:00Z'), 'week', 'UTC').buckets).toEqual(
      ['2024-12-30', '2025-01-06', '2025-01-13'],
    );
    expect(localDate(new Date('2024-05-01T22:30:00Z'), 'Europe/Kyiv')).toBe('2024-05-02');
  });

  it('refuses more than 400 buckets', () => {
    expect(() => periodOf(new Date('2020-01-01T00:00:00Z'), new Date('2021-03-01T00:00:00Z'), 'day', 'UTC')).toThrow(
      /more than 400 day buckets/,
    );
  });
});

describe('Analytics: the query of GET /v1/metrics', () => {
  const base = { from: '2024-05-01T00:00:00Z', to: '2024-05-08T00:00:00Z' };

  it('defaults to every metric by day', () => {
    expect(MetricsQuerySchema.parse(base)).toMatchObject({ granularity: 'day', metric: METRIC_NAMES });
    expect(MetricsQuerySchema.parse({ ...base, metric: 'read_rate, nps_csat' }).metric).toEqual([
      'read_rate',
      'nps_csat',
    ]);
  });

  it('names what is wrong', () => {
    const issues = (q: Record<string, string>) =>
      MetricsQuerySchema.safeParse(q).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ ...base, to: base.from })).toEqual(['to: must be after from']);
    expect(issues({ ...base, metric: 'nps' })?.[0]).toMatch(/^metric: unknown metric nps; one of channel_mix/);
    expect(issues({ ...base, timeZone: 'Kyiv' })).toEqual(['timeZone: an IANA time zone, e.g. Europe/Kyiv']);
    expect(issues({ ...base, extra: '1' })?.[0]).toMatch(/extra/);
  });
});

describe('Analytics: shaping rows into series', () => {
  it('makes one series per dimension value, one point per bucket, counts 0 and ratios null where nothing happened', () => {
    const shaped = shapeMetric(
      'read_rate',
      [
        {
          bucket: '2024-05-02',
          channel: 'whatsapp',
          sent: 2,
          delivered: 1,
          read_messages: 1,
          delivered_rate: 0.5,
          read_rate: 0.5,
        },
      ],
      ['2024-05-01', '2024-05-02'],
      'def',
    );
    expect(shaped).toEqual({
      definition: 'def',
      dimensions: ['channel'],
      values: ['sent', 'delivered', 'readMessages', 'deliveredRate', 'readRate'],
      snapshot: false,
      series: [
        {
          key: { channel: 'whatsapp' },
          points: [
            { bucket: '2024-05-01', sent: 0, delivered: 0, readMessages: 0, deliveredRate: null, readRate: null },
            { bucket: '2024-05-02', sent: 2, delivered: 1, readMessages: 1, deliveredRate: 0.5, readRate: 0.5 },
          ],
        },
      ],
    });
  });

  it('keeps the one series of a metric without dimensions when nothing happened', () => {
    expect(shapeMetric('repeat_purchase', [], ['2024-05-01'], '').series).toEqual([
      { key: {}, points: [{ bucket: '2024-05-01', newCustomers: 0, repeatCustomers: 0, rate: null }] },
    ]);
  });
});
