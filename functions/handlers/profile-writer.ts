/**
 * Profile writer: SQS batches of bus events (fed by the `profile-writer`
 * rule) into the single customer view. Records fail individually (partial
 * batch response), so one bad record is retried and eventually dead-lettered
 * without holding back the rest of the batch.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseHubEvent } from '../events/hub-event.js';
import type { EventPublisher, ProfileStore } from '../ports.js';
import { logger } from '../shared/logger.js';

export interface ProfileWriterDeps {
  readonly store: ProfileStore;
  /** Publishes `customer.merged` notifications from the store's outbox. */
  readonly publisher: EventPublisher;
}

export const createProfileWriterHandler = (deps: ProfileWriterDeps) => {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const envelope = JSON.parse(record.body) as { detail?: unknown };
    const event = parseHubEvent(envelope.detail);
    const outcome = await deps.store.applyEvent(event);
    if (outcome.notifications.length) {
      await deps.publisher.putEntries(outcome.notifications.map((n) => n.entry));
      await deps.store.markNotified(outcome.notifications);
    }
    logger.debug('event applied', {
      eventId: event.id,
      type: event.type,
      status: outcome.status,
      ...(outcome.customerId ? { customerId: outcome.customerId } : {}),
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, processor, { context }),
  );
};
