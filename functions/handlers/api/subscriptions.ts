/**
 * The subscriptions part of the read/admin API, served by the `api` function
 * through `ApiDeps.subscriptionRoutes` (IAM on AWS, the bearer token locally):
 *
 *   GET  /v1/subscriptions                       config, delivery counters, queue depths
 *   GET  /v1/subscriptions/{name}/deliveries     recent attempts, newest first
 *   POST /v1/subscriptions/{name}/redrive        DLQ → queue
 *   POST /v1/subscriptions/{name}/replay         archive → this subscription only
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import type { DeliveryLog, SubscriptionOperations } from '../../ports.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { isDispatched, type Subscription, type SubscriptionTarget } from '../../subscriptions/config.js';
import { type RouteContracts, respond } from './contract.js';
import { parseBody, parseParams, parseQuery } from './request.js';
import type { ApiRoutes } from './types.js';

export type SubscriptionRouteKey =
  | 'GET /v1/subscriptions'
  | 'GET /v1/subscriptions/{name}/deliveries'
  | 'POST /v1/subscriptions/{name}/redrive'
  | 'POST /v1/subscriptions/{name}/replay';

export interface SubscriptionsApiDeps {
  readonly subscriptions: readonly Subscription[];
  readonly log: DeliveryLog;
  readonly operations: SubscriptionOperations;
  /** Which runtime serves the API: decides whether an API destination is dispatched (local) or native (AWS). */
  readonly runtime: 'aws' | 'local';
}

const NameParamsSchema = z.object({
  name: z.string().meta({ description: 'The subscription name, as in `subscriptions.config.ts`' }),
});

const DeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Attempts per page' }),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .meta({ description: '`nextCursor` of the previous page, for older attempts' }),
});

/** The longest replay window accepted in one call (EventBridge replays are bounded by the archive anyway). */
const MAX_REPLAY_DAYS = 366;

const ReplayBodySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).meta({ description: 'First event time to replay (inclusive)' }),
    to: z.iso.datetime({ offset: true }).meta({ description: 'End of the window (exclusive); not in the future' }),
  })
  .strict()
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { error: '"from" must be before "to"', path: ['to'] })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= MAX_REPLAY_DAYS * 86_400_000, {
    error: `at most ${MAX_REPLAY_DAYS} days`,
    path: ['to'],
  })
  .refine((b) => Date.parse(b.to) <= Date.now() + 60_000, { error: '"to" must not be in the future', path: ['to'] });

const DeliveryStatsSchema = z
  .object({
    delivered: z.number().int(),
    failedAttempts: z.number().int(),
    deadLettered: z.number().int(),
    matched: z.number().int().meta({ description: 'Events matched by a target the local runtime only records' }),
    suppressed: z
      .number()
      .int()
      .meta({ description: "Events not delivered because they were an erased customer's (erasure holds)" }),
    lastAttemptAt: z.string().optional(),
    lastDeliveredAt: z.string().optional(),
    lastStatusCode: z.number().int().optional(),
    lastError: z.string().optional(),
  })
  .meta({ id: 'DeliveryStats' });

const QueueDepthSchema = z
  .object({
    pending: z.number().int().optional().meta({ description: 'Waiting or scheduled for a retry' }),
    inFlight: z.number().int().optional(),
    deadLettered: z.number().int(),
  })
  .meta({ id: 'QueueDepth' });

/** A target as the API shows it: where it delivers, without credentials or query strings. */
const TargetViewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url: z.string(), timeoutSeconds: z.number(), maxConcurrency: z.number() }),
  z.object({
    type: z.literal('apiDestination'),
    url: z.string(),
    httpMethod: z.string(),
    auth: z.enum(['apiKey', 'basic', 'oauth']),
  }),
  z.object({ type: z.enum(['sqs', 'lambda', 'eventBus']), arn: z.string() }),
]);

const SubscriptionViewSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    enabled: z.boolean(),
    pattern: z.record(z.string(), z.unknown()).meta({ description: 'EventBridge event pattern' }),
    target: TargetViewSchema,
    delivery: z.enum(['dispatcher', 'eventbridge', 'recorded-only']).meta({
      description:
        "Who delivers: the hub's dispatcher (webhooks), EventBridge itself (native targets on AWS), or nobody (native targets in the local runtime, which records the match)",
    }),
    retry: z.object({
      maxAttempts: z.number().int(),
      windowSeconds: z.number().int(),
      baseDelayMs: z.number().int(),
      maxDelayMs: z.number().int(),
    }),
    transform: z.record(z.string(), z.string()).optional(),
    deliveries: DeliveryStatsSchema,
    queue: QueueDepthSchema.optional(),
  })
  .meta({ id: 'Subscription' });

/** `GET /v1/subscriptions`. */
export const SubscriptionListSchema = z.object({ subscriptions: z.array(SubscriptionViewSchema) });

const DeliveryAttemptSchema = z
  .object({
    subscription: z.string(),
    eventId: z.string(),
    attempt: z.number().int(),
    time: z.string(),
    outcome: z.enum(['delivered', 'retrying', 'dead-lettered', 'matched', 'suppressed']),
    statusCode: z.number().int().optional(),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
    nextAttemptAt: z.string().optional(),
    replayName: z.string().optional(),
  })
  .meta({ id: 'DeliveryAttempt' });

const DeliveryPageSchema = z.object({
  items: z.array(DeliveryAttemptSchema).meta({ description: 'Newest first' }),
  nextCursor: z.string().optional(),
});

/** `POST /v1/subscriptions/{name}/redrive`: moved locally, a message move task on AWS. */
const RedriveResponseSchema = z.union([
  z.object({ subscription: z.string(), moved: z.number().int() }),
  z.object({ subscription: z.string(), taskHandle: z.string(), approximateMessages: z.number().int().optional() }),
]);

/** `POST /v1/subscriptions/{name}/replay`. */
export const ReplayResponseSchema = z.object({
  subscription: z.string(),
  from: z.string(),
  to: z.string(),
  replayName: z.string().meta({ description: 'Deliveries carry it as `omnihub-replay` header and `replay-name`' }),
  state: z.string().meta({ description: 'AWS: `STARTING`; locally the replay is done (`COMPLETED`)' }),
  replayed: z.number().int().optional().meta({ description: 'Local: archived events re-delivered' }),
});

export const subscriptionContracts = {
  'GET /v1/subscriptions': {
    summary: 'List the subscriptions with their delivery counters and queue depths',
    status: 200,
    response: SubscriptionListSchema,
  },
  'GET /v1/subscriptions/{name}/deliveries': {
    summary: "Read a subscription's recent delivery attempts, newest first",
    params: NameParamsSchema,
    query: DeliveriesQuerySchema,
    status: 200,
    response: DeliveryPageSchema,
    errors: [400, 404],
  },
  'POST /v1/subscriptions/{name}/redrive': {
    summary: "Move a subscription's dead letters back to its queue",
    description:
      'Webhook subscriptions (and API destinations locally). EventBridge delivers native targets itself; re-send their window with replay instead.',
    params: NameParamsSchema,
    status: 202,
    response: RedriveResponseSchema,
    errors: [400, 404],
  },
  'POST /v1/subscriptions/{name}/replay': {
    summary: 'Re-deliver archived events of a time window to this subscription only',
    params: NameParamsSchema,
    body: ReplayBodySchema,
    status: 202,
    response: ReplayResponseSchema,
    errors: [400, 404],
  },
} as const satisfies RouteContracts<SubscriptionRouteKey>;

