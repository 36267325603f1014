/**
 * The profile's reading of the order lifecycle and of support tickets: a
 * cancelled order leaves the sales and (its unrefunded rest) the revenue
 * once, a cancellation that arrives first keeps the order from counting, a
 * refund reduces net revenue once; tickets keep their newest state, bounded;
 * which of the new types are the customer's own interactions. Every rule is
 * checked to hold whatever order the events arrive in and across merges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combineProfiles,
  emptyProfile,
  foldEvents,
  MAX_TICKETS,
  type Profile,
} from '../../../functions/domain/profile.js';
import { computeTraits } from '../../../functions/domain/traits.js';
import { hubEventId } from '../../../functions/events/event-id.js';
import type { Channel, HubEvent, TicketStatus } from '../../../functions/events/hub-event.js';

const NOW = '2026-11-23T12:00:00.000Z';
const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d, 10)).toISOString();

const base = (id: string, d: number, channel: Channel) => ({
  schemaVersion: 1 as const,
  id: hubEventId('shop', id),
  connector: 'shop',
  providerEventId: id,
  channel,
  occurredAt: day(d),
  receivedAt: day(d),
  customer: { identities: [{ type: 'email' as const, value: 'ana@example.com' }], traits: {} },
  summary: id,
});
const UAH = (amountMinor: number) => ({ amountMinor, currency: 'UAH' });

const order = (
  type: 'order.placed' | 'order.paid' | 'order.cancelled' | 'order.fulfilled' | 'order.ready_for_pickup',
  orderId: string,
  total: number,
  d: number,
  refundedBefore?: number,
): HubEvent =>
  ({
    ...base(`${orderId}:${type}`, d, 'ecommerce'),
    type,
    data: {
      orderId,
      total: UAH(total),
      items: [],
      ...(refundedBefore !== undefined ? { refunded: UAH(refundedBefore) } : {}),
    },
  }) as HubEvent;

const refund = (orderId: string, refundId: string, amount: number, total: number, d: number): HubEvent => ({
  ...base(`refund:${refundId}`, d, 'pos'),
  type: 'order.refunded',
  data: { orderId, total: UAH(total), items: [], refunded: UAH(amount) },
});

const ticket = (
  type: 'ticket.created' | 'ticket.updated' | 'ticket.solved',
  ticketId: string,
  status: TicketStatus,
  d: number,
  n = 0,
): HubEvent => ({
  ...base(`ticket:${ticketId}:${type}:${n}`, d, 'helpdesk'),
  type,
  data: { ticketId, status, subject: `Subject of ${ticketId}` },
});

const fold = (events: readonly HubEvent[], id = 'cus_1'): Profile =>
  foldEvents(emptyProfile(id, events[0]?.occurredAt ?? NOW, NOW), events, NOW);
const traits = (p: Profile) => computeTraits(p, { now: new Date(NOW) });
/** Everything that must not depend on arrival order or on how events were split between profiles. */
const facts = (p: Profile) => {
  const { customerId: _c, createdAt: _cr, updatedAt: _u, version: _v, mergedIds: _m, ...rest } = p;
  return rest;
};

