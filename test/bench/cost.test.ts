import { describe, expect, it } from 'vitest';
import {
  costPerMillion,
  DEFAULT_ASSUMPTIONS,
  dynamoCallsOf,
  FUNCTION_URL_ASSUMPTIONS,
  infoLineShare,
  lambdaBilledMs,
  PRICES,
  traceShare,
  type EventProfile,
} from '../../bench/cost.js';
import { parseStageConfig } from '../../lib/config.js';

const profile: EventProfile = {
  label: 'message',
  ingestCpuMs: 0.3,
  ingestMemoryMb: 512,
  eventBytes: 1200,
  writerCpuMs: 2,
  writerMemoryMb: 512,
  dynamoReadCalls: 3,
  dynamoTransactCalls: 1,
  wcu: 6,
  rcu: 4,
  appLogBytes: 300,
};

const usd = (r: ReturnType<typeof costPerMillion>, prefix: string) =>
  r.lines.find((l) => l.item.startsWith(prefix))?.usd;

describe('Bench: cost model', () => {
  it('bills Lambda by CPU share of the memory size plus waiting, rounded up to the millisecond', () => {
    // Act & Assess
    expect(lambdaBilledMs({ cpuMs: 1, ioMs: 20, memoryMb: 1769 })).toBe(21);
    expect(lambdaBilledMs({ cpuMs: 1, ioMs: 20, memoryMb: 512 })).toBe(24); // 1 × 1769/512 = 3.46 → 23.46 → 24
    expect(lambdaBilledMs({ cpuMs: 1, ioMs: 0, memoryMb: 3008 })).toBe(1); // more than a vCPU does not speed up one thread
    expect(lambdaBilledMs({ cpuMs: 0, ioMs: 0, memoryMb: 512 })).toBe(1);
  });

  it('prices a returning message line by line from the table', () => {
    // Act
    const r = costPerMillion(profile);

    // Assess
    expect(usd(r, 'Webhook endpoint')).toBeCloseTo(1.0, 10);
    expect(usd(r, 'EventBridge PutEvents')).toBeCloseTo(1.0, 10);
    expect(usd(r, 'DynamoDB write')).toBeCloseTo(6 * 0.625, 10);
    expect(usd(r, 'DynamoDB read')).toBeCloseTo(4 * 0.125, 10);
    // One send per event plus a receive and a delete per batch of 10.
    expect(usd(r, 'SQS')).toBeCloseTo((1e6 + 2e5) * 0.4e-6, 10);
    expect(usd(r, 'Lambda profile-writer invocations')).toBeCloseTo(0.02, 10);
    expect(r.ingestBilledMs).toBe(Math.ceil(0.3 * (1769 / 512) + DEFAULT_ASSUMPTIONS.putEventsMs));
    expect(r.totalUsd).toBeCloseTo(
      r.lines.reduce((s, l) => s + l.usd, 0),
      10,
    );
  });

  it('counts every 64 KB chunk of a large event as another EventBridge event and SQS request', () => {
    // Act
    const r = costPerMillion({ ...profile, eventBytes: 70 * 1024 });

    // Assess
    expect(usd(r, 'EventBridge PutEvents')).toBeCloseTo(2.0, 10);
    expect(usd(r, 'SQS')).toBeCloseTo((2e6 + 2e5) * 0.4e-6, 10);
  });

  it('dates the price table and names a source for every price', () => {
    // Act & Assess
    expect(PRICES.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const price of Object.values(PRICES.items)) {
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(price.usd).toBeGreaterThan(0);
    }
  });

  it('charges nothing per request on a function URL and drops the access log', () => {
    // Act
    const api = costPerMillion(profile, DEFAULT_ASSUMPTIONS);
    const url = costPerMillion(profile, FUNCTION_URL_ASSUMPTIONS);

    // Assess
    expect(usd(url, 'Webhook endpoint')).toBe(0);
    const logsApi = api.lines.find((l) => l.item.startsWith('CloudWatch Logs'))?.quantity as number;
    const logsUrl = url.lines.find((l) => l.item.startsWith('CloudWatch Logs'))?.quantity as number;
    expect((logsApi - logsUrl) * 1024 ** 3).toBeCloseTo(1e6 * (DEFAULT_ASSUMPTIONS.accessLogBytes + 26), 0);
    expect(api.totalUsd - url.totalUsd).toBeCloseTo(1.0 + (logsApi - logsUrl) * PRICES.items.logsIngestedGb.usd, 10);
  });

  it('writes the per-webhook INFO lines for every webhook at INFO, for the sampled share at WARN', () => {
    // Prepare
    const at = (logLevel: 'INFO' | 'WARN', logSampleRate: number) =>
      costPerMillion(profile, { ...DEFAULT_ASSUMPTIONS, logLevel, logSampleRate }).lines.find((l) =>
        l.item.startsWith('CloudWatch Logs'),
      )?.quantity as number;

    // Act & Assess
    expect(infoLineShare({ logLevel: 'INFO', logSampleRate: 0.01 })).toBe(1);
    expect(infoLineShare({ logLevel: 'WARN', logSampleRate: 0.01 })).toBe(0.01);
    const app = 1e6 * (profile.appLogBytes + 26);
    expect((at('INFO', 0) - at('WARN', 0)) * 1024 ** 3).toBeCloseTo(app, 0);
    // A sampled invocation writes the INFO lines plus Powertools' one-line notice.
    const notices = 1.1e6 * 0.1 * (DEFAULT_ASSUMPTIONS.samplingNoticeBytes + 26);
    expect((at('WARN', 0.1) - at('WARN', 0)) * 1024 ** 3).toBeCloseTo(0.1 * app + notices, 0);
  });

  it('traces the reservoir and then the fixed rate of the rest', () => {
    // Act & Assess
    expect(traceShare({ ratePerSecond: 100, traceReservoirPerSecond: 1, traceSampleRate: 0.01 })).toBeCloseTo(
      0.0199,
      10,
    );
    expect(traceShare({ ratePerSecond: 100, traceReservoirPerSecond: 1, traceSampleRate: 0.05 })).toBeCloseTo(
      0.0595,
      10,
    );
    expect(traceShare({ ratePerSecond: 0.5, traceReservoirPerSecond: 1, traceSampleRate: 0.01 })).toBe(1);
  });

  it("models the stack's own logging, tracing and endpoint defaults", () => {
    // Prepare
    const prod = parseStageConfig({ stage: 'prod' });

    // Assess
    expect(DEFAULT_ASSUMPTIONS).toMatchObject({
      webhookEndpoint: prod.webhookEndpoint,
      logLevel: prod.logLevel,
      logSampleRate: prod.logSampleRate,
      traceReservoirPerSecond: prod.traceReservoirPerSecond,
      traceSampleRate: prod.traceSampleRate,
    });
  });
});

