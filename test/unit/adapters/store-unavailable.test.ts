/**
 * A store outage is waited out, never dead-lettered. The
 * classification of store errors, the profile writer failing the whole batch
 * on an unreachable store, and the local queue giving such a batch back
 * without counting the receive, pausing, and probing until the store is back.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../functions/adapters/local/local-queue.js';
import { buildEvent } from '../../../functions/connectors/shared/build-event.js';
import { toBusEntry, toEnvelope } from '../../../functions/events/envelope.js';
import { parseHubEvent, type HubEvent } from '../../../functions/events/hub-event.js';
import { createProfileWriterHandler } from '../../../functions/handlers/profile-writer.js';
import type { ApplyOutcome, ProfileStore } from '../../../functions/ports.js';
import { ValidationError } from '../../../functions/shared/errors.js';
import { isTransientStoreError, StoreUnavailableError } from '../../../functions/shared/store-availability.js';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });

describe('isTransientStoreError', () => {
  it.each([
    ['connection refused (store down)', socketError('ECONNREFUSED')],
    ['connection reset (store killed mid-request)', socketError('ECONNRESET')],
    [
      'request timeout (store paused)',
      Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
    ],
    ['throttling', sdkError('ProvisionedThroughputExceededException', 400, { $retryable: { throttling: true } })],
    ['a 500 from the service', sdkError('InternalServerError', 500)],
    ['a 503 from the service', sdkError('ServiceUnavailable', 503)],
    ['wrapped in a cause', new Error('apply failed', { cause: socketError('ECONNREFUSED') })],
    ['inside an AggregateError', new AggregateError([socketError('EHOSTUNREACH')])],
  ])('treats %s as transient', (_what, err) => {
    expect(isTransientStoreError(err)).toBe(true);
  });

  it.each([
    ['a failed condition', sdkError('ConditionalCheckFailedException', 400)],
    ['a cancelled transaction', sdkError('TransactionCanceledException', 400)],
    ['a validation error of the request', sdkError('ValidationException', 400)],
    ['a malformed event', new ValidationError('bad event')],
    ['giving up on conflicts', new Error('Gave up applying event evt_1 after 10 conflicting attempts')],
    ['not an error', 'ECONNREFUSED'],
  ])('treats %s as the message’s problem', (_what, err) => {
    expect(isTransientStoreError(err)).toBe(false);
  });
});

const lambdaContext = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as Context;
const event = (name: string): HubEvent =>
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
const sqsEvent = (events: HubEvent[]): SQSEvent => ({
  Records: events.map((e, i) => ({
    messageId: `m${i}`,
    receiptHandle: `m${i}#1`,
    body: JSON.stringify(toEnvelope(toBusEntry(e))),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:profile-writer',
    awsRegion: 'local',
  })),
});
const storeFailing = (failure: (e: HubEvent) => unknown) =>
  ({
    applyEvent: async (e: HubEvent): Promise<ApplyOutcome> => {
      const err = failure(e);
      if (err) throw err;
      return { status: 'applied', customerId: 'cus_1', notifications: [] };
    },
  }) as unknown as ProfileStore;
const noBus = { publish: async () => {}, putEntries: async () => {} };

describe('profile writer and an unavailable store', () => {
  it('fails the whole batch with StoreUnavailableError when a record could not reach the store', async () => {
    const [a, b] = [event('a'), event('b')];
    const handler = createProfileWriterHandler({
      store: storeFailing((e) => (e.id === a.id ? socketError('ECONNREFUSED') : undefined)),
      publisher: noBus,
    });
    await expect(handler(sqsEvent([a, b]), lambdaContext)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('still fails only the bad record when the store refused it for a reason of its own', async () => {
    const [a, b] = [event('a'), event('b')];
    const handler = createProfileWriterHandler({
      store: storeFailing((e) => (e.id === a.id ? sdkError('ValidationException', 400) : undefined)),
      publisher: noBus,
    });
    await expect(handler(sqsEvent([a, b]), lambdaContext)).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: 'm0' }],
    });
  });
});

describe('LocalQueue and an unavailable store', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('waits out an outage without counting receives: nothing dead-lettered, each message applied once', async () => {
    // Prepare: the store is down for the first 300 ms; maxReceiveCount 2 would dead-letter everything if counted.
    let storeUp = false;
    setTimeout(() => {
      storeUp = true;
    }, 300);
    let calls = 0;
    const delivered: { body: string; receiveCount: string }[] = [];
    const queue = new LocalQueue(
      'profile-writer',
      async (e) => {
        calls++;
        if (!storeUp) throw new StoreUnavailableError({ cause: socketError('ECONNREFUSED') });
        for (const r of e.Records) delivered.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
      },
      {
        concurrency: 4,
        batchSize: 2,
        maxReceiveCount: 2,
        retryBaseMs: 1,
        unavailablePauseMs: 10,
        unavailableMaxPauseMs: 40,
        isUnavailable: (err) => err instanceof StoreUnavailableError,
      },
    );
    // Act
    for (let i = 0; i < 20; i++) queue.send(`m${i}`);
    await sleep(100);
    const during = queue.stats();
    await queue.idle();
    // Assess
    expect(during).toMatchObject({ paused: true, deadLettered: 0, pending: 20 });
    expect(queue.deadLetters()).toEqual([]);
    expect(delivered.map((d) => d.body).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    expect(new Set(delivered.map((d) => d.receiveCount))).toEqual(new Set(['1']));
    // While paused it probed one batch at a time, with a growing pause: far fewer calls than 300 ms of busy retries.
    expect(calls).toBeLessThan(40);
    expect(queue.stats()).toMatchObject({ paused: false, delivered: 20 });
    await queue.stop();
  });

  it('counts a message that stays "unavailable" past the grace period, so one bad message cannot block forever', async () => {
    const queue = new LocalQueue(
      'q',
      async () => {
        throw new StoreUnavailableError();
      },
      {
        maxReceiveCount: 2,
        retryBaseMs: 1,
        unavailablePauseMs: 5,
        unavailableMaxPauseMs: 5,
        unavailableGraceMs: 50,
        isUnavailable: (err) => err instanceof StoreUnavailableError,
      },
    );
    queue.send('stuck');
    await queue.idle();
    expect(queue.deadLetters().map((m) => [m.body, m.reason])).toEqual([['stuck', 'StoreUnavailableError']]);
    await queue.stop();
  });
});

describe('LocalQueue after the store lost acknowledged writes', () => {
  it('delivers again the messages completed in the window before the store died, and only those', async () => {
    // Prepare: three messages completed, one of them long before the window.
    const seen: string[] = [];
    const queue = new LocalQueue(
      'profile-writer',
      async (e) => {
        for (const r of e.Records) seen.push(r.body);
      },
      { keepCompletedMs: 60_000 },
    );
    queue.send('old');
    await queue.idle();
    await new Promise((r) => setTimeout(r, 30));
    const since = Date.now();
    queue.send('a');
    queue.send('b');
    await queue.idle();

    // Act
    const again = queue.redeliverCompletedSince(since);
    await queue.idle();

    // Assess: a and b were delivered twice (the consumer's idempotency absorbs what the store kept).
    expect(again).toBe(2);
    expect(seen.sort()).toEqual(['a', 'a', 'b', 'b', 'old']);
    // Nothing completed after now.
    expect(queue.redeliverCompletedSince(Date.now() + 1)).toBe(0);
    await queue.stop();
  });

  it('keeps nothing by default', async () => {
    const queue = new LocalQueue('q', async () => undefined);
    queue.send('x');
    await queue.idle();
    expect(queue.redeliverCompletedSince(0)).toBe(0);
    await queue.stop();
  });
});
