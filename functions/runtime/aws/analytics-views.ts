/** Lambda entry: the custom resource that creates the analytics views in Athena. */
import { createAnalyticsViewsHandler } from '../../handlers/analytics-views.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { awsMetricsEngine } from './deps/analytics.js';

const engine = awsMetricsEngine(readFunctionConfig(FUNCTION_CONFIGS['analytics-views']));
if (!engine) throw new Error('OMNIHUB_ATHENA_WORKGROUP is not set: the views function needs the analytics workgroup');

export const handler = createAnalyticsViewsHandler({ execute: (sql) => engine.execute(sql) });
