import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../functions/adapters/local/local-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LocalQueue', () => {
  it('delivers every message once, with at most `concurrency` batches in flight', async () => {
    // Prepare
    const seen: string[] = [];
    let active = 0;
    let peak = 0;
    const queue = new LocalQueue(
      'q',
      async (event) => {
        active++;
        peak = Math.max(peak, active);
        await sleep(5);
        seen.push(...event.Records.map((r) => r.body));
        active--;
      },
      { concurrency: 3, batchSize: 2 },
    );
    // Act
    for (let i = 0; i < 40; i++) queue.send(`m${i}`);
    await queue.idle();
    // Assess
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`).sort());
    expect(peak).toBe(3);
    expect(queue.stats()).toMatchObject({ pending: 0, inFlight: 0, deadLettered: 0, delivered: 40 });
  });

  it('retries only the failed records of a batch and dead-letters them after maxReceiveCount', async () => {
    const receives = new Map<string, number>();
    const queue = new LocalQueue(
      'q',
      async (event) => {
        for (const r of event.Records) receives.set(r.body, (receives.get(r.body) ?? 0) + 1);
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
      { retryBaseMs: 1, maxReceiveCount: 3 },
    );
    queue.send('good');
    queue.send('poison');
    await queue.idle();
    expect(receives.get('good')).toBe(1);
    expect(receives.get('poison')).toBe(3);
    expect(queue.deadLetters().map((m) => m.body)).toEqual(['poison']);
    // A redrive delivers it again.
    queue.redrive();
    await queue.idle();
    expect(receives.get('poison')).toBe(6);
  });

  it('keeps acknowledged-but-unprocessed messages across a crash (journal)', async () => {
    // Prepare: a consumer that never finishes, then the process "dies".
    const journalPath = join(mkdtempSync(join(tmpdir(), 'omnihub-q-')), 'q.jsonl');
    const stuck = new LocalQueue('q', () => new Promise(() => undefined), { journalPath });
    stuck.send('a');
    stuck.send('b');
    stuck.stop();
    // Act: a new queue on the same journal.
    const got: string[] = [];
    const revived = new LocalQueue(
      'q',
      async (event) => {
        got.push(...event.Records.map((r) => r.body));
      },
      { journalPath },
    );
    await sleep(20);
    await revived.idle();
    // Assess
    expect(got.sort()).toEqual(['a', 'b']);
    // And a third start has nothing left to deliver.
    const again: string[] = [];
    const third = new LocalQueue(
      'q',
      async (event) => {
        again.push(...event.Records.map((r) => r.body));
      },
      { journalPath },
    );
    await sleep(20);
    await third.idle();
    expect(again).toEqual([]);
  });
});
