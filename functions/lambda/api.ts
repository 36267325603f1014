/** Lambda entry: the IAM-authorized read API (`/v1/...`). */
import { awsConfig, awsCountry, awsProfileStore, awsPublisher, awsSecrets, awsTraitOptions } from '../adapters/aws/clients.js';
import { createApiHandler } from '../handlers/api.js';

export const handler = createApiHandler({
  store: awsProfileStore(),
  secrets: awsSecrets(),
  publisher: awsPublisher(),
  defaultCountry: awsCountry(),
  traits: awsTraitOptions(),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
});
