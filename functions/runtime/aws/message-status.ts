/** Lambda entry: SQS batches of delivery receipts (the `message-status` rule) → message status. */
import { createMessageStatusHandler } from '../../handlers/message-status.js';
import { awsPublisher } from './deps/bus.js';
import { awsMessageStore } from './deps/outbound.js';
import { awsProfileStore } from './deps/store.js';

export const handler = createMessageStatusHandler({
  messages: awsMessageStore(),
  profiles: awsProfileStore(),
  publisher: awsPublisher(),
});
