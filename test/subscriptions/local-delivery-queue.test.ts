import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDeliveryQueue } from '../../functions/adapters/local/local-delivery-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'omnihub-dq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalDeliveryQueue', () => {
  it('never runs more than `concurrency` deliveries at once (the per-subscription semaphore)', async () => {
    // Prepare
    let running = 0;
    let peak = 0;
    const queue = new LocalDeliveryQueue(
      'q',
      async () => {
        peak = Math.max(peak, ++running);
        await sleep(20);
        running--;
      },
      { concurrency: 3, maxReceiveCount: 5, arn: 'arn:aws:sqs:local:000000000000:q' },
    );

    // Act
    for (let i = 0; i < 12; i++) queue.send(`m${i}`);
    await queue.idle();

    // Assess
    expect(peak).toBe(3);
    expect(queue.stats()).toMatchObject({ delivered: 12, pending: 0, inFlight: 0 });
  });

  it('brings a failed message back when the consumer said, with receive count and first receive time', async () => {
    // Prepare
    const seen: { at: number; count: string; first: string }[] = [];
    const queue: LocalDeliveryQueue = new LocalDeliveryQueue(
      'q',
      async (event: SQSEvent) => {
        const r = event.Records[0]!;
        seen.push({
          at: Date.now(),
          count: r.attributes.ApproximateReceiveCount,
          first: r.attributes.ApproximateFirstReceiveTimestamp,
        });
        if (seen.length === 1) {
          queue.changeVisibility(r.receiptHandle, 150);
          return { batchItemFailures: [{ itemIdentifier: r.messageId }] };
        }
        return { batchItemFailures: [] };
      },
      { concurrency: 1, maxReceiveCount: 5, arn: 'arn' },
    );

    // Act
    queue.send('x');
    await queue.idle();

    // Assess
    expect(seen.map((s) => s.count)).toEqual(['1', '2']);
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(145);
    expect(seen[1]?.first).toBe(seen[0]?.first);
  });

  it('dead-letters on request, survives a restart through its journal, and redrives', async () => {
    // Prepare
    const journalPath = join(dir, 'q.jsonl');
    let accept = false;
    const consumer = async (event: SQSEvent) => {
      if (!accept) first.deadLetter(event.Records[0]!.receiptHandle);
    };
    const first: LocalDeliveryQueue = new LocalDeliveryQueue('q', consumer, {
      concurrency: 1,
      maxReceiveCount: 5,
      arn: 'arn',
      journalPath,
    });
    first.send('a');
    first.send('b');
    await first.idle();
    expect(first.stats().deadLettered).toBe(2);
    await first.stop();

    // Act: a restart recovers the dead letters; a redrive delivers them.
    const delivered: string[] = [];
    const second = new LocalDeliveryQueue('q', async (event) => void delivered.push(event.Records[0]!.body), {
      concurrency: 1,
      maxReceiveCount: 5,
      arn: 'arn',
      journalPath,
    });
    accept = true;
    expect(second.stats()).toMatchObject({ deadLettered: 2, pending: 0 });
    expect(second.redrive()).toBe(2);
    await second.idle();

    // Assess
    expect(delivered.sort()).toEqual(['a', 'b']);
    expect(second.stats()).toMatchObject({ deadLettered: 0, delivered: 2 });
    await second.stop();
    const third = new LocalDeliveryQueue('q', async () => undefined, {
      concurrency: 1,
      maxReceiveCount: 5,
      arn: 'arn',
      journalPath,
    });
    expect(third.stats()).toMatchObject({ pending: 0, deadLettered: 0 });
  });

  it('dead-letters a message that keeps failing without a decision (a crash loop) after maxReceiveCount', async () => {
    // Prepare
    const queue = new LocalDeliveryQueue(
      'q',
      async () => {
        throw new Error('bug');
      },
      { concurrency: 1, maxReceiveCount: 3, visibilityTimeoutMs: 5, arn: 'arn' },
    );

    // Act
    queue.send('x');
    await queue.idle();

    // Assess
    expect(queue.stats()).toMatchObject({ deadLettered: 1, delivered: 0 });
  });
});
