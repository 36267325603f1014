/**
 * The complete check of a subscription list, event patterns included, for
 * the places a pattern is compiled or deployed: `cdk synth`, the local hub
 * and the CLI. Kept apart from ./config.ts so the Lambda functions that only
 * load the (already synthesized) config do not bundle the pattern matcher.
 */
import { validatePattern } from '../events/pattern-matcher.js';
import { checkOutboundUrl, OUTBOUND_AWS } from '../shared/outbound-url.js';
import { parseSubscriptions, type Subscription, SubscriptionConfigError } from './config.js';

/** Schema and patterns; throws a {@link SubscriptionConfigError} naming every bad field. */
export const validateSubscriptions = (input: unknown): readonly Subscription[] =>
  parseSubscriptions(input, { validatePattern });

/**
 * Throws when a subscription cannot be deployed: a pattern EventBridge would
 * refuse, or an endpoint on this machine (or any non-public one), which only
 * the local runtime may call.
 */
export const assertDeployable = (subscriptions: readonly Subscription[]): void => {
  validateSubscriptions(subscriptions);
  const issues = subscriptions.flatMap((s, i) => {
    const urls: Array<[string, string]> = [];
    if ('url' in s.target) urls.push(['target.url', s.target.url]);
    if (s.target.type === 'apiDestination' && s.target.auth.type === 'oauth')
      urls.push(['target.auth.tokenUrl', s.target.auth.tokenUrl]);
    return urls.flatMap(([field, url]) => {
      const checked = checkOutboundUrl(url, OUTBOUND_AWS);
      return typeof checked === 'string' ? [`subscriptions[${i}].${field}: ${url} ${checked}`] : [];
    });
  });
  if (issues.length > 0) throw new SubscriptionConfigError(issues);
};
