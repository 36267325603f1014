/**
 * Automations: SQS batches of hub events (the `automations` rule) and of the
 * runner's own timers coming due (`automation.due`, from EventBridge
 * Scheduler or the local timers) into the automation runner. Records fail
 * individually; a customer the profile writer has not created yet is
 * retried by the queue (the writer runs beside this function).
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAutomationRunner, type RunnerDeps } from '../automations/runner.js';
import { processBatch } from './batch.js';

export const createAutomationsHandler = (deps: RunnerDeps) => {
  const runner = createAutomationRunner(deps);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    await runner.handle(JSON.parse(record.body) as { 'detail-type'?: unknown; detail?: unknown });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processBatch(event, context, recordHandler, { storeBound: true }),
  );
};
