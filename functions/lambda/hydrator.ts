/** Lambda entry: SQS batches from the `hydrator` rule; fetches thin webhooks' details. */
import { awsCountry } from '../adapters/aws/clients.js';
import { awsPublisher } from '../adapters/aws/bus-client.js';
import { awsSecrets } from '../adapters/aws/secrets-client.js';
import { createHydratorHandler } from '../handlers/hydrator.js';

export const handler = createHydratorHandler({ publisher: awsPublisher(), secrets: awsSecrets(), defaultCountry: awsCountry() });
