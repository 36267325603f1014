/**
 * Runtime config for the Lambda entry points, validated once per execution
 * environment. The AWS clients live in one small module each
 * (`store-client`, `bus-client`, `secrets-client`) so a function bundles
 * only the SDK clients it uses — ingest never loads DynamoDB.
 */
import { readConfig, type HubConfig } from '../../../shared/config.js';
import type { CountryCode } from '../../../domain/identity.js';

let config: HubConfig | undefined;
/** Config, validated at cold start: a missing variable fails the init, naming it. */
export const awsConfig = (): HubConfig => (config ??= readConfig());

export const awsCountry = () => awsConfig().defaultCountry as CountryCode;

export const awsTraitOptions = () => ({
  lifespanYears: awsConfig().lifespanYears,
  abandonedCartAfterHours: awsConfig().abandonedCartHours,
});
