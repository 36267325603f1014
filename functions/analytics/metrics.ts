/**
 * The metric catalogue and the pure half of a metrics request: validating
 * `GET /v1/metrics`, the buckets of the period, the SQL parameters, and
 * shaping the rows an engine returns into chart-friendly series (one series
 * per dimension value, one point per bucket, zero-filled). The SQL itself is
 * in `analytics/*.sql`; definitions live in each file's leading comment and
 * are returned with the numbers.
 */
import * as z from 'zod';
import type { SqlParams } from './dialect.js';

/** How a missing point is filled: counts and sums are 0, ratios and quantiles unknown. */
type Fill = 'zero' | 'null';

export interface MetricSpec {
  /** Columns that name a series (e.g. channel, currency); empty → one series. */
  readonly dimensions: readonly string[];
  /** Value columns, in output order. */
  readonly values: Readonly<Record<string, Fill>>;
  /** True when the metric is a point-in-time figure as of `to` (one point, in the last bucket). */
  readonly snapshot?: true;
}

const zero = (...names: string[]): Record<string, Fill> => Object.fromEntries(names.map((n) => [n, 'zero' as const]));
const unknown = (...names: string[]): Record<string, Fill> =>
  Object.fromEntries(names.map((n) => [n, 'null' as const]));

const METRICS = {
  channel_mix: { dimensions: ['channel'], values: zero('contacts', 'customers') },
  omnichannel_share: {
    dimensions: [],
    values: { ...zero('active_customers', 'omnichannel_customers'), ...unknown('share') },
  },
  revenue_by_channel: {
    dimensions: ['channel', 'currency'],
    values: zero('orders', 'revenue_minor', 'refunds_minor', 'net_minor'),
  },
  revenue_by_source: { dimensions: ['source', 'currency'], values: zero('orders', 'revenue_minor') },
  lead_conversion: {
    dimensions: ['channel'],
    values: { ...zero('leads', 'converted'), ...unknown('conversion', 'median_seconds_to_purchase') },
  },
  first_response_time: {
    dimensions: ['channel'],
    values: { ...zero('answered', 'unanswered'), ...unknown('median_seconds', 'p90_seconds') },
  },
  missed_calls: {
    dimensions: [],
    values: {
      ...zero('inbound_calls', 'missed_calls'),
      ...unknown('missed_rate'),
      ...zero('callbacks_needed', 'called_back_within_sla'),
      ...unknown('callback_rate'),
    },
  },
  repeat_purchase: { dimensions: [], values: { ...zero('new_customers', 'repeat_customers'), ...unknown('rate') } },
  average_order_value: {
    dimensions: ['currency'],
    values: {
      ...zero('orders', 'revenue_minor'),
      ...unknown('aov_minor'),
      ...zero('refunds_minor'),
      ...unknown('net_aov_minor'),
    },
  },
  ltv_distribution: {
    dimensions: ['currency'],
    values: {
      ...zero('customers'),
      ...unknown('mean_minor', 'p10_minor', 'p25_minor', 'p50_minor', 'p75_minor', 'p90_minor'),
    },
    snapshot: true,
  },
  nps_csat: {
    dimensions: [],
    values: {
      ...zero('nps_responses', 'promoters', 'passives', 'detractors'),
      ...unknown('nps'),
      ...zero('csat_responses', 'satisfied'),
      ...unknown('csat'),
    },
  },
  active_customers: { dimensions: [], values: zero('active_30', 'active_90', 'known', 'inactive_90') },
  read_rate: {
    dimensions: ['channel'],
    values: { ...zero('sent', 'delivered', 'read_messages'), ...unknown('delivered_rate', 'read_rate') },
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Settings the metrics depend on beyond the request (documented defaults). */
export interface MetricOptions {
  /** Expected customer lifespan for lifetime value, as the profile's trait. @default 3 */
  readonly lifespanYears: number;
  /** A missed call or callback request is called back in time within this. @default 15 */
  readonly callbackSlaMinutes: number;
  /** A lead converts when its customer orders within this many days. @default 30 */
  readonly conversionWindowDays: number;
  /** Time zone of the buckets when the request names none. @default UTC */
  readonly timeZone: string;
}

export const DEFAULT_METRIC_OPTIONS: MetricOptions = {
  lifespanYears: 3,
  callbackSlaMinutes: 15,
  conversionWindowDays: 30,
  timeZone: 'UTC',
};

/** Most buckets one request may ask for (a year by day, ten years by month). */
const MAX_BUCKETS = 400;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The query string of `GET /v1/metrics`. */
export const MetricsQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true, error: 'from: an ISO 8601 date-time with Z or an offset' }),
    to: z.iso.datetime({ offset: true, error: 'to: an ISO 8601 date-time with Z or an offset' }),
    granularity: z.enum(GRANULARITIES).default('day'),
    /** Comma-separated metric names; omitted → every metric. */
    metric: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined || s.trim() === '') return METRIC_NAMES;
        const names = [...new Set(s.split(',').map((m) => m.trim()))];
        const unknownNames = names.filter((n) => !(n in METRICS));
        if (unknownNames.length) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown metric ${unknownNames.join(', ')}; one of ${METRIC_NAMES.join(', ')}`,
          });
          return z.NEVER;
        }
        return names as MetricName[];
      }),
    connector: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a connector name, e.g. whatsapp')
      .optional(),
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Europe/Kyiv').optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (Date.parse(q.from) >= Date.parse(q.to))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  });
export type MetricsQuery = z.output<typeof MetricsQuerySchema>;

// ------------------------------------------------------------------ calendar

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant in a time zone. */
export const localDate = (at: Date, timeZone: string): string => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
};

const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const fromDayNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The bucket a local date falls in: itself, its week's Monday, or its month's first day. */
export const bucketOf = (date: string, granularity: Granularity): string => {
  if (granularity === 'day') return date;
  if (granularity === 'month') return `${date.slice(0, 8)}01`;
  const n = dayNumber(date);
  // 1970-01-01 was a Thursday: (n + 3) mod 7 is 0 on Mondays.
  return fromDayNumber(n - ((((n + 3) % 7) + 7) % 7));
};

const nextBucket = (bucket: string, granularity: Granularity): string => {
  if (granularity === 'day') return fromDayNumber(dayNumber(bucket) + 1);
  if (granularity === 'week') return fromDayNumber(dayNumber(bucket) + 7);
  const [y, m] = bucket.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

export interface Period {
  readonly from: Date;
  readonly to: Date;
  readonly granularity: Granularity;
  readonly timeZone: string;
  /** Local date of `from` and of the last millisecond before `to`. */
  readonly firstDay: string;
  readonly lastDay: string;
  /** Bucket labels (local start dates), first to last. */
  readonly buckets: readonly string[];
}

/** The buckets of `[from, to)` in `timeZone`; throws a message for the 400 when there are too many. */
export const periodOf = (from: Date, to: Date, granularity: Granularity, timeZone: string): Period => {
  const firstDay = localDate(from, timeZone);
  const lastDay = localDate(new Date(to.getTime() - 1), timeZone);
  const buckets: string[] = [];
  const last = bucketOf(lastDay, granularity);
  for (let b = bucketOf(firstDay, granularity); b <= last; b = nextBucket(b, granularity)) {
    buckets.push(b);
    if (buckets.length > MAX_BUCKETS)
      throw new RangeError(`the period has more than ${MAX_BUCKETS} ${granularity} buckets; use a coarser granularity`);
  }
  return { from, to, granularity, timeZone, firstDay, lastDay, buckets };
};

// ------------------------------------------------------------------ parameters

const utcTimestamp = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Every parameter the metric files use (each file binds the ones it names). */
export const metricParams = (period: Period, connector: string | undefined, options: MetricOptions): SqlParams => ({
  from_ts: utcTimestamp(period.from),
  to_ts: utcTimestamp(period.to),
  from_dt: utcDay(period.from),
  to_dt: utcDay(period.to),
  // First-response waits are read from 30 days before the period (see first_response_time.sql).
  lookback_dt: utcDay(new Date(period.from.getTime() - 30 * DAY_MS)),
  // Active customers are read from 90 local days before the period (a day of slack for the zone's offset).
  active_dt: utcDay(new Date(period.from.getTime() - 91 * DAY_MS)),
  first_day: period.firstDay,
  last_day: period.lastDay,
  granularity: period.granularity,
  tz: period.timeZone,
  connector: connector ?? '',
  lifespan_years: options.lifespanYears,
  sla_minutes: options.callbackSlaMinutes,
  window_days: options.conversionWindowDays,
});

// ------------------------------------------------------------------ results

/** A row as an engine returns it: column → number, string or null (dates as `YYYY-MM-DD`). */
export type MetricRow = Readonly<Record<string, string | number | null>>;

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const PointSchema = z
  .object({ bucket: z.string().describe('Bucket start, a local date YYYY-MM-DD') })
  .catchall(z.number().nullable())
  .describe('One bucket: the bucket label and the metric values (counts 0 when nothing happened, ratios null)');

const SeriesSchema = z.object({
  /** Dimension values naming the series, e.g. `{ channel: 'whatsapp', currency: 'UAH' }`; `{}` for a single series. */
  key: z.record(z.string(), z.string()),
  points: z.array(PointSchema),
});

const MetricResultSchema = z.object({
  definition: z.string().describe('The exact definition (the leading comment of analytics/<metric>.sql)'),
  dimensions: z.array(z.string()),
  values: z.array(z.string()).describe('Value fields of each point, in order'),
  snapshot: z.boolean().describe('True for a figure as of `to`: one point, in the last bucket'),
  series: z.array(SeriesSchema),
});

/** The JSON of `GET /v1/metrics` (OpenAPI: generated from this schema). */
export const MetricsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(GRANULARITIES),
  timeZone: z.string(),
  connector: z.string().nullable(),
  buckets: z.array(z.string()).describe('Every bucket of the period, in order; each series has one point per bucket'),
  metrics: z.record(z.string(), MetricResultSchema),
});
export type MetricsResponse = z.infer<typeof MetricsResponseSchema>;
export type MetricResult = z.infer<typeof MetricResultSchema>;

const asNumber = (v: string | number | null | undefined): number | null =>
  v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v);

/**
 * Rows → series: one series per distinct dimension tuple (sorted), one point
 * per bucket, missing points filled (counts 0, ratios null). A snapshot
 * metric's rows go to the last bucket.
 */
export const shapeMetric = (
  name: MetricName,
  rows: readonly MetricRow[],
  buckets: readonly string[],
  definition: string,
): MetricResult => {
  const spec: MetricSpec = METRICS[name];
  const valueNames = Object.keys(spec.values);
  const lastBucket = buckets[buckets.length - 1] as string;
  const byKey = new Map<string, { key: Record<string, string>; points: Map<string, MetricRow> }>();
  for (const row of rows) {
    const key = Object.fromEntries(spec.dimensions.map((d) => [d, String(row[d] ?? '(unknown)')]));
    const id = JSON.stringify(key);
    let series = byKey.get(id);
    if (!series) {
      series = { key, points: new Map() };
      byKey.set(id, series);
    }
    const bucket = spec.snapshot ? lastBucket : String(row.bucket);
    series.points.set(bucket, row);
  }
  // A metric without dimensions always has its one series, zeros and nulls when nothing happened.
  if (spec.dimensions.length === 0 && byKey.size === 0) byKey.set('{}', { key: {}, points: new Map() });
  const filled = (bucket: string, row: MetricRow | undefined) => {
    const point: Record<string, string | number | null> = { bucket };
    for (const v of valueNames) {
      const fill = (spec.values as Record<string, Fill>)[v];
      const value = row ? asNumber(row[v]) : null;
      point[camel(v)] = value ?? (fill === 'zero' ? 0 : null);
    }
    return point as { bucket: string } & Record<string, number | null>;
  };
  const series = [...byKey.values()]
    .sort((a, b) => JSON.stringify(Object.values(a.key)).localeCompare(JSON.stringify(Object.values(b.key))))
    .map(({ key, points }) => ({
      key,
      points: spec.snapshot
        ? [filled(lastBucket, points.get(lastBucket))]
        : buckets.map((bucket) => filled(bucket, points.get(bucket))),
    }));
  return {
    definition,
    dimensions: [...spec.dimensions],
    values: valueNames.map(camel),
    snapshot: spec.snapshot === true,
    series,
  };
};
