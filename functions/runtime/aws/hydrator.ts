/** Lambda entry: SQS batches from the `hydrator` rule; fetches thin webhooks' details. Configuration `FUNCTION_CONFIGS.hydrator`. */
import type { CountryCode } from '../../domain/identity.js';
import { createHydratorHandler } from '../../handlers/hydrator.js';
import { logSampling } from '../../handlers/middleware.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { outboundFetch } from '../../shared/outbound-fetch.js';
import { OUTBOUND_AWS } from '../../shared/outbound-url.js';
import { awsPublisher } from './deps/bus.js';
import { awsSecrets } from './deps/secrets.js';

const config = readFunctionConfig(FUNCTION_CONFIGS.hydrator);

export const handler = createHydratorHandler({
  publisher: awsPublisher(config.eventBusName),
  secrets: awsSecrets(config.secretPrefix),
  defaultCountry: config.defaultCountry as CountryCode,
  // Vendor APIs only: public https hosts, checked again at connect time, no redirects, a timeout.
  fetch: outboundFetch({ policy: OUTBOUND_AWS }),
}).use(logSampling());
