/**
 * The profile writer and the admin API on the in-memory store: the outbox
 * relay's rules (publish, then mark; a failed publish leaves the entry for a
 * retry or the sweep; the sweep leaves entries younger than its grace to the
 * writer still publishing them), in milliseconds without Java.
 */
import { MemoryMessageStore } from '../../functions/adapters/memory/memory-message-store.js';
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryProfileStore } from '../../functions/adapters/memory/memory-profile-store.js';
import type { BusEntry } from '../../functions/events/envelope.js';
import { toBusEntry, toEnvelope } from '../../functions/events/envelope.js';
import { hubEventId } from '../../functions/events/event-id.js';
import type { HubEvent, Identity } from '../../functions/events/hub-event.js';
import { createApiHandler } from '../../functions/handlers/api/index.js';
import { createProfileWriterHandler } from '../../functions/handlers/profile-writer.js';
import type { EventPublisher } from '../../functions/ports.js';

const message = (n: string, identities: Identity[], minute: number): HubEvent => ({
  schemaVersion: 1,
  id: hubEventId('handlers', n),
  connector: 'handlers',
  providerEventId: n,
  type: 'message.received',
  channel: 'telegram',
  occurredAt: new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString(),
  receivedAt: new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString(),
  customer: { identities, traits: {} },
  summary: `message ${n}`,
  data: { messageId: n, direction: 'inbound', contentType: 'text', text: 'hi' },
});

const sqs = (...events: HubEvent[]): SQSEvent => ({
  Records: events.map(
    (e, i): SQSRecord => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
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
      eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-test-profile-writer',
      awsRegion: 'eu-central-1',
    }),
  ),
});

/** A bus that records what it accepted and can be told to refuse the next put. */
const bus = () => {
  const accepted: BusEntry[] = [];
  let failNext = false;
  const publisher: EventPublisher = {
    publish: async () => undefined,
    putEntries: async (entries) => {
      if (failNext) {
        failNext = false;
        throw new Error('EventBridge down (injected)');
      }
      accepted.push(...entries);
    },
  };
  return { publisher, accepted, failNextPut: () => (failNext = true) };
};

const clock = (start = Date.UTC(2026, 10, 20, 9, 0)) => {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
};

const phone: Identity = { type: 'phone', value: '+380501234500' };
const mail: Identity = { type: 'email', value: 'handlers@example.com' };

describe('Profile writer on the memory store', () => {
  it('publishes a merge notification, and a redelivery after a failed publish publishes it then', async () => {
    // Prepare
    const time = clock();
    const store = new MemoryProfileStore({ now: time.now });
    const { publisher, accepted, failNextPut } = bus();
    const handler = createProfileWriterHandler({ store, publisher, outbox: { now: time.now } });
    await handler(sqs(message('1', [phone], 1)), {} as Context);
    time.advance(1000);
    await handler(sqs(message('2', [mail], 2)), {} as Context);
    failNextPut();

    // Act
    // The record failed: SQS redelivers it.
    const first = await handler(sqs(message('3', [phone, mail], 3)), {} as Context);
    expect(first.batchItemFailures).toHaveLength(1);
    const redelivery = await handler(sqs(message('3', [phone, mail], 3)), {} as Context);

    // Assess
    expect(redelivery.batchItemFailures).toEqual([]);
    // Each profile's customer.created, then the merge and what the survivor gained (the email) — each exactly once.
    expect(accepted.map((e) => e.detailType)).toEqual([
      'customer.created',
      'customer.created',
      'customer.merged',
      'customer.updated',
    ]);
    expect(await store.pendingNotifications({ before: new Date('2030-01-01'), limit: 10 })).toEqual([]);
    expect((await store.findByIdentity(mail))?.eventCount).toBe(3);
  });

  it('sweeps what a crash left in the outbox, leaving entries younger than the grace to their writer', async () => {
    // Prepare: an erasure committed, its publish failed, nobody repeated it.
    const time = clock();
    const store = new MemoryProfileStore({ now: time.now });
    await store.applyEvent(message('10', [phone], 1));
    const id = (await store.findByIdentity(phone))?.customerId as string;
    const erased = await store.eraseCustomer(id);
    const { publisher, accepted } = bus();
    const handler = createProfileWriterHandler({
      store,
      publisher,
      outbox: { now: time.now, graceMs: 60_000, sweepEveryMs: 300_000 },
    });

    // Act
    await handler(sqs(), {} as Context); // 0 s: too young
    const young = accepted.length;
    time.advance(61_000);
    await handler(sqs(), {} as Context); // 61 s: but the last sweep was 61 s ago
    const tooSoon = accepted.length;
    time.advance(300_000);
    await handler(sqs(), {} as Context);

    // Assess
    expect([young, tooSoon]).toEqual([0, 0]);
    expect(accepted).toEqual(erased?.notifications.map((n) => n.entry));
    expect(await store.pendingNotifications({ before: new Date('2030-01-01'), limit: 10 })).toEqual([]);
  });
});

describe('Admin API on the memory store', () => {
  const api = (store: MemoryProfileStore, publisher: EventPublisher) => {
    const handler = createApiHandler({
      store,
      publisher,
      secretStatus: { status: async () => ({ configured: false }) } as never,
      defaultCountry: 'UA',
      subscriptionRoutes: {} as never,
      // Erase and unmerge reach neither the messages API nor its settings.
      messages: new MemoryMessageStore(),
      outbound: {} as never,
      queueRoutes: {} as never,
    });
    return async (routeKey: string, customerId: string) => {
      const res = await handler(
        {
          routeKey,
          pathParameters: { customerId },
          headers: {},
          requestContext: { http: { method: 'DELETE' } },
        } as unknown as APIGatewayProxyEventV2,
        {} as Context,
      );
      return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
    };
  };

  it('an erase whose publish fails is a 503 that a repeat turns into 200 and the published customer.erased', async () => {
    const store = new MemoryProfileStore();
    await store.applyEvent(message('20', [mail], 1));
    const id = (await store.findByIdentity(mail))?.customerId as string;
    const { publisher, accepted, failNextPut } = bus();
    const call = api(store, publisher);
    failNextPut();

    const first = await call('DELETE /v1/customers/{customerId}', id);
    const again = await call('DELETE /v1/customers/{customerId}', id);
    const unknown = await call('DELETE /v1/customers/{customerId}', 'cus_nobody');

    expect(first.status).toBe(503);
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ alreadyErased: true, customerId: id }) });
    expect(accepted.map((e) => e.detailType)).toEqual(['customer.erased']);
    expect(unknown.status).toBe(404);
  });
});
