/** Lambda entry: SQS batches from the `profile-writer` rule into the customer view. */
import { awsPublisher } from './deps/bus.js';
import { awsProfileStore } from './deps/store.js';
import { createProfileWriterHandler } from '../../handlers/profile-writer.js';
import { logSampling } from '../../handlers/middleware.js';

export const handler = createProfileWriterHandler({ store: awsProfileStore(), publisher: awsPublisher() }).use(
  logSampling(),
);
