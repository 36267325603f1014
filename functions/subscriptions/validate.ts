/**
 * The complete check of a subscription list, event patterns included, for
 * the places a pattern is compiled or deployed: `cdk synth`, the local hub
 * and the CLI. Kept apart from ./config.ts so the Lambda functions that only
 * load the (already synthesized) config do not bundle the pattern matcher.
 */
import { validatePattern } from '../events/pattern-matcher.js';
import { parseSubscriptions, type Subscription, SubscriptionConfigError } from './config.js';

/** Schema and patterns; throws a {@link SubscriptionConfigError} naming every bad field. */
export const validateSubscriptions = (input: unknown): readonly Subscription[] =>
  parseSubscriptions(input, { validatePattern });

/**
 * Throws when a subscription cannot be deployed: a pattern EventBridge would
 * refuse, or a plain-http URL (allowed only in the local runtime).
 */
export const assertDeployable = (subscriptions: readonly Subscription[]): void => {
  validateSubscriptions(subscriptions);
  const issues = subscriptions.flatMap((s, i) =>
    'url' in s.target && !s.target.url.startsWith('https://')
      ? [`subscriptions[${i}].target.url: ${s.target.url} is a local http:// URL; deployed subscriptions need https://`]
      : [],
  );
  if (issues.length > 0) throw new SubscriptionConfigError(issues);
};
