/**
 * Per-subscription secrets from Secrets Manager: `<prefix><name>` holding
 * `{"secret":"…"}` (the stack generates it for webhooks; an operator puts an
 * API destination's credential). Cached by Powertools for 5 minutes, so a
 * rotated signing secret reaches warm dispatchers without a deploy.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SubscriptionSecretStore } from '../../ports.js';

export class SecretsManagerSubscriptionSecrets implements SubscriptionSecretStore {
  private readonly provider = new SecretsProvider();

  constructor(
    private readonly prefix: string,
    private readonly maxAgeSeconds = 300,
  ) {}

  async get(subscription: string): Promise<string | undefined> {
    const value = await this.provider.get(`${this.prefix}${subscription}`, {
      maxAge: this.maxAgeSeconds,
      transform: 'json',
    });
    const secret = value && typeof value === 'object' ? (value as { secret?: unknown }).secret : undefined;
    return typeof secret === 'string' && secret.length > 0 ? secret : undefined;
  }
}