describe('order lifecycle in the profile', () => {
  it('takes a counted order that is cancelled out of the sales and the revenue, once', () => {
    // Prepare
    const events = [
      order('order.placed', 'o1', 10_000, 1),
      order('order.paid', 'o1', 10_000, 2),
      order('order.cancelled', 'o1', 10_000, 3),
      order('order.placed', 'o2', 4_000, 4),
    ];

    // Act
    const profile = fold(events);

    // Assess
    expect(profile.orders).toMatchObject({ count: 2, revenue: { UAH: 14_000 }, cancelled: { UAH: 10_000 } });
    expect(profile.orders.cancelledCount).toBe(1);
    expect(traits(profile).netRevenue).toEqual(UAH(4_000));
    expect(traits(profile).averageOrderValue).toEqual(UAH(4_000));
  });

  it('never counts an order whose cancellation arrived first', () => {
    // Prepare
    const events = [order('order.cancelled', 'o1', 10_000, 3), order('order.placed', 'o1', 10_000, 1)];

    // Act
    const profile = fold(events);

    // Assess
    expect(profile.orders.count).toBe(0);
    expect(profile.orders.revenue).toEqual({});
    expect(profile.orders.cancelled).toBeUndefined();
    expect(traits(profile).netRevenue).toBeUndefined();
  });

  it('takes out only the unrefunded rest when the cancellation refunded part of the order', () => {
    // Prepare: 100.00 placed, 30.00 refunded with the cancellation; the refund event and the cancellation agree.
    const events = [
      order('order.placed', 'o1', 10_000, 1),
      refund('o1', 'r1', 3_000, 10_000, 3),
      order('order.cancelled', 'o1', 10_000, 3, 3_000),
      order('order.placed', 'o2', 5_000, 4),
    ];

    // Act
    const profile = fold(events);

    // Assess: 150.00 gross − 30.00 refunded − 70.00 cancelled.
    expect(profile.orders).toMatchObject({ refunded: { UAH: 3_000 }, cancelled: { UAH: 7_000 } });
    expect(traits(profile).netRevenue).toEqual(UAH(5_000));
  });

  it('reduces net revenue by an in-store refund of an online order once, without adding an order', () => {
    // Prepare: the refund names the online order id; the same refund delivered twice has one event id.
    const online = order('order.placed', 'web-1001', 20_000, 1);
    const inStore = refund('web-1001', 'r9', 5_000, 20_000, 5);

    // Act
    const profile = fold([online, inStore]);

    // Assess
    expect(profile.orders.count).toBe(1);
    expect(profile.orders.refunded).toEqual({ UAH: 5_000 });
    expect(profile.channels.pos?.count).toBe(1);
    expect(traits(profile).netRevenue).toEqual(UAH(15_000));
  });

  it('lets fulfilment and pickup move nothing but the channel stats and the timeline', () => {
    // Prepare
    const placed = fold([order('order.placed', 'o1', 10_000, 1)]);

    // Act
    const later = foldEvents(
      placed,
      [order('order.fulfilled', 'o1', 10_000, 2), order('order.ready_for_pickup', 'o1', 10_000, 3)],
      NOW,
    );

    // Assess
    expect(later.orders).toEqual(placed.orders);
    expect(later.lastInteractionAt).toBe(placed.lastInteractionAt);
    expect(later.eventCount).toBe(3);
  });

  it('ends with the same orders whatever order the lifecycle events arrive in', () => {
    // Prepare: placed/paid/cancelled/refunded events of three orders, shuffled.
    const arbOrderEvents = fc.uniqueArray(
      fc.record({
        orderId: fc.constantFrom('o1', 'o2', 'o3'),
        kind: fc.constantFrom('placed', 'paid', 'cancelled', 'refund'),
        d: fc.nat(60),
      }),
      { minLength: 1, maxLength: 10, selector: (e) => `${e.orderId}:${e.kind}` },
    );
    const totals: Record<string, number> = { o1: 10_000, o2: 2_500, o3: 700 };
    const toEvent = (e: { orderId: string; kind: string; d: number }): HubEvent => {
      const total = totals[e.orderId] as number;
      if (e.kind === 'refund') return refund(e.orderId, `${e.orderId}-r`, Math.floor(total / 4), total, e.d);
      return order(`order.${e.kind}` as 'order.placed', e.orderId, total, e.d);
    };

    const arbTwoOrders = arbOrderEvents.chain((raw) =>
      fc.tuple(fc.constant(raw), fc.shuffledSubarray(raw, { minLength: raw.length, maxLength: raw.length })),
    );

    fc.assert(
      fc.property(arbTwoOrders, ([raw, shuffledRaw]) => {
        // Act
        const a = fold(raw.map(toEvent));
        const b = fold(shuffledRaw.map(toEvent));

        // Assess: the same sales, whichever event claimed each order.
        expect(traits(a).netRevenue).toEqual(traits(b).netRevenue);
        expect(a.orders.count - (a.orders.cancelledCount ?? 0)).toBe(b.orders.count - (b.orders.cancelledCount ?? 0));
        expect(a.orders.refunded).toEqual(b.orders.refunded);
      }),
      { numRuns: 200 },
    );
  });

  it('sums cancellations when two profiles merge', () => {
    // Prepare
    const left = fold([order('order.placed', 'o1', 10_000, 1), order('order.cancelled', 'o1', 10_000, 2)], 'a');
    const right = fold([order('order.placed', 'o2', 3_000, 3), order('order.cancelled', 'o2', 3_000, 4)], 'b');

    // Act
    const merged = combineProfiles(left, right, NOW);

    // Assess
    expect(merged.orders).toMatchObject({ count: 2, cancelled: { UAH: 13_000 }, cancelledCount: 2 });
    expect(traits(merged).netRevenue).toBeUndefined();
  });
});

