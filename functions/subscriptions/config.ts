/**
 * Subscriptions: how the rest of the company plugs into the hub. One typed
 * file (`subscriptions.config.ts` at the repository root) declares them; the
 * CDK stack turns each into an EventBridge rule with its own queue, DLQ and
 * retry policy, and the local runtime builds the same topology on the local
 * bus. Loaded here, once, with errors that name the bad field
 * (`subscriptions[1].target.url: …`); the schema is ./schema.ts, and the
 * checks of the event patterns (`subscriptions[1].pattern.detail-type[0]: …`),
 * which need the pattern matcher, are ./validate.ts, run at `cdk synth`,
 * `npm start` and by the CLI rather than in every function that imports the
 * config.
 */
import { HubError } from '../shared/errors.js';
import { type Subscription, type SubscriptionInput, SubscriptionsSchema } from './schema.js';

export type { Subscription, SubscriptionInput, SubscriptionTarget } from './schema.js';

/** The config is invalid; `issues` has one line per problem, each naming the field. */
export class SubscriptionConfigError extends HubError {
  constructor(readonly issues: readonly string[]) {
    super(
      `Invalid subscriptions.config.ts:\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      500,
      'invalid_subscriptions',
    );
  }
}

/** `[1, 'pattern', 'detail-type[0]']` → `subscriptions[1].pattern.detail-type[0]`. */
const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    'subscriptions',
  );

/** Fields in the order a subscription is written, so its issues read top to bottom. */
const FIELD_ORDER = ['name', 'description', 'pattern', 'target', 'retry', 'transform', 'enrich', 'enabled'];

/** Sort key of an issue: the subscription's index, then the field's place (stable within one field). */
const issueOrder = (issue: string): number => {
  const m = /^subscriptions\[(\d+)\](?:\.([A-Za-z]+))?/.exec(issue);
  if (!m) return -1;
  const field = FIELD_ORDER.indexOf(m[2] ?? '');
  return Number(m[1]) * 100 + (field < 0 ? FIELD_ORDER.length : field);
};

/** Checks one event pattern; one `"<path>: <problem>"` line per problem (`validatePattern`'s format). */
export type PatternValidator = (pattern: unknown) => readonly string[];

/** `"detail-type[0]: must be …"` of subscription `index` → `subscriptions[1].pattern.detail-type[0]: must be …`. */
const patternIssues = (input: unknown, validate: PatternValidator): string[] =>
  (Array.isArray(input) ? input : []).flatMap((item: unknown, index) => {
    const pattern = typeof item === 'object' && item !== null ? (item as { pattern?: unknown }).pattern : undefined;
    if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return [];
    return validate(pattern).map((error) => {
      const split = error.indexOf(': ');
      const where = split > 0 ? error.slice(0, split) : '(root)';
      const message = split > 0 ? error.slice(split + 2) : error;
      return `subscriptions[${index}].pattern${where === '(root)' ? '' : `.${where}`}: ${message}`;
    });
  });

/**
 * Validates a subscription list; throws {@link SubscriptionConfigError}
 * naming every bad field. With `validatePattern` the event patterns are
 * checked too (./validate.ts passes the matcher's).
 */
export const parseSubscriptions = (
  input: unknown,
  options: { readonly validatePattern?: PatternValidator } = {},
): readonly Subscription[] => {
  const result = SubscriptionsSchema.safeParse(input);
  const issues = [
    ...(result.success ? [] : result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`)),
    ...(options.validatePattern ? patternIssues(input, options.validatePattern) : []),
  ].sort((a, b) => issueOrder(a) - issueOrder(b));
  if (!result.success || issues.length > 0) throw new SubscriptionConfigError(issues);
  return Object.freeze(result.data as Subscription[]);
};

/**
 * The typed entry point of `subscriptions.config.ts`: autocompletion on the
 * input, validation (and a precise error) as soon as the file is imported.
 */
export const defineSubscriptions = (subscriptions: readonly SubscriptionInput[]): readonly Subscription[] =>
  parseSubscriptions(subscriptions);

/** Delivered by the hub's dispatcher (webhooks everywhere; API destinations in the local runtime only). */
export const isDispatched = (s: Subscription, runtime: 'aws' | 'local'): boolean =>
  s.target.type === 'webhook' || (runtime === 'local' && s.target.type === 'apiDestination');

/** `crm-leads` → `OMNIHUB_SUBSCRIPTION_SECRET_CRM_LEADS`: the local signing secret or credential. */
export const subscriptionSecretEnv = (name: string): string =>
  `OMNIHUB_SUBSCRIPTION_SECRET_${name.toUpperCase().replace(/-/g, '_')}`;
