/** Lambda entry: the IAM-authorized read API (`/v1/...`); configuration `FUNCTION_CONFIGS.api`, read at cold start. */
import { subscriptions } from '../../../subscriptions.config.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createSubscriptionRoutes } from '../../handlers/api/subscriptions.js';
import { logSampling } from '../../handlers/middleware.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import type { CountryCode } from '../../domain/identity.js';
import { outboundSettingsOf } from '../../outbound/settings.js';
import { awsPublisher } from './deps/bus.js';
import { awsMessageStore } from './deps/outbound.js';
import { awsSecretStatus } from './deps/secret-status.js';
import { awsConnectorActivity, awsProfileStore, awsSecretProblems } from './deps/store.js';
import { awsDeliveryLog, awsSubscriptionOperations } from './deps/subscriptions.js';
import { awsAnalyticsSink, awsMetricsEngine } from './deps/analytics.js';

import { createQueueRoutes } from '../../handlers/api/queues.js';
import { awsHubQueues } from './deps/queues.js';

const config = readFunctionConfig(FUNCTION_CONFIGS.api);
const metricsEngine = awsMetricsEngine(config);
const lake = awsAnalyticsSink(config);

export const handler = createApiHandler({
  store: awsProfileStore(config),
  activity: awsConnectorActivity(config.tableName),
  secretStatus: awsSecretStatus(config.secretPrefix),
  secretProblems: awsSecretProblems(config.tableName),
  publisher: awsPublisher(config.eventBusName),
  defaultCountry: config.defaultCountry as CountryCode,
  traits: { lifespanYears: config.lifespanYears, abandonedCartAfterHours: config.abandonedCartHours },
  // Outbound: POST /v1/customers/{id}/messages, message status, reachability.
  messages: awsMessageStore(config),
  outbound: outboundSettingsOf(config, 'api'),
  ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
  ...(config.consoleUrl ? { consoleUrl: () => config.consoleUrl } : {}),
  // Analytics: GET /v1/metrics on Athena; erasures and unmerges told to the lake.
  ...(metricsEngine ? { analytics: { engine: metricsEngine, options: { lifespanYears: config.lifespanYears } } } : {}),
  ...(lake ? { lake } : {}),
  subscriptionRoutes: createSubscriptionRoutes({
    subscriptions,
    log: awsDeliveryLog(config.tableName),
    operations: awsSubscriptionOperations(subscriptions, config),
    runtime: 'aws',
  }),
  // The hub's own queues and their dead letters: /v1/queues…
  queueRoutes: createQueueRoutes(awsHubQueues(subscriptions, config)),
}).use(logSampling());
