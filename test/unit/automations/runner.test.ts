/**
 * The runner's decisions with recording ports (the end-to-end behaviour is
 * test/integration/automations.test.ts): events that are no customer's
 * touchpoint start nothing, replays start nothing, a customer the profile
 * writer has not created yet is retried, and a timer that fires although
 * its `unless` event already arrived (an SQS delay cannot be cancelled)
 * sends nothing and records why.
 */
import { describe, expect, it } from 'vitest';
import { defineAutomations } from '../../../functions/automations/config.js';
import { reactionsOf } from '../../../functions/automations/reactions.js';
import { createAutomationRunner } from '../../../functions/automations/runner.js';
import type { Profile, TimelineItem } from '../../../functions/domain/profile.js';
import { emptyProfile, toTimelineItem } from '../../../functions/domain/profile.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';

const file = defineAutomations({
  automations: [
    {
      name: 'cart-reminder',
      when: { 'detail-type': ['cart.updated'] },
      wait: '1h',
      unless: { 'detail-type': ['order.placed'] },
      send: { purpose: 'service', text: 'Your cart is waiting' },
    },
  ],
});

const event = (type: 'cart.updated' | 'order.placed', id: string, extra: Partial<HubEvent> = {}): HubEvent =>
  ({
    schemaVersion: 1,
    id,
    connector: 'site',
    providerEventId: id,
    type,
    channel: 'web',
    occurredAt: '2026-11-23T10:00:00.000Z',
    receivedAt: '2026-11-23T10:00:00.000Z',
    customer: { identities: [{ type: 'phone', value: '+380671110001' }], traits: {} },
    summary: type,
    data:
      type === 'cart.updated'
        ? { cartId: 'c1', total: { amountMinor: 100, currency: 'UAH' }, items: [] }
        : { orderId: 'o1', total: { amountMinor: 100, currency: 'UAH' }, items: [] },
    ...extra,
  }) as HubEvent;

const E1 = `evt_${'1'.repeat(32)}`;
const E2 = `evt_${'2'.repeat(32)}`;
const ER = `evt_${'3'.repeat(32)}`;

const harness = (opts: { profile?: Profile; timeline?: TimelineItem[] } = {}) => {
  const timers: { op: string; name: string }[] = [];
  const published: HubEvent[] = [];
  const created: unknown[] = [];
  const runner = createAutomationRunner({
    store: {
      findByIdentity: async () => opts.profile,
      getProfile: async () => opts.profile,
      getTimeline: async () => ({ items: opts.timeline ?? [] }),
    },
    messages: {
      create: async (record: unknown) => {
        created.push(record);
        return { record, created: true };
      },
    } as never,
    publisher: { publish: async (events) => void published.push(...events), putEntries: async () => undefined },
    timers: {
      set: async (t) => void timers.push({ op: 'set', name: t.name }),
      ensure: async (t) => {
        timers.push({ op: 'ensure', name: t.name });
        return true;
      },
      cancel: async (name) => {
        timers.push({ op: 'cancel', name });
        return false;
      },
    },
    settings: { connectors: [], retentionDays: 90 } as never,
    defaultCountry: 'UA',
    reactions: reactionsOf(file, { abandonedCartHours: 0, leadUnansweredMinutes: 0 }),
    now: () => new Date('2026-11-23T11:00:00.000Z'),
  });
  return { runner, timers, published, created };
};

