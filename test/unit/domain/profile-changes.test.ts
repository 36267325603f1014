import { describe, expect, it } from 'vitest';
import { changeNotifications, crossedThresholds, profileChanges } from '../../../functions/domain/profile-changes.js';
import { applyEvent, emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import { parseCustomerEvent } from '../../../functions/events/customer-events.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { decideApply, message, NOW, phone, storedProfile, worldOf, ctxOf, writesOf } from './plan-world.js';

const uah = (amountMinor: number) => ({ amountMinor, currency: 'UAH' });

const withEvent = (profile: Profile, event: HubEvent): Profile => applyEvent(profile, event, NOW);

const base = (): Profile =>
  withEvent(emptyProfile('cus_1', '2026-11-01T10:00:00.000Z', NOW), message(1, [phone('+380501112201')]));

describe('profileChanges: what other systems keep of a customer', () => {
  it('a returning message in the channel she always writes in changes nothing', () => {
    const before = base();
    const after = withEvent(before, message(2, [phone('+380501112201')], '2026-11-02T10:00:00.000Z'));
    expect(after.eventCount).toBe(2);
    expect(profileChanges(before, after)).toBeUndefined();
  });

  it('names a trait with its new value, and not one set again to the same value', () => {
    const before = { ...base(), traits: { name: 'Olena', city: 'Kyiv' } };
    const after = { ...before, traits: { name: 'Olena', city: 'Lviv' } };
    expect(profileChanges(before, after)).toEqual({ changed: ['traits'], changes: { traits: { city: 'Lviv' } } });
  });

  it('names identities newly linked, and consent whose status changed (not a second grant)', () => {
    const before = base();
    const granted = withEvent(before, {
      ...message(3, [phone('+380501112201'), { type: 'email', value: 'olena@example.com' }]),
      type: 'consent.granted',
      channel: 'email',
      data: { channel: 'email', purpose: 'marketing' },
    } as HubEvent);
    const diff = profileChanges(before, granted);
    expect(diff?.changed).toEqual(['identities', 'consent']);
    expect(diff?.changes.identities).toEqual([{ type: 'email', value: 'olena@example.com' }]);
    expect(diff?.changes.consent).toEqual({ email: { status: 'granted', at: '2026-11-01T10:00:00.000Z' } });
    const again = withEvent(granted, {
      ...message(4, [phone('+380501112201')], '2026-11-05T10:00:00.000Z'),
      type: 'consent.granted',
      channel: 'email',
      data: { channel: 'email', purpose: 'marketing' },
    } as HubEvent);
    expect(profileChanges(granted, again)).toBeUndefined();
  });

  it('names the preferred channel when a revocation moves it', () => {
    const before = base();
    const revoked = withEvent(before, {
      ...message(5, [phone('+380501112201')], '2026-11-06T10:00:00.000Z'),
      type: 'consent.revoked',
      data: { channel: 'telegram', purpose: 'all' },
    } as HubEvent);
    expect(profileChanges(before, revoked)?.changes).toEqual({
      consent: { telegram: { status: 'revoked', at: '2026-11-06T10:00:00.000Z' } },
      preferredChannel: { from: 'telegram', to: null },
    });
  });

  it('a new profile is all change (customer.created), even with nothing but its identities', () => {
    const after = base();
    expect(profileChanges(undefined, after)?.changed).toEqual(['identities', 'preferredChannel']);
  });
});

describe('crossedThresholds: lifetime value', () => {
  const thresholds = [uah(100_000), uah(500_000), { amountMinor: 10_000, currency: 'EUR' }];

  it('crossing up names each threshold passed, lowest first; reaching it exactly counts', () => {
    expect(crossedThresholds(uah(50_000), uah(500_000), thresholds)).toEqual([
      { threshold: uah(100_000), direction: 'up' },
      { threshold: uah(500_000), direction: 'up' },
    ]);
  });

  it('crossing down (a refund) counts too; moving between thresholds does not', () => {
    expect(crossedThresholds(uah(120_000), uah(90_000), thresholds)).toEqual([
      { threshold: uah(100_000), direction: 'down' },
    ]);
    expect(crossedThresholds(uah(120_000), uah(400_000), thresholds)).toEqual([]);
  });

  it('the first value crosses from nothing; thresholds of other currencies never cross', () => {
    expect(crossedThresholds(undefined, uah(100_000), thresholds)).toEqual([
      { threshold: uah(100_000), direction: 'up' },
    ]);
    expect(crossedThresholds(undefined, uah(99_999), thresholds)).toEqual([]);
  });

  it('profileChanges reports lifetimeValue only when a configured threshold is crossed', () => {
    const buy = (n: number, amount: number, at: string): HubEvent =>
      ({
        ...message(n, [phone('+380501112201')], at),
        type: 'order.placed',
        channel: 'ecommerce',
        data: { orderId: `o-${n}`, total: uah(amount), items: [] },
      }) as HubEvent;
    const one = applyEvent(base(), buy(10, 20_000, '2026-11-02T10:00:00.000Z'), NOW, { newOrder: true });
    const two = applyEvent(one, buy(11, 20_000, '2026-11-03T10:00:00.000Z'), NOW, { newOrder: true });
    // Lifetime value = aov × orders per year × 3 years: 20 000 × 1 × 3 = 60 000, then 20 000 × 2 × 3 = 120 000.
    const options = { lifetimeValueThresholds: [uah(100_000)] };
    expect(profileChanges(base(), one, options)).toBeUndefined();
    expect(profileChanges(one, two, options)).toEqual({
      changed: ['lifetimeValue'],
      changes: {
        lifetimeValue: {
          value: uah(120_000),
          previous: uah(60_000),
          crossed: [{ threshold: uah(100_000), direction: 'up' }],
        },
      },
    });
    expect(profileChanges(one, two)).toBeUndefined();
  });
});

describe('changeNotifications: the outbox entry', () => {
  it('is on the contract, with an id derived from the customer and the event', () => {
    const before = base();
    const after = { ...before, traits: { name: 'Olena' } };
    const [first] = changeNotifications(before, after, 'evt_x', NOW);
    const [again] = changeNotifications(before, after, 'evt_x', '2026-11-23T12:00:05.000Z');
    const event = parseCustomerEvent(first?.entry.detail);
    expect(event).toEqual(
      expect.objectContaining({
        type: 'customer.updated',
        customerId: 'cus_1',
        causedBy: 'evt_x',
        changed: ['traits'],
      }),
    );
    expect(again?.id).toBe(first?.id);
    expect(changeNotifications(before, before, 'evt_y', NOW)).toEqual([]);
  });

  it('planApply moves a returning customer whose traits change into one transaction with customer.updated', () => {
    const { items } = storedProfile('cus_a', [message(1, [phone('+380501112209')])]);
    const named = {
      ...message(2, [phone('+380501112209')]),
      customer: { identities: [phone('+380501112209')], traits: { name: 'Olena' } },
    } as HubEvent;
    const { plan } = decideApply(named, worldOf(...items), ctxOf());
    // The profile, timeline and outbox entry commit together; the caller card (its name changed) follows on its own.
    expect(plan.steps.map((s) => s.kind)).toEqual(['transaction', 'write']);
    const card = plan.steps[1];
    expect(card?.kind === 'write' && card.write.op === 'put' ? card.write.item.pk : undefined).toBe('K#+380501112209');
    expect(plan.notifications.map((n) => n.entry.detailType)).toEqual(['customer.updated']);
    expect(writesOf(plan).filter((w) => w.op === 'put' && w.item.pk.startsWith('X#'))).toHaveLength(1);
  });
});
