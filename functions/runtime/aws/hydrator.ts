/** Lambda entry: SQS batches from the `hydrator` rule; fetches thin webhooks' details. */
import { awsCountry } from './deps/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsSecrets } from './deps/secrets.js';
import { createHydratorHandler } from '../../handlers/hydrator.js';
import { logSampling } from '../../handlers/middleware.js';

export const handler = createHydratorHandler({
  publisher: awsPublisher(),
  secrets: awsSecrets(),
  defaultCountry: awsCountry(),
}).use(logSampling());
