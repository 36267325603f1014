import { describe, expect, it } from 'vitest';
import { costPerMillion, DEFAULT_ASSUMPTIONS, lambdaBilledMs, PRICES, type EventProfile } from '../../bench/cost.js';

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
    expect(usd(r, 'API Gateway')).toBeCloseTo(1.0, 10);
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
