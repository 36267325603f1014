/**
 * Sender: SQS batches of `message.requested` (the `sender` rule's queue, and
 * the scheduler's delayed re-requests) → the vendor. Records fail
 * individually (partial batch response) only when a store or the bus fails;
 * vendor failures are decided in `deliverMessage` (retry later, fall back,
 * fail) and acknowledged. A store outage fails the whole batch, which the
 * queue retries without counting it against the messages.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MessageRequestedSchema } from '../events/message-events.js';
import { deliverMessage, type DeliverDeps } from '../outbound/deliver.js';
import { logger } from '../shared/logger.js';
import { processBatch } from './batch.js';

export type SenderDeps = DeliverDeps;

export const createSenderHandler = (deps: SenderDeps) =>
  middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processBatch(
      event,
      context,
      async (record: SQSRecord) => {
        const request = MessageRequestedSchema.parse((JSON.parse(record.body) as { detail?: unknown }).detail);
        const result = await deliverMessage(
          { ...deps, remainingMs: () => context.getRemainingTimeInMillis() },
          request,
        );
        logger.debug('message request handled', { messageId: request.messageId, reason: request.reason, result });
      },
      { storeBound: true },
    ),
  );
