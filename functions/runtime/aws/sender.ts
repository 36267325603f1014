/** Lambda entry: SQS batches of `message.requested` (the `sender` rule and delayed re-requests) → vendor APIs. */
import { createSenderHandler } from '../../handlers/sender.js';
import { awsPublisher } from './deps/bus.js';
import { awsConfig, awsCountry } from './deps/config.js';
import { awsEmailTransport, awsMessageScheduler, awsMessageStore, awsOutboundSettings } from './deps/outbound.js';
import { awsSecrets } from './deps/secrets.js';
import { awsProfileStore } from './deps/store.js';

export const handler = createSenderHandler({
  messages: awsMessageStore(),
  profiles: awsProfileStore(),
  publisher: awsPublisher(),
  scheduler: awsMessageScheduler(),
  secrets: awsSecrets(),
  settings: awsOutboundSettings(),
  defaultCountry: awsCountry(),
  email: awsEmailTransport(),
  ...(awsConfig().publicBaseUrl ? { publicBaseUrl: awsConfig().publicBaseUrl } : {}),
});
