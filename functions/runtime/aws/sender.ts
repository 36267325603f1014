/**
 * Lambda entry: SQS batches of `message.requested` (the `sender` rule and
 * delayed re-requests) → vendor APIs; configuration `FUNCTION_CONFIGS.sender`.
 */
import type { CountryCode } from '../../domain/identity.js';
import { createSenderHandler } from '../../handlers/sender.js';
import { outboundSettingsOf } from '../../outbound/settings.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { outboundFetch } from '../../shared/outbound-fetch.js';
import { OUTBOUND_AWS } from '../../shared/outbound-url.js';
import { awsPublisher } from './deps/bus.js';
import { awsEmailTransport, awsMessageScheduler, awsMessageStore } from './deps/outbound.js';
import { awsSecrets } from './deps/secrets.js';
import { awsProfileStore } from './deps/store.js';

const config = readFunctionConfig(FUNCTION_CONFIGS.sender);

export const handler = createSenderHandler({
  messages: awsMessageStore(config),
  profiles: awsProfileStore(config),
  publisher: awsPublisher(config.eventBusName),
  scheduler: awsMessageScheduler(config),
  secrets: awsSecrets(config.secretPrefix),
  settings: outboundSettingsOf(config, 'sender'),
  defaultCountry: config.defaultCountry as CountryCode,
  email: awsEmailTransport(),
  // Vendor send APIs: public https hosts only, checked again at connect time, no redirects, a timeout.
  fetch: outboundFetch({ policy: OUTBOUND_AWS }),
  ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
});
