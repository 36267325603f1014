/**
 * Connector secret status for the `api` function: Secrets Manager metadata
 * only (`ListSecretVersionIds`), the one secret permission that function has.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSecretStatus } from '../../../adapters/aws/secrets-manager-secret-status.js';

/** `prefix` is `OMNIHUB_SECRET_PREFIX`: a connector's secret is `<prefix><connector>`. */
export const awsSecretStatus = (prefix: string) => new SecretsManagerSecretStatus(new SecretsManagerClient({}), prefix);
