/** Lambda entry: SQS batches from the `hydrator` rule; fetches thin webhooks' details. */
import { awsCountry, awsPublisher, awsSecrets } from '../adapters/aws/clients.js';
import { createHydratorHandler } from '../handlers/hydrator.js';

export const handler = createHydratorHandler({ publisher: awsPublisher(), secrets: awsSecrets(), defaultCountry: awsCountry() });
