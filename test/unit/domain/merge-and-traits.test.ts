import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { combineProfiles, emptyProfile, foldEvents, type Profile } from '../../../functions/domain/profile.js';
import { computeTraits, preferredChannel } from '../../../functions/domain/traits.js';
import { decideLinks, linkingPolicy, mergeExceedsCap, withinCap } from '../../../functions/domain/linking.js';
import type { Channel, HubEvent } from '../../../functions/events/hub-event.js';
import { hubEventId } from '../../../functions/events/event-id.js';

const NOW = '2026-11-23T12:00:00.000Z';
const at = (day: number) =>
  `2026-${String(1 + Math.floor(day / 28)).padStart(2, '0')}-${String(1 + (day % 28)).padStart(2, '0')}T10:00:00.000Z`;

const base = (n: number, day: number, channel: Channel) => ({
  schemaVersion: 1 as const,
  id: hubEventId('test', String(n)),
  connector: 'test',
  providerEventId: String(n),
  channel,
  occurredAt: at(day),
  receivedAt: at(day),
  customer: {
    identities: [{ type: 'phone' as const, value: `+38050111${String(n % 7).padStart(4, '0')}` }],
    traits: { name: `N${n % 3}` },
  },
  summary: `event ${n}`,
});

const message = (n: number, day: number, channel: Channel): HubEvent => ({
  ...base(n, day, channel),
  type: 'message.received',
  data: { messageId: String(n), direction: 'inbound', contentType: 'text', text: 'hi' },
});
const purchase = (n: number, day: number, order: string, amount: number): HubEvent => ({
  ...base(n, day, 'pos'),
  type: 'purchase.completed',
  data: {
    orderId: order,
    total: { amountMinor: amount, currency: 'UAH' },
    items: [],
    promoCodes: n % 2 ? ['SPRING'] : [],
  },
});
const consent = (n: number, day: number, type: 'consent.granted' | 'consent.revoked', channel: Channel): HubEvent => ({
  ...base(n, day, channel),
  type,
  data: { channel, purpose: 'all' },
});

const fold = (id: string, events: HubEvent[]): Profile =>
  foldEvents(emptyProfile(id, events[0]?.occurredAt ?? NOW, NOW), events, NOW);
/** What must not depend on how the events were split between profiles. */
const facts = (p: Profile) => {
  const { customerId: _c, createdAt: _cr, updatedAt: _u, version: _v, mergedIds: _m, ...rest } = p;
  return rest;
};

const arbEvent = fc.oneof(
  fc
    .record({
      n: fc.nat(10_000),
      day: fc.nat(300),
      channel: fc.constantFrom<Channel>('whatsapp', 'telegram', 'viber', 'web'),
    })
    .map((e) => message(e.n, e.day, e.channel)),
  fc
    .record({
      n: fc.nat(10_000),
      day: fc.nat(300),
      order: fc.constantFrom('o1', 'o2', 'o3', 'o4'),
      amount: fc.integer({ min: 100, max: 99_999 }),
    })
    .map((e) => purchase(e.n, e.day, e.order, e.amount)),
  fc
    .record({
      n: fc.nat(10_000),
      day: fc.nat(300),
      revoked: fc.boolean(),
      channel: fc.constantFrom<Channel>('whatsapp', 'telegram'),
    })
    .map((e) => consent(e.n, e.day, e.revoked ? 'consent.revoked' : 'consent.granted', e.channel)),
);

describe('combineProfiles', () => {
  it('merging two folded profiles equals folding all their events into one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbEvent, { minLength: 2, maxLength: 16, selector: (e) => e.id }),
        fc.nat(),
        (events, cut) => {
          // Prepare: orders are keyed globally, so one order never sits on both sides.
          const ordersLeft = new Set<string>();
          const left: HubEvent[] = [];
          const right: HubEvent[] = [];
          events.forEach((e, i) => {
            const order = e.type === 'purchase.completed' ? e.data.orderId : undefined;
            const goLeft = order
              ? ordersLeft.has(order) || (i <= cut % events.length && (ordersLeft.add(order), true))
              : i <= cut % events.length;
            (goLeft ? left : right).push(e);
          });
          fc.pre(
            left.length > 0 &&
              right.length > 0 &&
              !right.some((e) => e.type === 'purchase.completed' && ordersLeft.has(e.data.orderId)),
          );
          // Act
          const merged = combineProfiles(fold('cus_a', left), fold('cus_b', right), NOW);
          const together = fold('cus_a', [...left, ...right]);
          // Assess
          expect(facts(merged)).toEqual(facts(together));
          expect(merged.mergedIds).toEqual(['cus_b']);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts an order once however many of its events arrive, in any order', () => {
    const events = [
      purchase(1, 1, 'o1', 1000),
      { ...purchase(2, 2, 'o1', 1000), type: 'order.paid' } as HubEvent,
      purchase(3, 3, 'o2', 500),
    ];
    const a = fold('c', events);
    const b = fold('c', [...events].reverse());
    expect(a.orders).toEqual(b.orders);
    expect(a.orders.count).toBe(2);
    expect(a.orders.revenue).toEqual({ UAH: 1500 });
  });
});

