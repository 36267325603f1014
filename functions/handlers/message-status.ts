/**
 * Message status: SQS batches of delivery receipts (the `message-status`
 * rule: outbound `message.*` events from the inbound webhooks) → the status
 * of the hub message they name. Idempotent and order-tolerant
 * (`applyDeliveryReceipt`); a receipt for a message the hub did not send is
 * acknowledged and ignored.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseHubEvent } from '../events/hub-event.js';
import { applyDeliveryReceipt, type ReceiptDeps } from '../outbound/receipts.js';
import { logger } from '../shared/logger.js';

export type MessageStatusDeps = ReceiptDeps;

export const createMessageStatusHandler = (deps: MessageStatusDeps) => {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const event = parseHubEvent((JSON.parse(record.body) as { detail?: unknown }).detail);
    const result = await applyDeliveryReceipt(deps, event);
    logger.debug('receipt handled', { eventId: event.id, type: event.type, result });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context }),
  );
};
