/** Lambda entry: SQS batches from the `profile-writer` rule into the customer view. */
import { awsPublisher } from '../adapters/aws/bus-client.js';
import { awsProfileStore } from '../adapters/aws/store-client.js';
import { createProfileWriterHandler } from '../handlers/profile-writer.js';

export const handler = createProfileWriterHandler({ store: awsProfileStore(), publisher: awsPublisher() });
