/** Lambda entry: the IAM-authorized read API (`/v1/...`). */
import { awsConfig, awsCountry, awsTraitOptions } from './deps/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsSecretStatus } from './deps/secret-status.js';
import { awsProfileStore } from './deps/store.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createSubscriptionRoutes } from '../../handlers/api/subscriptions.js';
import { awsSubscriptionOperations, lazyDeliveryLog } from './deps/subscriptions.js';
import { subscriptions } from '../../../subscriptions.config.js';
import { awsMessageStore, awsOutboundSettings } from './deps/outbound.js';

export const handler = createApiHandler({
  store: awsProfileStore(),
  secretStatus: awsSecretStatus(),
  publisher: awsPublisher(),
  defaultCountry: awsCountry(),
  traits: awsTraitOptions(),
  // Outbound (issue 12): POST /v1/customers/{id}/messages, message status, reachability.
  messages: awsMessageStore(),
  outbound: awsOutboundSettings(),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
  // Subscriptions (issue 5): /v1/subscriptions…
  subscriptionRoutes: createSubscriptionRoutes({
    subscriptions,
    log: lazyDeliveryLog(),
    operations: awsSubscriptionOperations(subscriptions),
    runtime: 'aws',
  }),
});
