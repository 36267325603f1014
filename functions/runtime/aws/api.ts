/** Lambda entry: the IAM-authorized read API (`/v1/...`). */
import { awsConfig, awsCountry, awsTraitOptions } from './deps/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsSecrets } from './deps/secrets.js';
import { awsProfileStore } from './deps/store.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createSubscriptionRoutes } from '../../handlers/api/subscriptions.js';
import { awsSubscriptionOperations, lazyDeliveryLog } from './deps/subscriptions.js';
import { subscriptions } from '../../../subscriptions.config.js';
import { awsAnalyticsSink, awsMetricsEngine } from './deps/analytics.js';

const metricsEngine = awsMetricsEngine();
const lake = awsAnalyticsSink();

export const handler = createApiHandler({
  store: awsProfileStore(),
  secrets: awsSecrets(),
  publisher: awsPublisher(),
  defaultCountry: awsCountry(),
  traits: awsTraitOptions(),
  // Analytics (issue 15): GET /v1/metrics on Athena; erasures and unmerges told to the lake.
  ...(metricsEngine
    ? { analytics: { engine: metricsEngine, options: { lifespanYears: awsConfig().lifespanYears } } }
    : {}),
  ...(lake ? { lake } : {}),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
  // Subscriptions (issue 5): /v1/subscriptions…
  subscriptionRoutes: createSubscriptionRoutes({
    subscriptions,
    log: lazyDeliveryLog(),
    operations: awsSubscriptionOperations(subscriptions),
    runtime: 'aws',
  }),
});
