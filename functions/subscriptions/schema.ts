/**
 * The schema of `subscriptions.config.ts`: one zod schema per part of a
 * subscription (target kinds, retry policy, transform), and the types the
 * code uses. Loading and the errors it reports are in ./config.ts; the
 * checks of the event patterns themselves in ./validate.ts.
 */
import * as z from 'zod';
import type { EventPattern } from '../events/rules.js';
import { checkOutboundUrl, OUTBOUND_LOCAL } from '../shared/outbound-url.js';

/**
 * Kebab-case, at most 30 characters: the name becomes part of the rule, queue
 * and replay names (`omnihub-<stage>-sub-<name>`, EventBridge caps rule names
 * at 64 and replay names at 64 characters).
 */
const SUBSCRIPTION_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const SUBSCRIPTION_NAME_MAX = 30;

/**
 * An endpoint the hub may call (`functions/shared/outbound-url.ts`): https to
 * a named public host; `localhost`/loopback (http too) only in the local
 * runtime — `assertDeployable` (./validate.ts) refuses those at `cdk synth`,
 * and the dispatcher checks again at connect time.
 */
const EndpointUrlSchema = z
  .url({ error: 'must be an absolute URL, e.g. https://crm.example.com/hooks/omnihub' })
  .superRefine((url, ctx) => {
    const checked = checkOutboundUrl(url, OUTBOUND_LOCAL);
    if (typeof checked === 'string') ctx.addIssue({ code: 'custom', message: checked });
  });

/** Headers a subscription may add; the signature and content headers are the dispatcher's. */
const RESERVED_HEADERS = /^(webhook-|omnihub-|content-type$|content-length$|host$|authorization$)/i;
const HeadersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name: letters, digits and "-"'), z.string().max(1024))
  .refine((headers) => Object.keys(headers).every((h) => !RESERVED_HEADERS.test(h)), {
    error: 'webhook-*, omnihub-*, content-type, content-length, host and authorization are set by the hub',
  });

