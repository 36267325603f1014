import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { LocalQueue, type QueueConsumer } from '../../../functions/adapters/local/local-queue.js';
import { buildEvent } from '../../../functions/connectors/shared/build-event.js';
import { toBusEntry, toEnvelope } from '../../../functions/events/envelope.js';
import { parseHubEvent, type HubEvent } from '../../../functions/events/hub-event.js';
import { createHydratorHandler } from '../../../functions/handlers/hydrator.js';
import { createProfileWriterHandler } from '../../../functions/handlers/profile-writer.js';
import type { ApplyOutcome, ProfileStore } from '../../../functions/ports.js';

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

/**
 * The real consumers behind a real queue with two batches in
 * flight. Batch A = [poison, slow]: poison fails at once while slow is still
 * running; batch B = [late] starts after poison failed and before A ends —
 * the window in which a shared BatchProcessor cleared A's failure list, so
 * poison was acknowledged and never retried. Timing is by gates, not sleeps.
 */
describe('LocalQueue with the real batch consumers, two batches in flight', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  };
  const lambdaContext = {
    functionName: 'test',
    awsRequestId: 'test',
    getRemainingTimeInMillis: () => 30_000,
  } as Context;

  const runScenario = async (
    consumer: QueueConsumer,
    bodies: { poison: string; slow: string; late: string },
    gates: { poisonFailed: Promise<void> },
  ) => {
    const queue = new LocalQueue('q', consumer, { concurrency: 2, batchSize: 2, retryBaseMs: 1, maxReceiveCount: 3 });
    queue.send(bodies.poison);
    queue.send(bodies.slow);
    await gates.poisonFailed;
    queue.send(bodies.late);
    await queue.idle();
    return queue;
  };

  it('profile writer: the failed record of one batch is retried and dead-lettered, not acknowledged', async () => {
    // Prepare
    const attempts = new Map<string, number>();
    const poisonFailed = deferred();
    const lateApplied = deferred();
    const event = (name: string) =>
      parseHubEvent(
        buildEvent(
          {
            connector: 'site',
            providerEventId: name,
            type: 'message.received',
            channel: 'web',
            identities: [{ type: 'email', value: `${name}@example.com` }],
            summary: name,
            data: { messageId: name, direction: 'inbound', contentType: 'text', text: name },
          },
          { receivedAt: '2024-05-01T10:00:00.000Z', defaultCountry: 'UA' },
        ),
      );
    const events = { poison: event('poison'), slow: event('slow'), late: event('late') };
    const store = {
      applyEvent: async (e: HubEvent): Promise<ApplyOutcome> => {
        attempts.set(e.id, (attempts.get(e.id) ?? 0) + 1);
        if (e.id === events.poison.id) {
          poisonFailed.resolve();
          throw new Error('store refused the write');
        }
        if (e.id === events.slow.id) await lateApplied.promise;
        if (e.id === events.late.id) lateApplied.resolve();
        return { status: 'applied', customerId: 'cus_1', notifications: [] };
      },
    } as unknown as ProfileStore;
    const handler = createProfileWriterHandler({
      store,
      publisher: { publish: async () => {}, putEntries: async () => {} },
    });
    const bodies = {
      poison: JSON.stringify(toEnvelope(toBusEntry(events.poison))),
      slow: JSON.stringify(toEnvelope(toBusEntry(events.slow))),
      late: JSON.stringify(toEnvelope(toBusEntry(events.late))),
    };

    // Act
    const queue = await runScenario((e) => handler(e, lambdaContext), bodies, { poisonFailed: poisonFailed.promise });

    // Assess
    expect(attempts.get(events.poison.id)).toBe(3);
    expect(queue.deadLetters().map((m) => m.body)).toEqual([bodies.poison]);
    expect(attempts.get(events.slow.id)).toBe(1);
    expect(attempts.get(events.late.id)).toBe(1);
    expect(queue.stats()).toMatchObject({ delivered: 2, deadLettered: 1 });
  });

  it('hydrator: the failed record of one batch is retried and dead-lettered, not acknowledged', async () => {
    // Prepare: the vendor API fails poison's fetch at once; slow's fetch waits until late was published.
    const poisonFailed = deferred();
    const latePublished = deferred();
    const fetched = new Map<string, number>();
    const fakeFetch = (async (url: string | URL) => {
      const id = String(url).match(/contacts\/([a-z]+)/)?.[1] ?? '';
      fetched.set(id, (fetched.get(id) ?? 0) + 1);
      if (id === 'poison') {
        poisonFailed.resolve();
        throw new TypeError('fetch failed');
      }
      if (id === 'slow') await latePublished.promise;
      const contact = { id, properties: { email: `${id}@example.com`, firstname: id } };
      return new Response(JSON.stringify(contact), { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const published: string[] = [];
    const handler = createHydratorHandler({
      defaultCountry: 'UA',
      fetch: fakeFetch,
      secrets: { get: async () => ({ apiToken: 'pat-test', apiBaseUrl: 'http://hubspot.test' }) },
      publisher: {
        putEntries: async () => {},
        publish: async (events) => {
          for (const e of events) published.push(String((e.data as { contactId?: string }).contactId));
          if (published.includes('late')) latePublished.resolve();
        },
      },
    });
    const request = (objectId: string) =>
      JSON.stringify({
        detail: {
          connector: 'hubspot',
          kind: 'contact',
          params: { portalId: '33', objectId, change: 'created' },
          providerEventId: `33:25:${objectId}:1714564200000`,
          occurredAt: '2024-05-01T11:50:00.000Z',
          receivedAt: '2024-05-01T11:50:01.000Z',
        },
      });

    // Act
    const queue = await runScenario(
      (e) => handler(e, lambdaContext),
      { poison: request('poison'), slow: request('slow'), late: request('late') },
      { poisonFailed: poisonFailed.promise },
    );

    // Assess
    expect(fetched.get('poison')).toBe(3);
    expect(queue.deadLetters().map((m) => m.body)).toEqual([request('poison')]);
    expect(published.sort()).toEqual(['late', 'slow']);
    expect(fetched.get('slow')).toBe(1);
  });
});