describe('computed traits', () => {
  it('computes lifetime value as average check × purchase frequency × lifespan', () => {
    // Prepare: 4 purchases of 250.00 UAH over two years, one 100.00 refund.
    const refund: HubEvent = {
      ...base(9, 500, 'pos'),
      type: 'order.refunded',
      data: {
        orderId: 'a',
        total: { amountMinor: 25_000, currency: 'UAH' },
        refunded: { amountMinor: 10_000, currency: 'UAH' },
        items: [],
      },
    };
    const profile = fold('c', [
      { ...purchase(1, 0, 'a', 25_000), occurredAt: '2024-01-01T00:00:00.000Z' },
      { ...purchase(2, 0, 'b', 25_000), occurredAt: '2024-07-01T00:00:00.000Z' },
      { ...purchase(3, 0, 'c', 25_000), occurredAt: '2025-01-01T00:00:00.000Z' },
      { ...purchase(4, 0, 'd', 25_000), occurredAt: '2026-01-01T00:00:00.000Z' },
      refund,
    ]);
    // Act
    const traits = computeTraits(profile, { now: new Date(NOW), lifespanYears: 3 });
    // Assess: net 900.00 / 4 = 225.00 average; 4 orders over 2 years = 2/yr; × 3 years.
    expect(traits.netRevenue).toEqual({ amountMinor: 90_000, currency: 'UAH' });
    expect(traits.averageOrderValue).toEqual({ amountMinor: 22_500, currency: 'UAH' });
    expect(traits.purchaseFrequency).toBeCloseTo(2, 2);
    expect(traits.lifetimeValue?.amountMinor).toBeGreaterThan(134_900);
    expect(traits.lifetimeValue?.amountMinor).toBeLessThan(135_100);
  });

  it('prefers the channel she writes in most, but never one she revoked', () => {
    const events = [message(1, 1, 'telegram'), message(2, 2, 'telegram'), message(3, 3, 'viber')];
    expect(preferredChannel(fold('c', events))).toBe('telegram');
    const revoked = fold('c', [...events, consent(4, 4, 'consent.revoked', 'telegram')]);
    expect(preferredChannel(revoked)).toBe('viber');
    const regranted = fold('c', [
      ...events,
      consent(4, 4, 'consent.revoked', 'telegram'),
      consent(5, 5, 'consent.granted', 'telegram'),
    ]);
    expect(preferredChannel(regranted)).toBe('telegram');
  });

  it('lets a stated preference win while consent allows it', () => {
    const stated: HubEvent = { ...base(7, 5, 'crm'), type: 'contact.updated', data: { preferredChannel: 'viber' } };
    const events = [message(1, 1, 'telegram'), message(2, 2, 'telegram'), stated];
    expect(preferredChannel(fold('c', events))).toBe('viber');
    expect(preferredChannel(fold('c', [...events, consent(8, 9, 'consent.revoked', 'viber')]))).toBe('telegram');
  });

  it('flags a cart abandoned only after the configured time without an order', () => {
    const cart: HubEvent = {
      ...base(1, 0, 'web'),
      occurredAt: '2026-11-22T10:00:00.000Z',
      type: 'cart.updated',
      data: { cartId: 'k', total: { amountMinor: 100, currency: 'UAH' }, items: [] },
    };
    const profile = fold('c', [cart]);
    expect(
      computeTraits(profile, { now: new Date('2026-11-22T20:00:00.000Z'), abandonedCartAfterHours: 24 }).abandonedCart,
    ).toBe(false);
    expect(
      computeTraits(profile, { now: new Date('2026-11-23T11:00:00.000Z'), abandonedCartAfterHours: 24 }).abandonedCart,
    ).toBe(true);
    const bought = fold('c', [cart, { ...purchase(2, 0, 'x', 100), occurredAt: '2026-11-22T12:00:00.000Z' }]);
    expect(computeTraits(bought, { now: new Date('2026-11-23T11:00:00.000Z') }).abandonedCart).toBe(false);
  });
});

describe('linking guard rails', () => {
  const policy = linkingPolicy(['phone:044 123 45 67', 'email:Family@Example.com'], 2, 'UA');

  it('never links on an ignored value, and says so', () => {
    const { linkable, warnings } = decideLinks(
      [
        { type: 'phone', value: '+380441234567' },
        { type: 'email', value: 'family@example.com' },
        { type: 'email', value: 'olena@example.com' },
      ],
      policy,
    );
    expect(linkable).toEqual([{ type: 'email', value: 'olena@example.com' }]);
    expect(warnings).toHaveLength(2);
  });

  it('caps identities of one type per profile and refuses merges beyond it', () => {
    const existing = [
      { type: 'phone' as const, value: '+380501111111' },
      { type: 'phone' as const, value: '+380502222222' },
    ];
    const { linkable, warnings } = withinCap(
      existing,
      [
        { type: 'phone', value: '+380503333333' },
        { type: 'email', value: 'a@b.co' },
      ],
      policy,
    );
    expect(linkable).toEqual([{ type: 'email', value: 'a@b.co' }]);
    expect(warnings[0]).toMatch(/more than 2 phone/);
    expect(mergeExceedsCap([existing, [{ type: 'phone', value: '+380503333333' }]], policy)).toBe('phone');
    expect(mergeExceedsCap([existing, [existing[0] as never]], policy)).toBeUndefined();
  });

  it('rejects a malformed ignore list with a clear error', () => {
    expect(() => linkingPolicy(['+380441234567'])).toThrow(/<type>:<value>/);
    expect(() => linkingPolicy(['phone:abc'])).toThrow(/"abc" is not a valid phone/);
  });
});
