/**
 * Sender: SQS batches of `message.requested` (the `sender` rule's queue, and
 * the scheduler's delayed re-requests) → the vendor. Records fail
 * individually (partial batch response) only when a store or the bus fails;
 * vendor failures are decided in `deliverMessage` (retry later, fall back,
 * fail) and acknowledged.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MessageRequestedSchema } from '../events/message-events.js';
import { deliverMessage, type DeliverDeps } from '../outbound/deliver.js';
import { logger } from '../shared/logger.js';

export type SenderDeps = DeliverDeps;

export const createSenderHandler = (deps: SenderDeps) => {
  const recordHandler = async (record: SQSRecord, context: Context): Promise<void> => {
    const request = MessageRequestedSchema.parse((JSON.parse(record.body) as { detail?: unknown }).detail);
    const result = await deliverMessage({ ...deps, remainingMs: () => context.getRemainingTimeInMillis() }, request);
    logger.debug('message request handled', { messageId: request.messageId, reason: request.reason, result });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    // A processor per invocation: concurrent batches must not share one failure list.
    processPartialResponse(
      event,
      (record: SQSRecord) => recordHandler(record, context),
      new BatchProcessor(EventType.SQS),
      {
        context,
      },
    ),
  );
};
