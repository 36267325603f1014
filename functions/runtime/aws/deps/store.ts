/** The DynamoDB customer-view store for Lambda, created once per execution environment; no store call can hang. */
import type { CountryCode } from '../../../domain/identity.js';
import { linkingPolicy } from '../../../domain/linking.js';
import { awsConfig } from './config.js';
import { DynamoProfileStore } from '../../../adapters/aws/dynamodb-profile-store.js';
import { awsStoreClient } from '../../../adapters/aws/dynamodb-client.js';

export const awsProfileStore = () => {
  const c = awsConfig();
  return new DynamoProfileStore(awsStoreClient(), {
    tableName: c.tableName,
    dedupeTtlDays: c.dedupeTtlDays,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
  });
};
