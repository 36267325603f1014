/** Lambda entry: SQS batches of delivery receipts (the `message-status` rule) → message status; `FUNCTION_CONFIGS['message-status']`. */
import { createMessageStatusHandler } from '../../handlers/message-status.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsMessageStore } from './deps/outbound.js';
import { awsProfileStore } from './deps/store.js';

const config = readFunctionConfig(FUNCTION_CONFIGS['message-status']);

export const handler = createMessageStatusHandler({
  messages: awsMessageStore(config),
  profiles: awsProfileStore(config),
  publisher: awsPublisher(config.eventBusName),
});
