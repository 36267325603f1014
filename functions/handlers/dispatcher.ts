/**
 * Dispatcher: delivers the events in a subscription's queue to its endpoint,
 * one attempt per receive. A failed attempt is rescheduled on the queue
 * itself (visibility timeout = the backoff or the receiver's Retry-After), so
 * waiting costs nothing and one slow subscriber holds up no one else; an
 * event past its attempts or window is moved to the subscription's DLQ.
 * Every attempt is written to the delivery log.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventBridgeEnvelope } from '../events/envelope.js';
import type { Subscription } from '../subscriptions/config.js';
import { buildRequest, envelopeInfo, sendRequest } from '../subscriptions/delivery.js';
import { subscriptionOfQueueArn } from '../subscriptions/naming.js';
import { heldSubjectOfDetail } from '../domain/erasure.js';
import type {
  CustomerResolver,
  DeliveryLog,
  DeliveryQueueControl,
  ErasureRegistry,
  SubscriptionSecretStore,
} from '../ports.js';
import { enrichEnvelope, waitForCustomer, type EnrichWait } from '../subscriptions/enrich.js';
import { decide } from '../subscriptions/retry.js';
import { logger } from '../shared/logger.js';
import { HubError } from '../shared/errors.js';
import { outboundFetch } from '../shared/outbound-fetch.js';
import { OUTBOUND_AWS } from '../shared/outbound-url.js';

/** Without an injected client: the strict outbound policy (public https hosts only), never the bare fetch. */
const defaultFetch = outboundFetch({ policy: OUTBOUND_AWS });

export interface DispatcherDeps {
  readonly subscriptions: readonly Subscription[];
  /** Queue name prefix (`omnihub-<stage>-sub-`): a record's subscription is its queue's name without it. */
  readonly queueNamePrefix: string;
  readonly secrets: SubscriptionSecretStore;
  readonly queue: DeliveryQueueControl;
  readonly log: DeliveryLog;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly random?: () => number;
  /**
   * The erasure holds: an erased customer's event (queued before the
   * erasure, replayed, redriven) is acknowledged without delivery. Absent:
   * nothing is checked (tests of delivery alone).
   */
  readonly erasures?: ErasureRegistry;
  /**
   * Reads the customer an event was applied to, for subscriptions with
   * `enrich: 'customer'`. Absent: nothing is enriched (tests of delivery alone).
   */
  readonly customers?: CustomerResolver;
  /** How long a delivery waits for the profile writer, and how it polls meanwhile. */
  readonly enrichWait?: Partial<EnrichWait>;
  /** Expected customer lifespan for the snapshot's lifetime value, in years. @default 3 */
  readonly lifespanYears?: number;
}

/** The attempt failed and was rescheduled; tells the batch processor to report the record as failed. */
class DeliveryRetryError extends HubError {
  constructor(message: string) {
    super(message, 503, 'delivery_retry');
  }
}

/** EventBridge API destinations time out after 5 s; the local stand-in does the same. */
const API_DESTINATION_TIMEOUT_MS = 5_000;

