/** Lambda entry: `POST|GET /webhooks/{connector}` behind the HTTP API. */
import { awsConfig, awsCountry } from '../adapters/aws/clients.js';
import { awsPublisher } from '../adapters/aws/bus-client.js';
import { awsSecrets } from '../adapters/aws/secrets-client.js';
import { createIngestHandler } from '../handlers/ingest.js';

export const handler = createIngestHandler({
  publisher: awsPublisher(),
  secrets: awsSecrets(),
  defaultCountry: awsCountry(),
  maxBodyBytes: awsConfig().maxBodyBytes,
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
});
