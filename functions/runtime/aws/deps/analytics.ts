/**
 * AWS wiring of analytics: the Athena engine for `GET /v1/metrics` and the
 * Firehose sink of the lake, from the function's configuration (the stack
 * sets the variables with `HubAnalytics.grantQuery` / `grantWrite`); a
 * function without them runs without analytics.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { AthenaMetricsEngine } from '../../../adapters/aws/athena-metrics-engine.js';
import { FirehoseAnalyticsSink } from '../../../adapters/aws/firehose-analytics-sink.js';

/** The Athena engine, or undefined when the function's configuration has no workgroup (analytics off). */
export const awsMetricsEngine = (config: {
  readonly athenaWorkGroup?: string | undefined;
  readonly analyticsDatabase?: string | undefined;
}): AthenaMetricsEngine | undefined => {
  if (!config.athenaWorkGroup) return undefined;
  if (!config.analyticsDatabase)
    throw new Error('OMNIHUB_ANALYTICS_DATABASE is not set, though OMNIHUB_ATHENA_WORKGROUP is');
  return new AthenaMetricsEngine(new AthenaClient({}), {
    workGroup: config.athenaWorkGroup,
    database: config.analyticsDatabase,
  });
};

/** The Firehose sink, or undefined when the function's configuration has no stream. */
export const awsAnalyticsSink = (config: {
  readonly lakeStream?: string | undefined;
}): FirehoseAnalyticsSink | undefined =>
  config.lakeStream ? new FirehoseAnalyticsSink(new FirehoseClient({}), config.lakeStream) : undefined;