export const createDispatcherHandler = (deps: DispatcherDeps) => {
  const now = deps.now ?? (() => new Date());
  const bySubscription = new Map(deps.subscriptions.map((s) => [s.name, s]));

  /** The log is for operators; failing to write it must never cause a second delivery. */
  const logAttempt = async (entry: Parameters<DeliveryLog['record']>[0]): Promise<void> => {
    try {
      await deps.log.record(entry);
    } catch (error) {
      logger.warn('delivery log write failed', {
        subscription: entry.subscription,
        eventId: entry.eventId,
        error: error as Error,
      });
    }
  };

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const name = subscriptionOfQueueArn(record.eventSourceARN, deps.queueNamePrefix);
    const subscription = name ? bySubscription.get(name) : undefined;
    // A queue without a subscription (config changed under a running queue): retried, then dead-lettered by SQS.
    if (!subscription) throw new Error(`No subscription for queue ${record.eventSourceARN}`);

    const envelope = JSON.parse(record.body) as Partial<EventBridgeEnvelope>;
    const { eventId, replayName } = envelopeInfo(envelope);
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    const started = now();
    const firstAttemptAt = Number(record.attributes.ApproximateFirstReceiveTimestamp) || started.getTime();

    const held = heldSubjectOfDetail(envelope.detail);
    if (held && deps.erasures && (await deps.erasures.isErased(held))) {
      // Nothing of an erased person reaches a subscriber again; the subscriber has had customer.erased.
      await logAttempt({
        subscription: subscription.name,
        eventId,
        attempt,
        time: started.toISOString(),
        outcome: 'suppressed',
        error: 'the customer was erased',
        ...(replayName ? { replayName } : {}),
      });
      logger.info('event of an erased customer not delivered', { subscription: subscription.name, eventId });
      return;
    }

    let rawEnvelope = record.body;
    let delivered = envelope;
    if (subscription.enrich === 'customer' && deps.customers) {
      // Delivered only once the profile writer applied the event, so the customer it names already shows it.
      const found = await waitForCustomer(deps.customers, envelope.detail, {
        ...deps.enrichWait,
        waitedMs: started.getTime() - firstAttemptAt,
        replay: replayName !== undefined,
      });
      if (found.kind === 'wait') {
        await deps.queue.retryLater(record, found.delayMs);
        const nextAttemptAt = new Date(now().getTime() + found.delayMs).toISOString();
        await logAttempt({
          subscription: subscription.name,
          eventId,
          attempt,
          time: started.toISOString(),
          outcome: 'retrying',
          error: 'waiting for the profile writer to apply the event',
          nextAttemptAt,
          ...(replayName ? { replayName } : {}),
        });
        throw new DeliveryRetryError(`${subscription.name}: ${eventId} not applied to a profile yet`);
      }
      if (found.kind === 'gave-up')
        logger.warn('event not applied to a profile in time; delivered without the customer', {
          subscription: subscription.name,
          eventId,
        });
      delivered = enrichEnvelope(envelope, found.kind === 'gave-up' ? { kind: 'none' } : found.customer, {
        lifespanYears: deps.lifespanYears,
      });
      rawEnvelope = JSON.stringify(delivered);
    }

    const secret = await deps.secrets.get(subscription.name);
    const request = buildRequest({ subscription, rawEnvelope, envelope: delivered, secret, attempt, now: started });
    const timeoutMs =
      subscription.target.type === 'webhook' ? subscription.target.timeoutSeconds * 1000 : API_DESTINATION_TIMEOUT_MS;
    const result = await sendRequest(request, { fetch: deps.fetch ?? defaultFetch, timeoutMs, now });
    const decision = decide({
      outcome: result,
      attempt,
      firstAttemptAt,
      now: now().getTime(),
      policy: subscription.retry,
      random: deps.random,
    });

    const base = {
      subscription: subscription.name,
      eventId,
      attempt,
      time: started.toISOString(),
      latencyMs: result.latencyMs,
      ...(result.status !== undefined ? { statusCode: result.status } : {}),
      ...(result.error ? { error: result.error } : {}),
      ...(replayName ? { replayName } : {}),
    };
    const context = {
      subscription: subscription.name,
      eventId,
      attempt,
      status: result.status,
      latencyMs: result.latencyMs,
    };
    switch (decision.kind) {
      case 'delivered':
        await logAttempt({ ...base, outcome: 'delivered' });
        logger.info('event delivered', context);
        return;
      case 'dead-letter':
        await deps.queue.deadLetter(record, decision.reason);
        await logAttempt({
          ...base,
          outcome: 'dead-lettered',
          error: `${result.error ?? 'failed'}; ${decision.reason}`,
        });
        logger.warn('event dead-lettered', { ...context, reason: decision.reason, error: result.error });
        return;
      case 'retry': {
        await deps.queue.retryLater(record, decision.delayMs);
        const nextAttemptAt = new Date(now().getTime() + decision.delayMs).toISOString();
        await logAttempt({ ...base, outcome: 'retrying', nextAttemptAt });
        logger.info('delivery failed, retrying', { ...context, delayMs: decision.delayMs, error: result.error });
        throw new DeliveryRetryError(
          `${subscription.name}: ${result.error ?? 'failed'}; next attempt at ${nextAttemptAt}`,
        );
      }
    }
  };

  // A processor per invocation: it is stateful, and the local runtime invokes concurrently (one record each).
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    }),
  );
};
