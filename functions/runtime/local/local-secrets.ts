/**
 * `npm start` refuses weak secrets before anything starts:
 * every connector secret set in the environment with a minimum
 * (`SecretSpec.minBytes`), the API token of the read API, and the signing
 * secret of every webhook subscription given in the environment. The error
 * names each variable and its length, never its value.
 */
import { listConnectors } from '../../connectors/index.js';
import { describeWeakSecret, MIN_SECRET_BYTES, weakSecrets } from '../../connectors/shared/secret-strength.js';
import { subscriptionSecretEnv, type Subscription } from '../../subscriptions/config.js';
import { weakWebhookSecret } from '../../subscriptions/signing.js';
import { HubError } from '../../shared/errors.js';

export interface LocalSecretInputs {
  readonly env: NodeJS.ProcessEnv;
  /** The read API's bearer token and where it came from, e.g. `OMNIHUB_API_TOKEN`. */
  readonly apiToken: { readonly value: string; readonly source: string };
  readonly subscriptions: readonly Subscription[];
}

/** One line per secret too weak to start with. */
export const localSecretProblems = ({ env, apiToken, subscriptions }: LocalSecretInputs): string[] => {
  const connectors = listConnectors().flatMap((c) =>
    weakSecrets(c, Object.fromEntries(c.secrets.map((s) => [s.name, env[s.env] || undefined]))).map(describeWeakSecret),
  );
  const tokenBytes = Buffer.byteLength(apiToken.value, 'utf8');
  const token =
    tokenBytes < MIN_SECRET_BYTES
      ? [`${apiToken.source} holds ${tokenBytes} bytes; at least ${MIN_SECRET_BYTES} are required`]
      : [];
  const webhooks = subscriptions.flatMap((s) => {
    const name = subscriptionSecretEnv(s.name);
    const value = env[name];
    const problem = s.target.type === 'webhook' && value ? weakWebhookSecret(value) : undefined;
    return problem ? [`subscription ${s.name} (${name}): ${problem}`] : [];
  });
  return [...connectors, ...token, ...webhooks];
};

/** Thrown by `startLocalHub` for weak secrets; the message lists every one. */
export class WeakSecretsError extends HubError {
  constructor(readonly problems: readonly string[]) {
    super(
      `Refusing to start: secrets too short to be safe\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      500,
      'weak_secrets',
    );
  }
}