describe('Bench: the store calls of an event, from the capacity table', () => {
  it('counts a transaction as a transaction and every other call as one round trip', () => {
    // Act & Assess: today's path (reads, then one transaction).
    expect(dynamoCallsOf({ GetItem: 2, BatchGetItem: 1, TransactWriteItems: 1 })).toEqual({
      dynamoReadCalls: 3,
      dynamoTransactCalls: 1,
    });
    // A returning message without a transaction (conditional put of the timeline item, then the profile update).
    expect(dynamoCallsOf({ GetItem: 1, PutItem: 1, UpdateItem: 1 })).toEqual({
      dynamoReadCalls: 3,
      dynamoTransactCalls: 0,
    });
    expect(dynamoCallsOf({ GetItem: null })).toEqual({ dynamoReadCalls: 0, dynamoTransactCalls: 0 });
  });

  it('prices the write units the capacity table measured, not a constant', () => {
    // Act
    const at = (wcu: number) => costPerMillion({ ...profile, wcu }, FUNCTION_URL_ASSUMPTIONS).totalUsd;

    // Assess: each write unit is $0.625 per million events.
    expect(at(6) - at(2)).toBeCloseTo(4 * 0.625, 10);
  });
});

describe('Bench: outbound cost model', () => {
  it('prices one sent message: two bus events, two queues, the WCU of each write', async () => {
    const { senderCostPerMillion, DEFAULT_OUTBOUND_PROFILE } = await import('../../bench/cost.js');
    // Act
    const r = senderCostPerMillion({ ...DEFAULT_OUTBOUND_PROFILE, recordBytes: 3000, pointerBytes: 250, writerWcu: 4 });
    const line = (prefix: string) => r.lines.find((l) => l.item.startsWith(prefix));

    // Assess: 2 (key, txn) + 6 (record, txn) + 3 (claim) + 3 (sent) + 1 (link) + 4 (timeline).
    expect(line('DynamoDB write')?.quantity).toBe(19e6);
    expect(line('EventBridge PutEvents')?.usd).toBeCloseTo(2.0, 10);
    expect(line('SQS')?.quantity).toBe(2 * (1e6 + 2e5));
    expect(line('Lambda sender invocations')?.quantity).toBe(1e5);
    expect(r.totalUsd).toBeCloseTo(
      r.lines.reduce((s, l) => s + l.usd, 0),
      10,
    );
  });

  it('bills the time the sender waits on the vendor', async () => {
    const { senderCostPerMillion, DEFAULT_OUTBOUND_PROFILE } = await import('../../bench/cost.js');
    const fast = senderCostPerMillion({ ...DEFAULT_OUTBOUND_PROFILE, vendorLatencyMs: 100 });
    const slow = senderCostPerMillion({ ...DEFAULT_OUTBOUND_PROFILE, vendorLatencyMs: 1000 });
    expect(slow.writerBatchBilledMs - fast.writerBatchBilledMs).toBe(900);
    expect(slow.totalUsd).toBeGreaterThan(fast.totalUsd);
  });
});

