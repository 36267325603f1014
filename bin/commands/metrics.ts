/**
 * `omnihub metrics`: the omnichannel KPIs of a running hub as tables in the
 * terminal. One request per metric, so a long query (Athena) shows where it
 * is: a progress line on stderr per metric, the tables on stdout.
 */
import { METRIC_NAMES, MetricsResponseSchema, type MetricResult } from '../../functions/analytics/metrics.js';
import { type Command, EXIT, parseCommandArgs, TARGET_HELP, UsageError } from '../cli.js';
import { HubClient } from '../hub-client.js';

const HELP = `omnihub metrics [--days <n> | --from <iso> --to <iso>] [--granularity day|week|month]
                [--metric <name,…>] [--connector <name>] [--time-zone <zone>] [--json]

Prints the metrics of GET /v1/metrics (definitions: docs/analytics.md), one table per
metric: a row per bucket and series, money in minor units per currency.
  --days <n>         the last n days up to now (default 30)
  --from, --to       an explicit period, ISO 8601 (to is exclusive)
  --granularity      day, week (Monday) or month (default week)
  --metric           some of: ${METRIC_NAMES.join(', ')}
  --connector        only events of this connector
  --time-zone        buckets in this IANA zone (default the hub's)

${TARGET_HELP}`;

const cell = (v: unknown): string =>
  v === null || v === undefined
    ? '–'
    : typeof v === 'number'
      ? Number.isInteger(v)
        ? String(v)
        : v.toFixed(3)
      : String(v);

/** A metric as a plain-text table: bucket, the series key, then the values. */
const metricTable = (name: string, result: MetricResult): string => {
  const header = ['bucket', ...result.dimensions, ...result.values];
  const rows = result.series.flatMap((s) =>
    s.points.map((p) => [
      p.bucket,
      ...result.dimensions.map((d) => s.key[d] ?? ''),
      ...result.values.map((v) => cell(p[v])),
    ]),
  );
  if (rows.length === 0) return `${name}\n  (nothing in this period)`;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: readonly unknown[]) =>
    `  ${r
      .map((c, i) => String(c).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}`;
  return [name, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};

export const metricsCommand: Command = {
  words: ['metrics'],
  summary: 'print the omnichannel metrics of a hub as tables (GET /v1/metrics)',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      {
        days: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        granularity: { type: 'string' },
        metric: { type: 'string' },
        connector: { type: 'string' },
        'time-zone': { type: 'string' },
      },
      HELP,
    );
    const days = Number(values.days ?? 30);
    if (!Number.isInteger(days) || days < 1)
      throw new UsageError(`--days must be a whole number of days, not "${values.days}"`, HELP);
    if ((values.from === undefined) !== (values.to === undefined))
      throw new UsageError('--from and --to go together (or use --days)', HELP);
    const to = values.to ?? new Date().toISOString();
    const from = values.from ?? new Date(Date.parse(to) - days * 86_400_000).toISOString();
    const names = values.metric ? values.metric.split(',').map((m) => m.trim()) : METRIC_NAMES;
    const client = HubClient.fromOptions(values, ctx);
    const results: Record<string, MetricResult> = {};
    let answer: ReturnType<typeof MetricsResponseSchema.parse> | undefined;
    for (const [i, name] of names.entries()) {
      const started = Date.now();
      ctx.io.err(`[${i + 1}/${names.length}] ${name}…`);
      answer = await client.get('/v1/metrics', {
        query: {
          from,
          to,
          granularity: values.granularity ?? 'week',
          metric: name,
          connector: values.connector,
          timeZone: values['time-zone'],
        },
        schema: MetricsResponseSchema,
      });
      Object.assign(results, answer.metrics);
      ctx.io.err(`[${i + 1}/${names.length}] ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    if (values.json) {
      ctx.io.out(JSON.stringify({ ...answer, metrics: results }, null, 2));
      return EXIT.ok;
    }
    ctx.io.out(
      `Metrics ${answer?.from} → ${answer?.to} by ${answer?.granularity} (${answer?.timeZone}${answer?.connector ? `, ${answer.connector} only` : ''})`,
    );
    for (const [name, result] of Object.entries(results)) ctx.io.out(`\n${metricTable(name, result)}`);
    return EXIT.ok;
  },
};
