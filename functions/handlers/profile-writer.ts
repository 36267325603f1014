/**
 * Profile writer: SQS batches of bus events (fed by the `profile-writer`
 * rule) into the single customer view. Records fail individually (partial
 * batch response), so one bad record is retried and eventually dead-lettered
 * without holding back the rest of the batch. A store that cannot be reached
 * fails the whole batch as `StoreUnavailableError` instead: that is no
 * record's fault, and the queue retries it without counting the receive.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseHubEvent } from '../events/hub-event.js';
import { ERASED } from '../domain/plan-apply.js';
import type { AnalyticsSink, ConnectorActivity, ErasureScrubber, EventPublisher, ProfileStore } from '../ports.js';
import { appliedLakeRows } from './lake-rows.js';
import { logger } from '../shared/logger.js';
import { processBatch } from './batch.js';
import { createOutboxRelay, type OutboxRelayDeps } from './outbox-relay.js';

export interface ProfileWriterDeps {
  readonly store: ProfileStore;
  /** Publishes the store's outbox: `customer.merged`, and what a crash left behind (the sweep). */
  readonly publisher: EventPublisher;
  /** Outbox sweep timing. @default a sweep at the first invocation, then at most every 5 minutes */
  readonly outbox?: Pick<OutboxRelayDeps, 'graceMs' | 'sweepEveryMs' | 'now'>;
  /**
   * Copies of events outside the store (the local archive file): an erased
   * person's event that arrives again (a vendor redelivery) is scrubbed from
   * them once the writer has refused it. None on AWS.
   */
  readonly scrubber?: ErasureScrubber;
  /**
   * The analytics lake: every applied event with the customer it was applied
   * to, and the merges (before the notifications go out, so a failure retries
   * both). Omitted → no analytics.
   */
  readonly lake?: AnalyticsSink;
  /** Last event per connector, for the console's connectors page; optional, never fails a record. */
  readonly activity?: ConnectorActivity;
}

export const createProfileWriterHandler = (deps: ProfileWriterDeps) => {
  const relay = createOutboxRelay({ ...deps.outbox, store: deps.store, publisher: deps.publisher });
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const envelope = JSON.parse(record.body) as { detail?: unknown };
    const event = parseHubEvent(envelope.detail);
    const outcome = await deps.store.applyEvent(event);
    if (deps.lake) await deps.lake.record(await appliedLakeRows(deps.store, event, outcome, new Date()));
    await relay.publish(outcome.notifications);
    if (outcome.status === 'ignored' && outcome.reason === ERASED && deps.scrubber)
      await deps.scrubber.scrub({
        subject: { eventIds: [event.id], identityKeys: [] },
        erasedAt: new Date().toISOString(),
        alreadyErased: false,
      });
    if (outcome.status === 'applied' && deps.activity) {
      // Bookkeeping for operators: a failure here must not send the event back to the queue.
      await deps.activity
        .record(event)
        .catch((err: unknown) =>
          logger.warn('connector activity not recorded', { connector: event.connector, error: (err as Error).name }),
        );
    }
    logger.debug('event applied', {
      eventId: event.id,
      type: event.type,
      status: outcome.status,
      ...(outcome.customerId ? { customerId: outcome.customerId } : {}),
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event: SQSEvent, context: Context) => {
    // Notifications a crashed API call or writer left in the outbox (never fails the batch).
    await relay.maybeSweep();
    return processBatch(event, context, recordHandler, { storeBound: true });
  });
};
