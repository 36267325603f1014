/** Lambda entry: SQS batches from the `profile-writer` rule into the customer view. */
import { awsProfileStore, awsPublisher } from '../adapters/aws/clients.js';
import { createProfileWriterHandler } from '../handlers/profile-writer.js';

export const handler = createProfileWriterHandler({ store: awsProfileStore(), publisher: awsPublisher() });
