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
import { z } from 'zod';
import type { DeliveryLog, SubscriptionOperations } from '../../ports.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/http.js';
import { logger } from '../../shared/logger.js';
import { isDispatched, type Subscription, type SubscriptionTarget } from '../../subscriptions/config.js';
import { parseBody, parseQuery } from './request.js';
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

const DeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional(),
});

/** The longest replay window accepted in one call (EventBridge replays are bounded by the archive anyway). */
const MAX_REPLAY_DAYS = 366;

const ReplayBodySchema = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict()
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { error: '"from" must be before "to"', path: ['to'] })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= MAX_REPLAY_DAYS * 86_400_000, {
    error: `at most ${MAX_REPLAY_DAYS} days`,
    path: ['to'],
  })
  .refine((b) => Date.parse(b.to) <= Date.now() + 60_000, { error: '"to" must not be in the future', path: ['to'] });

/** Where a target delivers, without credentials or query strings that may carry tokens. */
const describeTarget = (target: SubscriptionTarget): Record<string, unknown> => {
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
    const name = event.pathParameters?.name;
    const subscription = name ? byName.get(name) : undefined;
    if (!subscription)
      throw new NotFoundError(`No subscription named "${name ?? ''}"; GET /v1/subscriptions lists them`);
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
              ? 'dispatcher'
              : deps.runtime === 'aws'
                ? 'eventbridge'
                : 'recorded-only',
            retry: s.retry,
            ...(s.transform ? { transform: s.transform } : {}),
            deliveries,
            ...(queue ? { queue } : {}),
          };
        }),
      );
      return jsonResponse(200, { subscriptions });
    },

    'GET /v1/subscriptions/{name}/deliveries': async (event) => {
      const subscription = requireSubscription(event);
      const { limit, cursor } = parseQuery(DeliveriesQuerySchema, event);
      return jsonResponse(200, await deps.log.recent(subscription.name, { limit, ...(cursor ? { cursor } : {}) }));
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
      return jsonResponse(202, { subscription: subscription.name, ...result });
    },

    'POST /v1/subscriptions/{name}/replay': async (event) => {
      const subscription = requireSubscription(event);
      const body = parseBody(ReplayBodySchema, event, 'replay request');
      const result = await deps.operations.replay(subscription.name, {
        from: new Date(body.from),
        to: new Date(body.to),
      });
      logger.info('subscription replay started', { subscription: subscription.name, ...result });
      return jsonResponse(202, { subscription: subscription.name, from: body.from, to: body.to, ...result });
    },
  };
};
