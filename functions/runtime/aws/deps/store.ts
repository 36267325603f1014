/** The DynamoDB customer-view store for Lambda, created once per execution environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CountryCode } from '../../../domain/identity.js';
import { linkingPolicy } from '../../../domain/linking.js';
import { awsConfig } from './config.js';
import { DynamoProfileStore } from '../../../adapters/aws/dynamodb-profile-store.js';
import { DynamoConnectorActivity } from '../../../adapters/aws/dynamodb-connector-activity.js';

let client: DynamoDBClient | undefined;
const dynamo = (): DynamoDBClient => (client ??= new DynamoDBClient({}));

export const awsProfileStore = () => {
  const c = awsConfig();
  return new DynamoProfileStore(dynamo(), {
    tableName: c.tableName,
    dedupeTtlDays: c.dedupeTtlDays,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
  });
};

/** The last event per connector (console connectors page), in the same table. */
export const awsConnectorActivity = () => new DynamoConnectorActivity(dynamo(), { tableName: awsConfig().tableName });
