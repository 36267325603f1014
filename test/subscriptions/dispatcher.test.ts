/**
 * The dispatcher handler with in-memory ports and a scripted `fetch`: what it
 * sends, and what it tells the queue after each kind of answer.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createDispatcherHandler } from '../../functions/handlers/dispatcher.js';
import { defineSubscriptions, type SubscriptionInput } from '../../functions/subscriptions/config.js';
import type { DeliveryAttempt, DeliveryLog } from '../../functions/ports.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = new Date('2025-01-01T00:00:10Z');
const envelope = {
  version: '0',
  id: 'eb-1',
  'detail-type': 'lead.submitted',
  source: 'omnihub.marquiz',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'local',
  resources: [],
  detail: { id: 'evt_00000000000000000000000000000001', type: 'lead.submitted' },
};

const record = (attempt: number, body: unknown = envelope, name = 'crm'): SQSRecord => ({
  messageId: `m-${attempt}`,
  receiptHandle: `m#${attempt}`,
  body: JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: String(attempt),
    SentTimestamp: String(NOW.getTime() - 5_000),
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: String(NOW.getTime() - 5_000),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sub-${name}`,
  awsRegion: 'eu-central-1',
});

interface Sent {
  url: string;
  init: RequestInit;
}

const setup = (
  reply: () => Response | Promise<Response>,
  overrides: Partial<SubscriptionInput> = {},
  logFails = false,
  erasures?: { isErased: (e: { id: string }) => Promise<boolean> },
) => {
  const sent: Sent[] = [];
  const calls: string[] = [];
  const attempts: DeliveryAttempt[] = [];
  const log: DeliveryLog = {
    record: async (a) => {
      if (logFails) throw new Error('table unavailable');
      attempts.push(a);
    },
    recent: async () => ({ items: [] }),
    stats: async () => ({ delivered: 0, failedAttempts: 0, deadLettered: 0, matched: 0, suppressed: 0 }),
  };
  const handler = createDispatcherHandler({
    subscriptions: defineSubscriptions([
      {
        name: 'crm',
        pattern: { 'detail-type': ['lead.submitted'] },
        target: { type: 'webhook', url: 'https://crm.example.com/hook', headers: { 'X-Team': 'crm' } },
        retry: { maxAttempts: 3, windowSeconds: 60, baseDelayMs: 1_000 },
        ...overrides,
      },
    ]),
    queueNamePrefix: 'omnihub-prod-sub-',
    secrets: { get: async (name) => (name === 'crm' ? SECRET : undefined) },
    queue: {
      retryLater: async (r, delayMs) => void calls.push(`retryLater ${r.receiptHandle} ${delayMs}`),
      deadLetter: async (r, reason) => void calls.push(`deadLetter ${r.receiptHandle} ${reason}`),
    },
    log,
    fetch: (async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return reply();
    }) as typeof fetch,
    now: () => NOW,
    random: () => 0.5,
    ...(erasures ? { erasures } : {}),
  });
  const run = (r: SQSRecord) => handler({ Records: [r] } as SQSEvent, {} as Context);
  return { run, sent, calls, attempts };
};

describe('Dispatcher', () => {
  it("acknowledges an erased customer's event without delivering it, and logs it as suppressed", async () => {
    // Prepare: a touchpoint of a customer the erasure holds name.
    const event = {
      ...envelope,
      detail: {
        id: 'evt_00000000000000000000000000000009',
        type: 'lead.submitted',
        occurredAt: '2024-12-31T00:00:00Z',
        customer: { identities: [{ type: 'phone', value: '+380501112233' }] },
      },
    };
    const asked: string[] = [];
    const held = async (e: { id: string }) => {
      asked.push(e.id);
      return e.id === event.detail.id;
    };
    const { run, sent, calls, attempts } = setup(() => new Response(null, { status: 204 }), {}, false, {
      isErased: held,
    });

    // Act
    const result = await run(record(1, event));
    const sentForHer = sent.length;
    const other = await run(record(2));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(sentForHer).toBe(0);
    expect(calls).toEqual([]);
    expect(attempts[0]).toEqual(expect.objectContaining({ outcome: 'suppressed', eventId: event.detail.id }));
    // An envelope without a customer (or another customer's) is delivered as ever.
    expect(other.batchItemFailures).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(asked).toEqual([event.detail.id]);
  });

  it('sends the envelope byte for byte with Standard Webhooks headers and acknowledges a 2xx', async () => {
    // Prepare
    const { run, sent, calls, attempts } = setup(() => new Response(null, { status: 204 }));

    // Act
    const result = await run(record(1));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
    const [{ url, init }] = sent as [Sent];
    const headers = init.headers as Record<string, string>;
    expect(url).toBe('https://crm.example.com/hook');
    expect(init.body).toBe(JSON.stringify(envelope));
    expect(init.redirect).toBe('manual');
    expect(headers).toMatchObject({
      'webhook-id': envelope.detail.id,
      'webhook-timestamp': String(NOW.getTime() / 1000),
      'x-team': 'crm',
      'omnihub-attempt': '1',
    });
    // Verify the way a receiver would (timestamp tolerance aside: the clock is pinned to NOW).
    const expected = new Webhook(SECRET).sign(envelope.detail.id, NOW, init.body as string);
    expect(headers['webhook-signature']).toBe(expected);
    expect(attempts).toEqual([
      expect.objectContaining({
        subscription: 'crm',
        eventId: envelope.detail.id,
        attempt: 1,
        outcome: 'delivered',
        statusCode: 204,
      }),
    ]);
  });

  it('reschedules a 500 with the jittered backoff and reports the record as failed', async () => {
    // Prepare
    const { run, calls, attempts } = setup(() => new Response('boom', { status: 500 }));

    // Act
    const result = await run(record(2));

    // Assess: random 0.5 × min(max, 1000·2¹) = 1000 ms.
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(calls).toEqual(['retryLater m#2 1000']);
    expect(attempts[0]).toMatchObject({
      outcome: 'retrying',
      statusCode: 500,
      error: 'HTTP 500: boom',
      nextAttemptAt: '2025-01-01T00:00:11.000Z',
    });
  });

  it('waits exactly Retry-After on a 429 and on a 503', async () => {
    for (const status of [429, 503]) {
      // Prepare
      const { run, calls } = setup(() => new Response(null, { status, headers: { 'retry-after': '2' } }));

      // Act
      await run(record(1));

      // Assess
      expect(calls).toEqual(['retryLater m#1 2000']);
    }
  });

  it('dead-letters after the last attempt and acknowledges the record', async () => {
    // Prepare
    const { run, calls, attempts } = setup(() =>
      Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
    );

    // Act
    const result = await run(record(3));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual(['deadLetter m#3 gave up after 3 attempt(s)']);
    expect(attempts[0]).toMatchObject({
      outcome: 'dead-lettered',
      error: 'fetch failed: ECONNREFUSED; gave up after 3 attempt(s)',
    });
  });

  it('marks a replayed event with the omnihub-replay header and keeps replay-name in the body', async () => {
    // Prepare
    const { run, sent } = setup(() => new Response(null, { status: 200 }));

    // Act
    await run(record(1, { ...envelope, 'replay-name': 'prod-crm-20250101T000000' }));

    // Assess
    const init = sent[0]?.init as RequestInit;
    expect((init.headers as Record<string, string>)['omnihub-replay']).toBe('prod-crm-20250101T000000');
    expect(JSON.parse(init.body as string)['replay-name']).toBe('prod-crm-20250101T000000');
  });

  it('never sends an unsigned webhook: no secret fails the record without a request', async () => {
    // Prepare
    const { run, sent, calls } = setup(() => new Response(null, { status: 200 }), { name: 'nosecret' });

    // Act
    const result = await run(record(1, envelope, 'nosecret'));

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(sent).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('does not fail a delivered record when the delivery log cannot be written (no duplicate)', async () => {
    // Prepare
    const { run, sent } = setup(() => new Response(null, { status: 200 }), {}, true);

    // Act & Assess
    expect(await run(record(1))).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(1);
  });

  it('counts a timeout as a failed attempt', async () => {
    // Prepare
    const { run, calls, attempts } = setup(() =>
      Promise.reject(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })),
    );

    // Act
    await run(record(1));

    // Assess
    expect(calls).toEqual(['retryLater m#1 500']);
    expect(attempts[0]?.error).toBe('timed out after 10s');
  });
});