describe('Bench: automation run cost model', () => {
  const run = {
    label: 'abandoned cart',
    queueMessages: 3,
    schedulerCalls: { CreateSchedule: 1 },
    scheduledInvocations: 1,
    sqsSends: 0,
    putEventsEntries: 3,
    putEventsBytes: 650,
    wcu: 4,
    rcu: 8.5,
    dynamoCalls: { GetItem: 8, Query: 2, TransactWriteItems: 1 },
    cpuMs: 6,
    memoryMb: 256,
    appLogBytes: 0,
  };

  it('prices the calls a run made: its queue messages, its schedule, its events, its units', async () => {
    const { automationCostPerMillion } = await import('../../bench/cost.js');
    // Act
    const r = automationCostPerMillion(run);
    const line = (prefix: string) => r.lines.find((l) => l.item.startsWith(prefix));

    // Assess: 3 M messages in + receive and delete per batch of 10; one invocation per schedule; $1 per M entries.
    expect(line('SQS')?.quantity).toBe(3e6 + 2 * 3e5);
    expect(line('EventBridge Scheduler')?.usd).toBeCloseTo(1.0, 10);
    expect(line('EventBridge PutEvents')?.usd).toBeCloseTo(3.0, 10);
    expect(line('DynamoDB write')?.usd).toBeCloseTo(4 * 0.625, 10);
    expect(line('DynamoDB read')?.usd).toBeCloseTo(8.5 * 0.125, 10);
    expect(line('Lambda automations invocations')?.quantity).toBe(3e5);
    expect(r.totalUsd).toBeCloseTo(
      r.lines.reduce((s, l) => s + l.usd, 0),
      10,
    );
  });

  it('a run that arms no schedule (an SQS delay instead) pays no Scheduler invocation but one more SQS send', async () => {
    const { automationCostPerMillion } = await import('../../bench/cost.js');
    const scheduled = automationCostPerMillion(run);
    const delayed = automationCostPerMillion({ ...run, schedulerCalls: {}, scheduledInvocations: 0, sqsSends: 1 });
    const usd = (r: typeof scheduled, prefix: string) => r.lines.find((l) => l.item.startsWith(prefix))?.usd ?? 0;
    expect(usd(delayed, 'EventBridge Scheduler')).toBe(0);
    expect(usd(delayed, 'SQS') - usd(scheduled, 'SQS')).toBeCloseTo(0.4, 10);
  });
});
