/** Lambda entry: `POST|GET /webhooks/{connector}` behind the HTTP API or a Lambda function URL (`webhookEndpoint`). */
import { awsConfig, awsCountry } from './deps/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsSecrets } from './deps/secrets.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { logSampling } from '../../handlers/middleware.js';

export const handler = createIngestHandler({
  publisher: awsPublisher(),
  secrets: awsSecrets(),
  defaultCountry: awsCountry(),
  maxBodyBytes: awsConfig().maxBodyBytes,
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
}).use(logSampling());
