/** Lambda entry: SQS batches from the `profile-writer` rule into the customer view. */
import { awsPublisher } from './deps/bus.js';
import { awsConnectorActivity, awsProfileStore } from './deps/store.js';
import { createProfileWriterHandler } from '../../handlers/profile-writer.js';

export const handler = createProfileWriterHandler({
  store: awsProfileStore(),
  publisher: awsPublisher(),
  activity: awsConnectorActivity(),
});