/** Where a target delivers, without credentials or query strings that may carry tokens. */
const describeTarget = (target: SubscriptionTarget): z.input<typeof TargetViewSchema> => {
  switch (target.type) {
    case 'webhook': {
      const url = new URL(target.url);
      return {
        type: target.type,
        url: `${url.origin}${url.pathname}`,
        timeoutSeconds: target.timeoutSeconds,
        maxConcurrency: target.maxConcurrency,
      };
    }
    case 'apiDestination': {
      const url = new URL(target.url);
      return {
        type: target.type,
        url: `${url.origin}${url.pathname}`,
        httpMethod: target.httpMethod,
        auth: target.auth.type,
      };
    }
    case 'sqs':
      return { type: target.type, arn: target.queueArn };
    case 'lambda':
      return { type: target.type, arn: target.functionArn };
    case 'eventBus':
      return { type: target.type, arn: target.eventBusArn };
  }
};

export const createSubscriptionRoutes = (deps: SubscriptionsApiDeps): ApiRoutes<SubscriptionRouteKey> => {
  const byName = new Map(deps.subscriptions.map((s) => [s.name, s]));
  const requireSubscription = (event: APIGatewayProxyEventV2): Subscription => {
    const { name } = parseParams(subscriptionContracts['GET /v1/subscriptions/{name}/deliveries'].params, event);
    const subscription = name ? byName.get(name) : undefined;
    if (!subscription) throw new NotFoundError(`No subscription named "${name}"; GET /v1/subscriptions lists them`);
    return subscription;
  };

  return {
    'GET /v1/subscriptions': async () => {
      const subscriptions = await Promise.all(
        deps.subscriptions.map(async (s) => {
          const [deliveries, queue] = await Promise.all([deps.log.stats(s.name), deps.operations.queueDepth(s.name)]);
          return {
            name: s.name,
            ...(s.description ? { description: s.description } : {}),
            enabled: s.enabled,
            pattern: s.pattern,
            target: describeTarget(s.target),
            delivery: isDispatched(s, deps.runtime)
              ? ('dispatcher' as const)
              : deps.runtime === 'aws'
                ? ('eventbridge' as const)
                : ('recorded-only' as const),
            retry: s.retry,
            ...(s.transform ? { transform: s.transform } : {}),
            deliveries,
            ...(queue ? { queue } : {}),
          };
        }),
      );
      return respond(subscriptionContracts['GET /v1/subscriptions'], { subscriptions });
    },

    'GET /v1/subscriptions/{name}/deliveries': async (event) => {
      const subscription = requireSubscription(event);
      const contract = subscriptionContracts['GET /v1/subscriptions/{name}/deliveries'];
      const { limit, cursor } = parseQuery(contract.query, event);
      return respond(contract, await deps.log.recent(subscription.name, { limit, ...(cursor ? { cursor } : {}) }));
    },

    'POST /v1/subscriptions/{name}/redrive': async (event) => {
      const subscription = requireSubscription(event);
      if (!isDispatched(subscription, deps.runtime)) {
        throw new ValidationError(
          deps.runtime === 'local'
            ? `Subscription ${subscription.name} (${subscription.target.type}) is not delivered locally, so it has no local DLQ`
            : `EventBridge delivers ${subscription.target.type} targets itself; its DLQ holds what EventBridge could not deliver. Re-send that time window with POST /v1/subscriptions/${subscription.name}/replay`,
        );
      }
      const result = await deps.operations.redrive(subscription.name);
      logger.info('subscription DLQ redriven', { subscription: subscription.name, ...result });
      return respond(subscriptionContracts['POST /v1/subscriptions/{name}/redrive'], {
        subscription: subscription.name,
        ...result,
      });
    },

    'POST /v1/subscriptions/{name}/replay': async (event) => {
      const subscription = requireSubscription(event);
      const contract = subscriptionContracts['POST /v1/subscriptions/{name}/replay'];
      const body = parseBody(contract.body, event, 'replay request');
      const result = await deps.operations.replay(subscription.name, {
        from: new Date(body.from),
        to: new Date(body.to),
      });
      logger.info('subscription replay started', { subscription: subscription.name, ...result });
      return respond(contract, { subscription: subscription.name, from: body.from, to: body.to, ...result });
    },
  };
};
