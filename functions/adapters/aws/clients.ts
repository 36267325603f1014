/**
 * AWS clients and adapters, created once per execution environment (module
 * scope) and reused across invocations. The only module that reads the
 * runtime config for the Lambda entry points.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { readConfig, type HubConfig } from '../../shared/config.js';
import type { CountryCode } from '../../domain/identity.js';
import { DynamoProfileStore } from './dynamodb-profile-store.js';
import { linkingPolicy } from '../../domain/linking.js';
import { EventBridgePublisher } from './event-bridge-publisher.js';
import { SecretsManagerStore } from './secrets-manager-store.js';

let config: HubConfig | undefined;
/** Config, validated at cold start: a missing variable fails the init, naming it. */
export const awsConfig = (): HubConfig => (config ??= readConfig());

export const awsProfileStore = () => {
  const c = awsConfig();
  return new DynamoProfileStore(new DynamoDBClient({}), {
    tableName: c.tableName,
    dedupeTtlDays: c.dedupeTtlDays,
    linking: linkingPolicy(c.ignoredIdentities, c.maxIdentitiesPerType, c.defaultCountry as CountryCode),
  });
};

export const awsTraitOptions = () => ({ lifespanYears: awsConfig().lifespanYears, abandonedCartAfterHours: awsConfig().abandonedCartHours });

export const awsPublisher = () => new EventBridgePublisher(new EventBridgeClient({}), awsConfig().eventBusName);

export const awsSecrets = () => new SecretsManagerStore(awsConfig().secretPrefix);

export const awsCountry = () => awsConfig().defaultCountry as CountryCode;
