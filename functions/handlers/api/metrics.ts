/**
 * `GET /v1/metrics`: the omnichannel KPIs over a period, by day, week or
 * month, optionally for one connector. Parse → plan (pure: buckets and SQL
 * parameters) → one query per metric on the runtime's engine (DuckDB
 * locally, Athena on AWS) → series shaped for charts. Definitions come with
 * the numbers (the leading comment of each `analytics/<metric>.sql`).
 */
import { findConnectorMeta } from '../../connectors/index.js';
import { METRIC_DEFINITIONS } from '../../analytics/definitions.js';
import {
  DEFAULT_METRIC_OPTIONS,
  metricParams,
  MetricsQuerySchema,
  MetricsResponseSchema,
  periodOf,
  shapeMetric,
  type MetricOptions,
  type MetricResult,
} from '../../analytics/metrics.js';
import { HubError, ValidationError } from '../../shared/errors.js';
import type { MetricsEngine } from '../../ports.js';
import { type RouteContracts, respond } from './contract.js';
import { parseQuery } from './request.js';
import type { ApiRoutes } from './types.js';

/** What the metrics route needs: an engine and the settings metrics depend on. */
export interface MetricsApiDeps {
  readonly engine: MetricsEngine;
  readonly options?: Partial<MetricOptions>;
}

export type MetricsRouteKey = 'GET /v1/metrics';

export const metricsContracts = {
  'GET /v1/metrics': {
    summary: 'Compute the omnichannel metrics over a period, by day, week or month',
    description: [
      'Channel mix, omnichannel share, revenue per channel and per first-touch source, lead conversion, time to first',
      'response, missed calls and callbacks, repeat purchase, average order value, lifetime value distribution,',
      'NPS and CSAT, active customers and the read rate of outbound messages; each with its exact definition',
      '(`definition`; docs/analytics.md). Money is in minor units per currency, never converted. Each metric is a',
      'list of series (one per channel, currency, … — `key`), each with one point per bucket of `buckets`: counts',
      'are 0 where nothing happened, ratios and quantiles null. Buckets are local dates of `timeZone`; weeks start',
      'on Monday. Locally DuckDB over the local lake; on AWS Athena over the S3 data lake (fresh within the',
      "Firehose buffer, at most 15 minutes). A customer's events count for the customer she is after merges;",
      'erased customers are left out.',
    ].join(' '),
    query: MetricsQuerySchema,
    status: 200,
    response: MetricsResponseSchema,
    errors: [400, 503],
  },
} as const satisfies RouteContracts<MetricsRouteKey>;

class AnalyticsNotConfiguredError extends HubError {
  constructor() {
    super('Analytics are not configured in this runtime', 503, 'analytics_not_configured');
  }
}

export const metricsRoutes = (deps: {
  readonly analytics?: MetricsApiDeps;
  readonly now?: () => Date;
}): ApiRoutes<MetricsRouteKey> => ({
  'GET /v1/metrics': async (event) => {
    const query = parseQuery(MetricsQuerySchema, event);
    if (query.connector && !findConnectorMeta(query.connector))
      throw new ValidationError(`Invalid query: connector: no connector named "${query.connector}"`);
    if (!deps.analytics) throw new AnalyticsNotConfiguredError();
    const options = { ...DEFAULT_METRIC_OPTIONS, ...deps.analytics.options };
    const timeZone = query.timeZone ?? options.timeZone;
    let period: ReturnType<typeof periodOf>;
    try {
      period = periodOf(new Date(query.from), new Date(query.to), query.granularity, timeZone);
    } catch (err) {
      throw new ValidationError(`Invalid query: ${(err as Error).message}`, { cause: err });
    }
    const params = metricParams(period, query.connector, options);
    const engine = deps.analytics.engine;
    const results = await Promise.all(
      query.metric.map(
        async (name): Promise<[string, MetricResult]> => [
          name,
          shapeMetric(name, await engine.run(name, params), period.buckets, METRIC_DEFINITIONS[name]),
        ],
      ),
    );
    return respond(metricsContracts['GET /v1/metrics'], {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      granularity: period.granularity,
      timeZone,
      connector: query.connector ?? null,
      buckets: [...period.buckets],
      metrics: Object.fromEntries(results),
    });
  },
});