const profile = {
  ...emptyProfile('cus_1', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'),
  identities: [{ type: 'phone', value: '+380671110001' }],
} as Profile;

describe('Automation runner', () => {
  it('ignores what is no customer touchpoint (a merge notice, a hydration request) and replays', async () => {
    const { runner, timers } = harness({ profile });
    await runner.handle({ 'detail-type': 'customer.merged', detail: { type: 'customer.merged' } });
    await runner.handle({ 'detail-type': 'hydration.requested', detail: {} });
    await runner.handle({ 'detail-type': 'cart.updated', detail: event('cart.updated', ER, { replayed: true }) });
    expect(timers).toEqual([]);
  });

  it('sets a timer per customer on `when`, cancels it on `unless`', async () => {
    const { runner, timers } = harness({ profile });
    await runner.handle({ 'detail-type': 'cart.updated', detail: event('cart.updated', E1) });
    await runner.handle({ 'detail-type': 'order.placed', detail: event('order.placed', E2) });
    expect(timers).toEqual([
      { op: 'set', name: 'a-cart-reminder-cus_1' },
      { op: 'cancel', name: 'a-cart-reminder-cus_1' },
    ]);
  });

  it('retries an event whose customer the profile writer has not created yet', async () => {
    const { runner } = harness({});
    await expect(runner.handle({ 'detail-type': 'cart.updated', detail: event('cart.updated', E1) })).rejects.toThrow(
      /No profile resolves/,
    );
  });

  it('a timer firing after its `unless` event arrived sends nothing and records unless_matched', async () => {
    const cart = event('cart.updated', E1);
    const order = event('order.placed', E2, { occurredAt: '2026-11-23T10:30:00.000Z' });
    const { runner, published, created } = harness({
      profile,
      timeline: [toTimelineItem(order, 'cus_1'), toTimelineItem(cart, 'cus_1')],
    });
    await runner.fire({
      schemaVersion: 1,
      reaction: 'a-cart-reminder',
      customerId: 'cus_1',
      triggerEventId: E1,
      triggeredAt: '2026-11-23T10:00:00.000Z',
    });
    expect(created).toEqual([]);
    expect(published.map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
      ['automation.skipped', 'unless_matched'],
    ]);
  });
});

describe('Automation runner: a second firing of a run', () => {
  it('whose message exists records the same outcome (the cap counts that very message) and re-publishes it if still queued', async () => {
    // Prepare: the run's message was created but its message.requested may never have reached the bus.
    const capped = defineAutomations({
      automations: [
        {
          name: 'promo',
          when: { 'detail-type': ['cart.updated'] },
          send: { purpose: 'marketing', text: 'Sale!' },
        },
      ],
      marketingCap: { max: 1, per: '7d' },
    });
    const existing = {
      messageId: 'msg_1',
      customerId: 'cus_1',
      purpose: 'marketing',
      status: 'queued',
      channel: 'telegram',
      createdAt: '2026-11-23T10:59:00.000Z',
    };
    const published: HubEvent[] = [];
    const entries: unknown[] = [];
    const runner = createAutomationRunner({
      store: {
        findByIdentity: async () => profile,
        getProfile: async () => profile,
        getTimeline: async () => ({ items: [] }),
      },
      messages: {
        findByIdempotencyKey: async (key: string) => (key === `automation:promo:${E1}` ? existing : undefined),
        listForCustomer: async () => [existing],
        create: async () => {
          throw new Error('no second message');
        },
      } as never,
      publisher: {
        publish: async (events) => void published.push(...events),
        putEntries: async (e) => void entries.push(...e),
      },
      timers: { set: async () => undefined, ensure: async () => true, cancel: async () => false },
      settings: { senders: {}, retentionDays: 90 } as never,
      defaultCountry: 'UA',
      reactions: reactionsOf(capped, { abandonedCartHours: 0, leadUnansweredMinutes: 0 }),
      ...(capped.marketingCap ? { marketingCap: capped.marketingCap } : {}),
      now: () => new Date('2026-11-23T11:00:00.000Z'),
    });

    // Act
    await runner.handle({ 'detail-type': 'cart.updated', detail: event('cart.updated', E1) });

    // Assess
    expect(published.map((e) => [e.type, (e.data as { messageId?: string; reason?: string }).messageId])).toEqual([
      ['automation.triggered', 'msg_1'],
    ]);
    expect(entries).toEqual([expect.objectContaining({ detailType: 'message.requested' })]);
  });
});
