/** The DynamoDB customer-view store for Lambda, created once per execution environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CountryCode } from '../../../domain/identity.js';
import { linkingPolicy } from '../../../domain/linking.js';
import { awsConfig } from './config.js';
import { DynamoProfileStore } from '../../../adapters/aws/dynamodb-profile-store.js';

export const awsProfileStore = () => {
  const c = awsConfig();
  return new DynamoProfileStore(new DynamoDBClient({}), {
    tableName: c.tableName,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
  });
};
