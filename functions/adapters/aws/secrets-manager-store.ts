/**
 * Connector secrets from AWS Secrets Manager: one secret per connector,
 * `<prefix><connector>`, holding JSON such as `{"secret":"…","verifyToken":"…"}`.
 * Powertools caches values across invocations (5 minutes), so a warm
 * function does not call Secrets Manager per webhook, and a rotated value is
 * picked up without a deploy.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { ConnectorSecrets } from '../../connectors/types.js';
import type { SecretStore } from '../../ports.js';

export class SecretsManagerStore implements SecretStore {
  private readonly provider = new SecretsProvider();

  constructor(
    private readonly prefix: string,
    private readonly maxAgeSeconds = 300,
  ) {}

  async get(connector: string): Promise<ConnectorSecrets> {
    try {
      const value = await this.provider.get(`${this.prefix}${connector}`, {
        maxAge: this.maxAgeSeconds,
        transform: 'json',
      });
      return value && typeof value === 'object' ? (value as ConnectorSecrets) : {};
    } catch (err) {
      // A secret that was never given a value reads as "not configured" (503), not a crash.
      if ((err as Error).name === 'ResourceNotFoundException' || /transform/i.test((err as Error).message)) return {};
      throw err;
    }
  }
}
