/** Connector secrets from Secrets Manager for Lambda (cached by Powertools). */
import { SecretsManagerStore } from '../../../adapters/aws/secrets-manager-store.js';

/** `prefix` is `OMNIHUB_SECRET_PREFIX`: a connector's secret is `<prefix><connector>`. */
export const awsSecrets = (prefix: string) => new SecretsManagerStore(prefix);
