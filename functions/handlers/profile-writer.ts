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
import type { AnalyticsSink, ConnectorActivity, EventPublisher, ProfileStore } from '../ports.js';
import { appliedLakeRows } from './lake-rows.js';
import { logger } from '../shared/logger.js';
import { processBatch } from './batch.js';

export interface ProfileWriterDeps {
  readonly store: ProfileStore;
  /** Publishes `customer.merged` notifications from the store's outbox. */
  readonly publisher: EventPublisher;
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
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const envelope = JSON.parse(record.body) as { detail?: unknown };
    const event = parseHubEvent(envelope.detail);
    const outcome = await deps.store.applyEvent(event);
    if (deps.lake) await deps.lake.record(await appliedLakeRows(deps.store, event, outcome, new Date()));
    if (outcome.notifications.length) {
      await deps.publisher.putEntries(outcome.notifications);
      await deps.store.markNotified(event.id);
    }
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
      customerId: outcome.customerId,
    });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processBatch(event, context, recordHandler, { storeBound: true }),
  );
};
