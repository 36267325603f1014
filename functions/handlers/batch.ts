/**
 * The house way to consume an SQS batch: a fresh Powertools processor per
 * invocation (a shared one is cleared by a concurrent batch and acknowledges
 * failed records), partial batch responses, and — for consumers of the
 * customer store — a store outage turned into a failure of the whole batch
 * (`StoreUnavailableError`), so the queue retries it later without counting
 * it against the messages.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isTransientStoreError, StoreUnavailableError } from '../shared/store-availability.js';

export interface ProcessBatchOptions {
  /** The records use the customer store: a transient store error fails the whole batch as `StoreUnavailableError`. */
  readonly storeBound?: boolean;
}

export const processBatch = async (
  event: SQSEvent,
  context: Context,
  recordHandler: (record: SQSRecord) => Promise<void>,
  options: ProcessBatchOptions = {},
): Promise<SQSBatchResponse> => {
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(event, recordHandler, processor, {
    context,
    // Every record failed → every record reported failed (SQS retries them all either way).
    throwOnFullBatchFailure: false,
  });
  if (options.storeBound) {
    const unavailable = processor.errors.find((err) => isTransientStoreError(err));
    if (unavailable) throw new StoreUnavailableError({ cause: unavailable });
  }
  return response;
};
