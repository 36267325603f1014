/**
 * Message status: SQS batches of delivery receipts (the `message-status`
 * rule: outbound `message.*` events from the inbound webhooks) → the status
 * of the hub message they name. Idempotent and order-tolerant
 * (`applyDeliveryReceipt`); a receipt for a message the hub did not send is
 * acknowledged and ignored.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseHubEvent } from '../events/hub-event.js';
import { applyDeliveryReceipt, type ReceiptDeps } from '../outbound/receipts.js';
import { logger } from '../shared/logger.js';
import { processBatch } from './batch.js';

export type MessageStatusDeps = ReceiptDeps;

export const createMessageStatusHandler = (deps: MessageStatusDeps) =>
  middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processBatch(
      event,
      context,
      async (record: SQSRecord) => {
        const receipt = parseHubEvent((JSON.parse(record.body) as { detail?: unknown }).detail);
        const result = await applyDeliveryReceipt(deps, receipt);
        logger.debug('receipt handled', { eventId: receipt.id, type: receipt.type, result });
      },
      { storeBound: true },
    ),
  );
