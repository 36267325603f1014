/**
 * Lambda entry: `POST|GET /webhooks/{connector}` behind the HTTP API or a
 * Lambda function URL (`webhookEndpoint`); configuration `FUNCTION_CONFIGS.ingest`.
 */
import type { CountryCode } from '../../domain/identity.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { logSampling } from '../../handlers/middleware.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { awsPublisher } from './deps/bus.js';
import { createCallerDirectory } from '../../handlers/caller-directory.js';
import { awsCallerCards, awsReplayGuard, awsSecretProblemLog } from './deps/ingest-items.js';
import { awsSecrets } from './deps/secrets.js';

const config = readFunctionConfig(FUNCTION_CONFIGS.ingest);

export const handler = createIngestHandler({
  publisher: awsPublisher(config.eventBusName),
  secrets: awsSecrets(config.secretPrefix),
  replayGuard: awsReplayGuard(config.tableName),
  secretProblems: awsSecretProblemLog(config.tableName),
  defaultCountry: config.defaultCountry as CountryCode,
  maxBodyBytes: config.maxBodyBytes,
  ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
  // Binotel's apiCallSettings: the caller's card from one key read (no fallback: ingest reads nothing else).
  callers: createCallerDirectory({
    store: awsCallerCards(config.tableName),
    traits: { lifespanYears: config.lifespanYears },
    ...(config.consoleUrl ? { consoleUrl: () => config.consoleUrl } : {}),
  }),
}).use(logSampling());
