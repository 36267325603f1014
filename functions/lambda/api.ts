/** Lambda entry: the IAM-authorized read API (`/v1/...`). */
import { awsConfig, awsCountry, awsProfileStore, awsSecrets } from '../adapters/aws/clients.js';
import { createApiHandler } from '../handlers/api.js';

export const handler = createApiHandler({
  store: awsProfileStore(),
  secrets: awsSecrets(),
  defaultCountry: awsCountry(),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
});
