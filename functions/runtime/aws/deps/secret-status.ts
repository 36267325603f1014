/**
 * Connector secret status for the `api` function: Secrets Manager metadata
 * only (`ListSecretVersionIds`), the one secret permission that function has.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsConfig } from './config.js';
import { SecretsManagerSecretStatus } from '../../../adapters/aws/secrets-manager-secret-status.js';

export const awsSecretStatus = () =>
  new SecretsManagerSecretStatus(new SecretsManagerClient({}), awsConfig().secretPrefix);
