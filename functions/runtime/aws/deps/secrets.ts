/** Connector secrets from Secrets Manager for Lambda (cached by Powertools). */
import { awsConfig } from './config.js';
import { SecretsManagerStore } from '../../../adapters/aws/secrets-manager-store.js';

export const awsSecrets = () => new SecretsManagerStore(awsConfig().secretPrefix);
