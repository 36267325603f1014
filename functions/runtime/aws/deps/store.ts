/** The DynamoDB customer-view store for Lambda, created once per execution environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoProfileStore } from '../../../adapters/aws/dynamodb-profile-store.js';
import type { CountryCode } from '../../../domain/identity.js';
import { linkingPolicy } from '../../../domain/linking.js';

/** The store settings of a function's configuration (`FUNCTION_CONFIGS['profile-writer']`, `.api`). */
export interface StoreConfig {
  readonly tableName: string;
  readonly dedupeTtlDays: number;
  readonly ignoredIdentities: readonly string[];
  readonly maxIdentitiesPerType: number;
  readonly defaultCountry: string;
}

export const awsProfileStore = (c: StoreConfig) =>
  new DynamoProfileStore(new DynamoDBClient({}), {
    tableName: c.tableName,
    dedupeTtlDays: c.dedupeTtlDays,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
  });
