/**
 * `enrich: 'customer'` without a hub: the resolver over the in-memory store
 * (the same plans the DynamoDB store runs), and the dispatcher's wait for
 * the profile writer with a scripted resolver.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryProfileStore } from '../../functions/adapters/memory/memory-profile-store.js';
import { AppliedCustomers } from '../../functions/adapters/store/applied-customers.js';
import { newCustomerId } from '../../functions/domain/store-model.js';
import { createDispatcherHandler } from '../../functions/handlers/dispatcher.js';
import type { HubEvent } from '../../functions/events/hub-event.js';
import type { AppliedCustomer, DeliveryAttempt } from '../../functions/ports.js';
import { defineSubscriptions } from '../../functions/subscriptions/config.js';
import { enrichEnvelope, waitForCustomer } from '../../functions/subscriptions/enrich.js';
import { email, message, phone } from '../unit/domain/plan-world.js';

const receipt = (n: number, value: string): HubEvent =>
  ({
    ...message(n, [phone(value)]),
    type: 'message.delivered',
    data: { messageId: `m${n}`, direction: 'outbound', contentType: 'text' },
  }) as HubEvent;

const named = (event: HubEvent, name: string): HubEvent =>
  ({ ...event, customer: { ...event.customer, traits: { name } } }) as HubEvent;

describe('AppliedCustomers: the customer of an event, once applied', () => {
  it('is pending before the write, then the profile that remembers it', async () => {
    // Prepare
    const store = new MemoryProfileStore();
    const customers = new AppliedCustomers(store.itemStore);
    const first = named(message(1, [phone('+380501113301')]), 'Olena');

    // Act
    const before = await customers.resolve(first);
    await store.applyEvent(first);
    const after = await customers.resolve(first);

    // Assess
    expect(before).toEqual({ kind: 'pending' });
    expect(after).toEqual(expect.objectContaining({ kind: 'applied', customerId: newCustomerId(first.id) }));
    expect(after.kind === 'applied' && after.profile?.traits.name).toBe('Olena');
  });

  it('names the survivor for an event applied before a merge, found by its timeline entry', async () => {
    // Prepare: two profiles, then the event that links them; then 20 more writes so the first is no longer "recent".
    const store = new MemoryProfileStore();
    const customers = new AppliedCustomers(store.itemStore);
    const byPhone = message(1, [phone('+380501113302')], '2026-01-01T10:00:00.000Z');
    const byEmail = message(2, [email('merge@example.com')], '2026-01-02T10:00:00.000Z');
    await store.applyEvent(byPhone);
    await store.applyEvent(byEmail);
    await store.applyEvent(message(3, [phone('+380501113302'), email('merge@example.com')]));
    for (let n = 10; n < 30; n++)
      await store.applyEvent(message(n, [phone('+380501113302')], `2026-02-${n}T10:00:00.000Z`));

    // Act
    const found = await customers.resolve(byEmail);

    // Assess
    expect(found).toEqual(expect.objectContaining({ kind: 'applied', customerId: newCustomerId(byPhone.id) }));
  });

  it('a receipt for someone the hub never knew has no customer (none, at once); a hub notification names its own', async () => {
    const store = new MemoryProfileStore();
    const customers = new AppliedCustomers(store.itemStore);
    const first = message(1, [phone('+380501113303')]);
    await store.applyEvent(first);
    expect(await customers.resolve(receipt(2, '+380501113399'))).toEqual({ kind: 'none' });
    expect(await customers.resolve({ type: 'customer.erased', customerId: 'cus_gone', id: 'evt_x' })).toEqual({
      kind: 'applied',
      customerId: 'cus_gone',
    });
    expect(await customers.resolve({ type: 'hydration.requested' })).toEqual({ kind: 'none' });
  });

  it('an erased customer: her id, no profile', async () => {
    const store = new MemoryProfileStore();
    const customers = new AppliedCustomers(store.itemStore);
    const first = message(1, [phone('+380501113304')]);
    const { customerId } = await store.applyEvent(first);
    await store.eraseCustomer(customerId as string);
    const found = await customers.resolve({ type: 'customer.erased', customerId, id: 'evt_y' });
    expect(found).toEqual({ kind: 'applied', customerId });
  });
});

describe('waitForCustomer and enrichEnvelope', () => {
  const script = (answers: AppliedCustomer[]) => {
    let n = 0;
    return { resolve: async () => answers[Math.min(n++, answers.length - 1)] as AppliedCustomer };
  };
  const polls = { pollMs: [1, 1], maxWaitMs: 60_000, requeueMaxMs: 10_000 };

  it('polls while pending, then goes back to the queue, and gives up after the wait', async () => {
    expect(
      await waitForCustomer(script([{ kind: 'pending' }, { kind: 'none' }]), {}, { ...polls, waitedMs: 0 }),
    ).toEqual({ kind: 'found', customer: { kind: 'none' } });
    expect(await waitForCustomer(script([{ kind: 'pending' }]), {}, { ...polls, waitedMs: 3_000 })).toEqual({
      kind: 'wait',
      delayMs: 3_002,
    });
    expect(await waitForCustomer(script([{ kind: 'pending' }]), {}, { ...polls, waitedMs: 60_000 })).toEqual({
      kind: 'gave-up',
    });
  });

  it("keeps a notification's own customerId, adds a touchpoint's, and adds no snapshot without a profile", () => {
    const merged = { 'detail-type': 'customer.merged', detail: { type: 'customer.merged', customerId: 'cus_a' } };
    expect(enrichEnvelope(merged, { kind: 'applied', customerId: 'cus_b' }).detail).toEqual({
      type: 'customer.merged',
      customerId: 'cus_a',
    });
    const lead = { detail: { id: 'evt_1' } };
    expect(enrichEnvelope(lead, { kind: 'applied', customerId: 'cus_b' }).detail).toEqual({
      id: 'evt_1',
      customerId: 'cus_b',
    });
    expect(enrichEnvelope(lead, { kind: 'none' })).toBe(lead);
  });
});

describe('Dispatcher: a delivery waits for the profile writer', () => {
  const NOW = new Date('2026-05-01T00:00:10Z');
  const record = (firstReceiveAgoMs: number): SQSRecord =>
    ({
      messageId: 'm-1',
      receiptHandle: 'm#1',
      body: JSON.stringify({
        'detail-type': 'lead.submitted',
        source: 'omnihub.marquiz',
        detail: message(1, [phone('+380501113305')]),
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        ApproximateFirstReceiveTimestamp: String(NOW.getTime() - firstReceiveAgoMs),
      },
      eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sub-crm',
    }) as unknown as SQSRecord;

  const setup = (answer: AppliedCustomer) => {
    const calls: string[] = [];
    const attempts: DeliveryAttempt[] = [];
    const bodies: any[] = [];
    const handler = createDispatcherHandler({
      subscriptions: defineSubscriptions([
        {
          name: 'crm',
          pattern: { source: [{ prefix: 'omnihub.' }] },
          target: { type: 'webhook', url: 'https://crm.example.com/h' },
        },
      ]),
      queueNamePrefix: 'omnihub-prod-sub-',
      secrets: { get: async () => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      queue: {
        retryLater: async (_r, delayMs) => void calls.push(`retryLater ${delayMs}`),
        deadLetter: async () => void calls.push('deadLetter'),
      },
      log: {
        record: async (a) => void attempts.push(a),
        recent: async () => ({ items: [] }),
        stats: async () => ({ delivered: 0, failedAttempts: 0, deadLettered: 0, matched: 0, suppressed: 0 }),
      },
      fetch: (async (_url: string, init: RequestInit) => {
        bodies.push(JSON.parse(String(init.body)));
        return new Response(null, { status: 204 });
      }) as typeof fetch,
      now: () => NOW,
      customers: { resolve: async () => answer },
      enrichWait: { pollMs: [1], maxWaitMs: 60_000 },
    });
    const run = (r: SQSRecord) => handler({ Records: [r] } as SQSEvent, {} as Context);
    return { calls, attempts, bodies, run };
  };

  it('not applied yet: back to its queue, the receiver not called, the wait in the delivery log', async () => {
    const { calls, attempts, bodies, run } = setup({ kind: 'pending' });
    const result = await run(record(0));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(bodies).toEqual([]);
    expect(calls).toEqual(['retryLater 1000']);
    expect(attempts[0]).toEqual(
      expect.objectContaining({ outcome: 'retrying', error: 'waiting for the profile writer to apply the event' }),
    );
  });

  it('never applied within the wait (the writer dead-lettered it): delivered without the customer', async () => {
    const { bodies, run } = setup({ kind: 'pending' });
    await run(record(60_000));
    expect(bodies).toHaveLength(1);
    expect(bodies[0].detail).not.toHaveProperty('customerId');
  });
});
