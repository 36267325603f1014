/** The DynamoDB customer-view store for Lambda, created once per execution environment; no store call can hang. */
import { awsStoreClient } from '../../../adapters/aws/dynamodb-client.js';
import { DynamoProfileStore } from '../../../adapters/aws/dynamodb-profile-store.js';
import type { CountryCode } from '../../../domain/identity.js';
import { linkingPolicy } from '../../../domain/linking.js';
import { DynamoConnectorActivity } from '../../../adapters/aws/dynamodb-connector-activity.js';

/** The store settings of a function's configuration (`FUNCTION_CONFIGS['profile-writer']`, `.api`). */
export interface StoreConfig {
  readonly tableName: string;
  readonly dedupeTtlDays: number;
  readonly ignoredIdentities: readonly string[];
  readonly maxIdentitiesPerType: number;
  readonly defaultCountry: string;
}

export const awsProfileStore = (c: StoreConfig) =>
  new DynamoProfileStore(awsStoreClient(), {
    tableName: c.tableName,
    dedupeTtlDays: c.dedupeTtlDays,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
  });

/** The last event per connector (console connectors page), in the same table. */
export const awsConnectorActivity = (tableName: string) => new DynamoConnectorActivity(awsStoreClient(), { tableName });
