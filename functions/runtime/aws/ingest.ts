/** Lambda entry: `POST|GET /webhooks/{connector}` behind the HTTP API. */
import { awsConfig, awsCountry } from './deps/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsReplayGuard } from './deps/replay.js';
import { awsSecrets } from './deps/secrets.js';
import { createIngestHandler } from '../../handlers/ingest.js';

export const handler = createIngestHandler({
  publisher: awsPublisher(),
  secrets: awsSecrets(),
  replayGuard: awsReplayGuard(),
  defaultCountry: awsCountry(),
  maxBodyBytes: awsConfig().maxBodyBytes,
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
});
