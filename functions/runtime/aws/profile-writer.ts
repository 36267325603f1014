/** Lambda entry: SQS batches from the `profile-writer` rule into the customer view; configuration `FUNCTION_CONFIGS['profile-writer']`. */
import { createProfileWriterHandler } from '../../handlers/profile-writer.js';
import { logSampling } from '../../handlers/middleware.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsConnectorActivity, awsProfileStore } from './deps/store.js';
import { awsAnalyticsSink } from './deps/analytics.js';

const config = readFunctionConfig(FUNCTION_CONFIGS['profile-writer']);
const lake = awsAnalyticsSink(config);

export const handler = createProfileWriterHandler({
  store: awsProfileStore(config),
  publisher: awsPublisher(config.eventBusName),
  ...(lake ? { lake } : {}),
  activity: awsConnectorActivity(config.tableName),
}).use(logSampling());