describe('support tickets in the profile', () => {
  it('keeps the newest state of each ticket, whatever arrives first', () => {
    // Prepare
    const events = [
      ticket('ticket.created', '42', 'new', 1),
      ticket('ticket.updated', '42', 'pending', 2),
      ticket('ticket.solved', '42', 'solved', 3),
      ticket('ticket.created', '43', 'open', 2),
    ];

    // Act
    const inOrder = fold(events);
    const reversed = fold([...events].reverse());

    // Assess
    expect(inOrder.tickets?.['shop:42']).toMatchObject({ status: 'solved', subject: 'Subject of 42', at: day(3) });
    expect(inOrder.tickets?.['shop:43']?.status).toBe('open');
    expect(facts(reversed)).toEqual(facts(inOrder));
  });

  it(`keeps the ${MAX_TICKETS} most recently updated tickets, the same set in any order and after a merge`, () => {
    // Prepare: 30 tickets, one statement each on its own day.
    const events = Array.from({ length: 30 }, (_, i) => ticket('ticket.created', `t${i}`, 'open', i));
    const odd = events.filter((_, i) => i % 2);
    const even = events.filter((_, i) => i % 2 === 0);

    // Act
    const together = fold(events);
    const merged = combineProfiles(fold(even, 'a'), fold(odd, 'b'), NOW);

    // Assess
    const kept = Object.keys(together.tickets ?? {}).sort();
    expect(kept).toHaveLength(MAX_TICKETS);
    expect(kept).not.toContain('shop:t0');
    expect(kept).toContain('shop:t29');
    expect(Object.keys(merged.tickets ?? {}).sort()).toEqual(kept);
    expect(fold([...events].reverse()).tickets).toEqual(together.tickets);
  });

  it('makes a new ticket the customer’s interaction, but not what agents do to it', () => {
    // Prepare
    const message: HubEvent = {
      ...base('m1', 1, 'telegram'),
      type: 'message.received',
      data: { messageId: 'm1', direction: 'inbound', contentType: 'text', text: 'hi' },
    };

    // Act
    const opened = fold([message, ticket('ticket.created', '42', 'new', 2)]);
    const solved = fold([message, ticket('ticket.solved', '42', 'solved', 2)]);

    // Assess
    expect(opened.lastChannel).toBe('helpdesk');
    expect(solved.lastChannel).toBe('telegram');
    expect(solved.channels.helpdesk?.count).toBe(1);
  });
});

describe('attempted purchases and browsing in the profile', () => {
  it('counts a started checkout as the last attempted purchase, abandoned when no order follows', () => {
    // Prepare
    const checkout: HubEvent = {
      ...base('c1', 1, 'ecommerce'),
      type: 'checkout.started',
      data: { checkoutId: 'c1', total: UAH(5_000), items: [] },
    };

    // Act
    const profile = fold([checkout]);

    // Assess
    expect(profile.lastCartAt).toBe(day(1));
    expect(computeTraits(profile, { now: new Date(day(3)) }).abandonedCart).toBe(true);
    expect(
      computeTraits(fold([checkout, order('order.placed', 'o1', 5_000, 1)]), { now: new Date(day(3)) }),
    ).toMatchObject({ abandonedCart: false });
  });

  it('makes product views and searches interactions on their channel', () => {
    // Prepare
    const viewed: HubEvent = {
      ...base('v1', 2, 'app'),
      type: 'product.viewed',
      data: { productId: 'sku-1', name: 'Mug' },
    };
    const searched: HubEvent = {
      ...base('s1', 3, 'web'),
      type: 'search.performed',
      data: { query: 'mug', resultCount: 4 },
    };

    // Act & Assess
    expect(fold([viewed]).lastChannel).toBe('app');
    expect(fold([viewed, searched]).lastChannel).toBe('web');
  });
});
