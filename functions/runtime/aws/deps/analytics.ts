/**
 * AWS wiring of analytics: the Athena engine for `GET /v1/metrics` and the
 * Firehose sink of the lake, created on first use from the variables the
 * stack sets (`HubAnalytics.grantQuery` / `grantWrite`); a function without
 * them runs without analytics.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { z } from 'zod';
import { AthenaMetricsEngine } from '../../../adapters/aws/athena-metrics-engine.js';
import { FirehoseAnalyticsSink } from '../../../adapters/aws/firehose-analytics-sink.js';

/** Environment variables the stack sets on the functions that query or feed the lake. */
export const ANALYTICS_ENV = {
  workGroup: 'OMNIHUB_ATHENA_WORKGROUP',
  database: 'OMNIHUB_ANALYTICS_DATABASE',
  stream: 'OMNIHUB_LAKE_STREAM',
} as const;

const QueryEnvSchema = z.object({
  [ANALYTICS_ENV.workGroup]: z.string().min(1),
  [ANALYTICS_ENV.database]: z.string().regex(/^[a-z0-9_]{1,255}$/),
});

/** The Athena engine, or undefined when the function was not granted queries. */
export const awsMetricsEngine = (): AthenaMetricsEngine | undefined => {
  if (!process.env[ANALYTICS_ENV.workGroup]) return undefined;
  const result = QueryEnvSchema.safeParse(process.env);
  if (!result.success)
    throw new Error(
      `Invalid analytics configuration: ${result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
  return new AthenaMetricsEngine(new AthenaClient({}), {
    workGroup: result.data[ANALYTICS_ENV.workGroup],
    database: result.data[ANALYTICS_ENV.database],
  });
};

/** The Firehose sink, or undefined when the function was not granted the stream. */
export const awsAnalyticsSink = (): FirehoseAnalyticsSink | undefined => {
  const stream = process.env[ANALYTICS_ENV.stream];
  return stream ? new FirehoseAnalyticsSink(new FirehoseClient({}), stream) : undefined;
};
