/** Connector secrets from Secrets Manager for Lambda (cached by Powertools). */
import { awsConfig } from './clients.js';
import { SecretsManagerStore } from './secrets-manager-store.js';

export const awsSecrets = () => new SecretsManagerStore(awsConfig().secretPrefix);