const ArnSchema = (service: string, example: string) =>
  z
    .string()
    .regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`), `an ${service} ARN, e.g. ${example}`);

const WebhookTargetSchema = z
  .object({
    type: z.literal('webhook'),
    /** Receiver endpoint; every request is signed per Standard Webhooks. */
    url: EndpointUrlSchema,
    /** Per-attempt timeout; a slower answer counts as a failed attempt. @default 10 */
    timeoutSeconds: z.number().int().min(1).max(30).default(10),
    /**
     * Deliveries in flight to this endpoint at once. On AWS this is the event
     * source mapping's `MaximumConcurrency` with one record per invocation
     * (Lambda's minimum is 2, so 1 becomes 2 there). @default 10
     */
    maxConcurrency: z.number().int().min(1).max(1000).default(10),
    /** Static extra headers (e.g. a routing key the receiver expects). */
    headers: HeadersSchema.optional(),
  })
  .strict();

const ApiKeyAuthSchema = z
  .object({ type: z.literal('apiKey'), header: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) })
  .strict();
const BasicAuthSchema = z.object({ type: z.literal('basic'), username: z.string().min(1).max(512) }).strict();
const OAuthSchema = z
  .object({
    type: z.literal('oauth'),
    /** Token endpoint of the client-credentials grant. */
    tokenUrl: z.url({ protocol: /^https$/, error: 'an https:// token endpoint' }),
    clientId: z.string().min(1).max(512),
    scope: z.string().max(512).optional(),
  })
  .strict();

const ApiDestinationTargetSchema = z
  .object({
    type: z.literal('apiDestination'),
    url: EndpointUrlSchema,
    httpMethod: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    /**
     * How EventBridge authenticates. The secret part (API key value, password
     * or OAuth client secret) is the `secret` key of the subscription's
     * Secrets Manager secret (`<prefix><name>`), created by an operator
     * before the deploy; locally `OMNIHUB_SUBSCRIPTION_SECRET_<NAME>`.
     */
    auth: z.discriminatedUnion('type', [ApiKeyAuthSchema, BasicAuthSchema, OAuthSchema]),
    /** Invocations per second EventBridge sends at most. @default 300 (the EventBridge default) */
    rateLimitPerSecond: z.number().int().min(1).max(300).optional(),
    headers: HeadersSchema.optional(),
  })
  .strict();

const SqsTargetSchema = z
  .object({
    type: z.literal('sqs'),
    queueArn: ArnSchema('sqs', 'arn:aws:sqs:eu-central-1:123456789012:crm-leads'),
    /** Required for a FIFO queue. */
    messageGroupId: z.string().min(1).max(128).optional(),
  })
  .strict();

const LambdaTargetSchema = z
  .object({
    type: z.literal('lambda'),
    functionArn: ArnSchema('lambda', 'arn:aws:lambda:eu-central-1:123456789012:function:on-lead'),
  })
  .strict();

const EventBusTargetSchema = z
  .object({
    type: z.literal('eventBus'),
    eventBusArn: ArnSchema('events', 'arn:aws:events:eu-central-1:210987654321:event-bus/crm'),
  })
  .strict();

const TargetSchema = z.discriminatedUnion('type', [
  WebhookTargetSchema,
  ApiDestinationTargetSchema,
  SqsTargetSchema,
  LambdaTargetSchema,
  EventBusTargetSchema,
]);

const RetrySchema = z
  .object({
    /** Attempts in total, the first one included (native targets: EventBridge retries up to 185 times). @default 10 */
    maxAttempts: z.number().int().min(1).max(186).default(10),
    /**
     * How long after the first attempt an event may still be retried; after
     * that it goes to the subscription's DLQ. Native targets: 60–86400 s
     * (EventBridge's maximum event age). @default 86400 (24 hours)
     */
    windowSeconds: z.number().int().min(1).max(259_200).default(86_400),
    /** Webhooks: first backoff ceiling; the n-th retry waits random(0, base·2ⁿ⁻¹). @default 1000 */
    baseDelayMs: z.number().int().min(1).max(3_600_000).default(1_000),
    /** Webhooks: cap of one backoff. @default 3600000 (1 hour) */
    maxDelayMs: z.number().int().min(1).max(43_200_000).default(3_600_000),
  })
  .strict();

/**
 * EventBridge input-transformer paths: dot notation and array indices only
 * (`$.detail.customer.identities[0].value`), the subset EventBridge and the
 * local dispatcher evaluate identically.
 */
export const TRANSFORM_PATH = /^\$(?:\.[A-Za-z0-9_\-/]+|\[\d+\])*$/;
const TransformSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'an output field name: letters, digits, "_" and "-"'),
    z
      .string()
      .regex(
        TRANSFORM_PATH,
        'a JSON path in dot notation with array indices, e.g. $.detail.customer.identities[0].value',
      ),
  )
  .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 100, { error: 'between 1 and 100 fields' });

/**
 * The shape of an event pattern only: its content is checked where patterns
 * matter, at `cdk synth`, `npm start` and in the CLI (`validateSubscriptions`
 * in ./validate.ts), so the Lambda functions that load this config never
 * bundle the pattern matcher.
 */
const PatternSchema = z.record(z.string(), z.unknown());

const NATIVE_TYPES = new Set(['sqs', 'lambda', 'eventBus', 'apiDestination']);

const SubscriptionSchema = z
  .object({
    name: z
      .string()
      .max(SUBSCRIPTION_NAME_MAX, `at most ${SUBSCRIPTION_NAME_MAX} characters`)
      .regex(
        SUBSCRIPTION_NAME,
        'kebab-case: lowercase letters and digits separated by single "-", starting with a letter',
      ),
    description: z.string().max(256).optional(),
    /** EventBridge event pattern over the hub's envelopes (`detail-type` is the hub event type). */
    pattern: PatternSchema,
    target: TargetSchema,
    retry: RetrySchema.default(() => RetrySchema.parse({})),
    /** Output field → JSON path into the envelope (EventBridge `InputPathsMap`); omitted → the whole envelope. */
    transform: TransformSchema.optional(),
    /**
     * `customer`: every event carries the customer it belongs to —
     * `detail.customerId` (the survivor after merges) and `detail.profile`
     * (name, preferred channel, lifetime value, consent) — delivered only
     * once the profile writer applied the event (docs/subscriptions.md).
     * Webhooks only: the other targets get the bus envelope from EventBridge
     * itself. @default 'customer' for a webhook, 'none' otherwise
     */
    enrich: z.enum(['customer', 'none']).optional(),
    /** A disabled subscription keeps its resources (rule disabled on AWS) but receives nothing. @default true */
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.enrich === 'customer' && s.target.type !== 'webhook') {
      ctx.addIssue({
        code: 'custom',
        path: ['enrich'],
        message: `only a webhook target can carry the customer (the dispatcher adds it); a ${s.target.type} target receives the bus envelope as EventBridge delivers it — use enrich: 'none' or a webhook`,
      });
    }
    if (s.target.type === 'eventBus' && s.transform) {
      ctx.addIssue({
        code: 'custom',
        path: ['transform'],
        message:
          "not supported for an eventBus target: the other bus receives the hub's envelope unchanged; transform in the rules on that bus",
      });
    }
    if (!NATIVE_TYPES.has(s.target.type)) return;
    // EventBridge's own retry policy bounds native targets.
    if (s.retry.windowSeconds < 60 || s.retry.windowSeconds > 86_400) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'windowSeconds'],
        message: `must be 60–86400 for a ${s.target.type} target (EventBridge's maximum event age)`,
      });
    }
  });

/** The subscription with its enrichment decided (the default depends on the target). */
const SubscriptionWithDefaults = SubscriptionSchema.transform((s) => ({
  ...s,
  enrich: s.enrich ?? (s.target.type === 'webhook' ? ('customer' as const) : ('none' as const)),
}));

export const SubscriptionsSchema = z.array(SubscriptionWithDefaults).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((s, i) => {
    const first = seen.get(s.name);
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        message: `"${s.name}" is already the name of subscriptions[${first}]`,
      });
    else seen.set(s.name, i);
  });
});

export type SubscriptionInput = z.input<typeof SubscriptionSchema>;
/** A validated subscription with every default filled in. */
export type Subscription = z.output<typeof SubscriptionWithDefaults> & { readonly pattern: EventPattern };
export type SubscriptionTarget = Subscription['target'];
export type ApiDestinationTarget = z.output<typeof ApiDestinationTargetSchema>;
export type RetryPolicy = z.output<typeof RetrySchema>;
