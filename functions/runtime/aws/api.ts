/** Lambda entry: the IAM-authorized read API (`/v1/...`). */
import { awsConfig, awsCountry, awsTraitOptions } from './deps/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsSecretStatus } from './deps/secret-status.js';
import { awsProfileStore } from './deps/store.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createSubscriptionRoutes } from '../../handlers/api/subscriptions.js';
import { awsSubscriptionOperations, lazyDeliveryLog } from './deps/subscriptions.js';
import { subscriptions } from '../../../subscriptions.config.js';
import { logSampling } from '../../handlers/middleware.js';

export const handler = createApiHandler({
  store: awsProfileStore(),
  secretStatus: awsSecretStatus(),
  publisher: awsPublisher(),
  defaultCountry: awsCountry(),
  traits: awsTraitOptions(),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
  // Subscriptions (issue 5): /v1/subscriptions…
  subscriptionRoutes: createSubscriptionRoutes({
    subscriptions,
    log: lazyDeliveryLog(),
    operations: awsSubscriptionOperations(subscriptions),
    runtime: 'aws',
  }),
}).use(logSampling());
