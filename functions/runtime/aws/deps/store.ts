/** The DynamoDB customer-view store for Lambda, created once per execution environment; no store call can hang. */
import { awsStoreClient } from '../../../adapters/aws/dynamodb-client.js';
import { DynamoProfileStore } from '../../../adapters/aws/dynamodb-profile-store.js';
import { DynamoSecretProblemLog } from '../../../adapters/aws/dynamodb-secret-problems.js';
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
  readonly archiveRetentionDays: number;
  readonly lifespanYears: number;
  readonly lifetimeValueThresholds: readonly { currency: string; amountMinor: number }[];
}

export const awsProfileStore = (c: StoreConfig) =>
  new DynamoProfileStore(awsStoreClient(), {
    tableName: c.tableName,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
    archiveRetentionDays: c.archiveRetentionDays,
    changes: { lifespanYears: c.lifespanYears, lifetimeValueThresholds: c.lifetimeValueThresholds },
  });

/** What ingest reported about connector secrets (too short), read by `GET /v1/connectors`. */
export const awsSecretProblems = (tableName: string) => new DynamoSecretProblemLog(awsStoreClient(), { tableName });

/** The last event per connector (console connectors page), in the same table. */
export const awsConnectorActivity = (tableName: string) => new DynamoConnectorActivity(awsStoreClient(), { tableName });
