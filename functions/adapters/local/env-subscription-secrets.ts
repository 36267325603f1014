/**
 * Subscription secrets for the local runtime: `OMNIHUB_SUBSCRIPTION_SECRET_<NAME>`
 * when set; otherwise, for a webhook, a generated `whsec_…` secret kept in
 * `<dataDir>/subscription-secrets.json` so it survives restarts (the receiver
 * configured with it keeps verifying). Secrets of API destinations are never
 * generated: they are the receiver's credentials.
 */
import { existsSync, readFileSync } from 'node:fs';
import { subscriptionSecretEnv, type Subscription } from '../../subscriptions/config.js';
import type { SubscriptionSecretStore } from '../../ports.js';
import { generateWebhookSecret } from '../../subscriptions/signing.js';
import { writePrivateFileAtomic } from './private-files.js';

export interface ResolvedSecret {
  readonly subscription: string;
  readonly env: string;
  readonly source: 'env' | 'generated' | 'saved' | 'missing';
  readonly value?: string;
}

export class EnvSubscriptionSecrets implements SubscriptionSecretStore {
  private readonly values = new Map<string, string>();
  /** How each secret was obtained, for the start-up summary. */
  readonly resolved: readonly ResolvedSecret[];

  constructor(subscriptions: readonly Subscription[], env: NodeJS.ProcessEnv, savePath?: string) {
    const saved =
      savePath && existsSync(savePath) ? (JSON.parse(readFileSync(savePath, 'utf8')) as Record<string, string>) : {};
    const toSave: Record<string, string> = {};
    const resolved: ResolvedSecret[] = [];
    for (const s of subscriptions) {
      if (s.target.type !== 'webhook' && s.target.type !== 'apiDestination') continue;
      const envName = subscriptionSecretEnv(s.name);
      const fromEnv = env[envName] || undefined;
      let entry: ResolvedSecret;
      if (fromEnv) entry = { subscription: s.name, env: envName, source: 'env', value: fromEnv };
      else if (s.target.type === 'apiDestination') entry = { subscription: s.name, env: envName, source: 'missing' };
      else if (saved[s.name]) entry = { subscription: s.name, env: envName, source: 'saved', value: saved[s.name] };
      else entry = { subscription: s.name, env: envName, source: 'generated', value: generateWebhookSecret() };
      if (entry.value) this.values.set(s.name, entry.value);
      if (entry.source === 'saved' || entry.source === 'generated') toSave[s.name] = entry.value as string;
      resolved.push(entry);
    }
    this.resolved = resolved;
    // Atomic (temporary file + rename, mode 0600): a crash mid-write must not lose the secrets receivers verify with.
    if (savePath && resolved.some((r) => r.source === 'generated'))
      writePrivateFileAtomic(savePath, `${JSON.stringify({ ...saved, ...toSave }, null, 2)}\n`);
  }

  async get(subscription: string): Promise<string | undefined> {
    return this.values.get(subscription);
  }

  /** Synchronous access for the local runtime and tests. */
  value(subscription: string): string | undefined {
    return this.values.get(subscription);
  }
}
