/** Lambda entry: the IAM-authorized read API (`/v1/...`). */
import { awsConfig, awsCountry, awsTraitOptions } from '../adapters/aws/clients.js';
import { awsPublisher } from '../adapters/aws/bus-client.js';
import { awsSecrets } from '../adapters/aws/secrets-client.js';
import { awsProfileStore } from '../adapters/aws/store-client.js';
import { createApiHandler } from '../handlers/api.js';
import { createSubscriptionRoutes } from '../handlers/subscriptions-api.js';
import { awsSubscriptionOperations, lazyDeliveryLog } from '../adapters/aws/subscription-clients.js';
import { subscriptions } from '../../subscriptions.config.js';

export const handler = createApiHandler({
  store: awsProfileStore(),
  secrets: awsSecrets(),
  publisher: awsPublisher(),
  defaultCountry: awsCountry(),
  traits: awsTraitOptions(),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
  // Subscriptions (issue 5): /v1/subscriptions…
  extraRoutes: createSubscriptionRoutes({ subscriptions, log: lazyDeliveryLog(), operations: awsSubscriptionOperations(subscriptions), runtime: 'aws' }),
});
