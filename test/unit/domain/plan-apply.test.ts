import { describe, expect, it } from 'vitest';
import { linkingPolicy } from '../../../functions/domain/linking.js';
import { newCustomerId } from '../../../functions/domain/plan-apply.js';
import {
  fromProfileItem,
  keys,
  outboxItem,
  outboxKey,
  timelineItem,
  tombstoneItem,
  toProfileItem,
  type StoredItem,
} from '../../../functions/domain/store-model.js';
import { toTimelineItem } from '../../../functions/domain/profile.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import {
  applyPlan,
  ctxOf,
  decideApply,
  email,
  message,
  order,
  phone,
  profileIn,
  putsOf,
  storedProfile,
  worldOf,
  writesOf,
} from './plan-world.js';

const live = (item: StoredItem | undefined) => {
  const record = item ? fromProfileItem(item) : undefined;
  if (record?.kind !== 'live') throw new Error('not a live profile');
  return record.profile;
};

describe('planApply: a new customer', () => {
  it('creates the profile, its links and the timeline entry in one transaction, all conditional on absence', () => {
    // Prepare
    const event = message(1, [phone('+380501110001'), email('a@example.com')]);

    // Act
    const { plan, requests } = decideApply(event, worldOf());

    // Assess
    expect(requests[0]).toBe('links');
    const customerId = newCustomerId(event.id);
    expect(plan.outcome).toEqual({ status: 'applied', customerId });
    // The transaction, then the caller card of her phone (outside it: 1 WCU, not 2).
    expect(plan.steps.map((s) => `${s.kind}:${s.name}`)).toEqual(['transaction:commit', 'write:card-0']);
    const writes = writesOf(plan).filter((w) => w.step === 'commit');
    expect(writes.map((w) => (w.op === 'put' ? w.item.pk : w.key.pk))).toEqual([
      `C#${customerId}`,
      `C#${customerId}`,
      'I#phone#+380501110001',
      'I#email#a@example.com',
      `C#${customerId}`,
      expect.stringMatching(/^X#\d$/),
    ]);
    expect(writes.slice(0, 4).every((w) => w.condition?.kind === 'absent')).toBe(true);
    const profile = live(putsOf(plan).find((w) => w.item.sk === 'P')?.item);
    expect(profile.eventCount).toBe(1);
    expect(profile.identities.map((i) => i.type).sort()).toEqual(['email', 'phone']);
    // customer.created in the outbox, in the same transaction, listed on the timeline entry for redeliveries.
    expect(plan.notifications.map((n) => n.entry.detailType)).toEqual(['customer.created']);
    const created = plan.notifications[0];
    expect(putsOf(plan).find((w) => w.item.pk.startsWith('X#'))?.item).toEqual(outboxItem(created as never));
    expect(created?.entry.detail).toEqual(
      expect.objectContaining({ customerId, causedBy: event.id, changed: ['identities', 'preferredChannel'] }),
    );
    const entry = writes.find((w) => w.op === 'put' && w.item.sk.startsWith('T#'));
    expect(entry?.op === 'put' && entry.item.outbox).toEqual([outboxKey(created as never).sk]);
  });

  it('picks the same customer id when the first event is retried (derived from the event id)', () => {
    const event = message(2, [phone('+380501110002')]);
    expect(decideApply(event, worldOf()).plan.outcome.customerId).toBe(
      decideApply(event, worldOf()).plan.outcome.customerId,
    );
  });
});

describe('planApply: a returning customer', () => {
  it('writes the timeline entry (the dedupe record) and then the profile, without a transaction', () => {
    // Prepare
    const first = message(1, [phone('+380501110003')]);
    const { profile, items } = storedProfile('cus_a', [first]);
    const world = worldOf(...items);

    // Act
    const { plan } = decideApply(message(2, [phone('+380501110003')], '2026-11-02T10:00:00.000Z'), world);

    // Assess
    expect(plan.outcome).toEqual({ status: 'applied', customerId: 'cus_a' });
    // A day later the card's last interaction moved: its caller card is written too.
    expect(plan.steps.map((s) => `${s.kind}:${s.name}`)).toEqual(['write:timeline', 'write:profile', 'write:card-0']);
    const [entry, profileWrite] = putsOf(plan);
    expect(entry?.condition).toEqual({ kind: 'absent' });
    expect(entry?.item.pv).toBe(profile.version);
    expect(profileWrite?.condition).toEqual({ kind: 'equals', attribute: 'version', value: profile.version });
    const next = live(profileWrite?.item);
    expect(next.eventCount).toBe(2);
    expect(next.version).toBe(profile.version + 1);
  });

  it('repairs an entry whose profile update a crash cut short: applies it once, with the profile write only', () => {
    // Prepare: the entry was written, the writer died before the profile update.
    const { items } = storedProfile('cus_r', [message(1, [phone('+380501110005')])]);
    const second = message(2, [phone('+380501110005')], '2026-11-02T10:00:00.000Z');
    const world = worldOf(...items);
    const crashed = applyPlan(world, {
      ...decideApply(second, world).plan,
      steps: decideApply(second, world).plan.steps.slice(0, 1),
    });

    // Act: the redelivery finds the entry (its conditional put fails and returns it).
    const { plan } = decideApply(second, crashed, ctxOf({ probeOwn: true }));
    const repaired = applyPlan(crashed, plan);
    const again = decideApply(second, repaired, ctxOf({ probeOwn: true })).plan;

    // Assess
    expect(plan.steps.map((s) => s.name)).toEqual(['profile', 'card-0']);
    const after = profileIn(repaired, 'cus_r');
    expect(after?.kind === 'live' && after.profile.eventCount).toBe(2);
    expect(again.outcome.status).toBe('duplicate');
  });

  it('repairs a cut-short entry of a profile merged away since on the survivor, re-planning the entry with it', () => {
    // Prepare: the entry of event 2 was planned against cus_b at its version; cus_b was then merged into cus_a.
    const a = storedProfile('cus_a', [message(1, [phone('+380501110006')])], '2026-01-01T00:00:00.000Z');
    const b = storedProfile('cus_b', [message(3, [email('m@example.com')])], '2026-02-01T00:00:00.000Z');
    const second = message(2, [email('m@example.com')], '2026-11-02T10:00:00.000Z');
    const world = worldOf(
      toProfileItem({ ...a.profile, mergedIds: ['cus_b'] }),
      ...a.items.slice(1),
      ...b.items.slice(1),
      tombstoneItem(b.profile, 'cus_a', '2026-03-01T00:00:00.000Z', 'merge-event'),
      timelineItem(toTimelineItem(second, 'cus_b'), { pv: b.profile.version }),
    );

    // Act
    const { plan } = decideApply(second, world);

    // Assess
    // The link still naming the merged profile is repointed after the repair.
    expect(plan.steps.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'transaction:repair',
      'write:card-0',
      'write:repoint-0',
    ]);
    const [profileWrite, entry] = putsOf(plan);
    expect(profileWrite?.item.pk).toBe('C#cus_a');
    expect(entry?.item).toEqual(expect.objectContaining({ pk: 'C#cus_b', appliedTo: 'cus_a', pv: a.profile.version }));
    expect(entry?.condition).toEqual({ kind: 'equals', attribute: 'pv', value: b.profile.version });
  });

  it('deletes an entry written into a profile erased since, and applies nothing', () => {
    const second = message(2, [phone('+380501110007')]);
    const world = worldOf(
      { ...keys.profile('cus_e'), erasedAt: '2026-11-10T00:00:00.000Z' },
      timelineItem(toTimelineItem(second, 'cus_e'), { pv: 1 }),
    );
    // The writer that put the entry there retries: its identities lead nowhere now, but it looks where it wrote.
    const { plan } = decideApply(second, world, ctxOf({ probeOwn: true }), undefined, ['cus_e']);
    expect(plan.outcome.status).toBe('ignored');
    expect(writesOf(plan)).toEqual([
      expect.objectContaining({ op: 'delete', key: keys.timeline('cus_e', second.occurredAt, second.id) }),
    ]);
  });

  it('recognises a redelivery by the event’s timeline entry and writes nothing', () => {
    // Prepare
    const event = message(1, [phone('+380501110004')]);
    const world = applyPlan(worldOf(), decideApply(event, worldOf()).plan);

    // Act: the retry after a conflict probes the target's own partition.
    const { plan } = decideApply(event, world, ctxOf({ probeOwn: true }));

    // Assess
    expect(plan.outcome).toEqual({ status: 'duplicate', customerId: newCustomerId(event.id) });
    expect(plan.steps).toEqual([]);
  });
});

describe('planApply: merges', () => {
  const olena = () => {
    const a = storedProfile('cus_old', [message(1, [phone('+380501110010')])], '2026-01-01T00:00:00.000Z');
    const b = storedProfile('cus_new', [message(2, [email('olena@example.com')])], '2026-02-01T00:00:00.000Z');
    return { a, b, world: worldOf(...a.items, ...b.items) };
  };

  it('keeps the oldest profile, tombstones the other and puts customer.merged in the outbox in the same transaction', () => {
    // Prepare
    const { a, b, world } = olena();
    const linking = message(3, [phone('+380501110010'), email('olena@example.com')], '2026-11-03T10:00:00.000Z');

    // Act
    const { plan } = decideApply(linking, world);

    // Assess
    expect(plan.outcome).toEqual({ status: 'applied', customerId: 'cus_old' });
    const [commit, ...after] = plan.steps;
    expect(commit?.kind).toBe('transaction');
    // The survivor's card under both phones, then the repoints.
    const cards = after.filter((s) => s.name.startsWith('card-'));
    expect(cards.map((s) => s.kind === 'write' && s.write.op === 'put' && s.write.item.customerId)).toEqual(
      cards.map(() => 'cus_old'),
    );
    const repoints = after.filter((s) => !s.name.startsWith('card-'));
    const writes = commit?.kind === 'transaction' ? commit.writes : [];
    const tombstone = writes.find((w) => w.op === 'put' && w.item.pk === 'C#cus_new');
    expect(tombstone?.op === 'put' && tombstone.item.mergedInto).toBe('cus_old');
    expect(tombstone?.condition).toEqual({ kind: 'equals', attribute: 'version', value: b.profile.version });
    const survivor = live(putsOf(plan).find((w) => w.item.pk === 'C#cus_old' && w.item.sk === 'P')?.item);
    expect(survivor.mergedIds).toEqual(['cus_new']);
    expect(survivor.eventCount).toBe(3);
    // The merge, then what the survivor gained (the other profile's email), both in the same transaction.
    expect(plan.notifications.map((n) => n.entry.detailType)).toEqual(['customer.merged', 'customer.updated']);
    const notification = plan.notifications[0];
    expect(notification?.entry.detail).toEqual(
      expect.objectContaining({ customerId: 'cus_old', relatedIds: ['cus_new'], causedBy: linking.id }),
    );
    expect(plan.notifications[1]?.entry.detail).toEqual(
      expect.objectContaining({
        customerId: 'cus_old',
        changed: ['identities'],
        changes: { identities: [expect.objectContaining({ type: 'email', value: 'olena@example.com' })] },
      }),
    );
    for (const n of plan.notifications) expect(writes).toContainEqual({ op: 'put', item: outboxItem(n) });
    const entry = writes.find((w) => w.op === 'put' && w.item.sk.startsWith('T#'));
    expect(entry?.op === 'put' && entry.item.outbox).toEqual(plan.notifications.map((n) => outboxKey(n).sk));
    // Links of the merged profile are repointed afterwards, each only while it still names it.
    expect(repoints).toEqual([
      expect.objectContaining({
        kind: 'write',
        onFail: 'skip',
        write: expect.objectContaining({ condition: { kind: 'oneOf', attribute: 'customerId', values: ['cus_new'] } }),
      }),
    ]);
    expect(a.profile.customerId).toBe('cus_old');
  });

  it('refuses a merge that would exceed the identity cap, with a warning, and links nothing of the other profile', () => {
    // Prepare: the cap is 1 phone per profile.
    const a = storedProfile('cus_a', [message(1, [phone('+380501110020')])], '2026-01-01T00:00:00.000Z');
    const b = storedProfile('cus_b', [message(2, [phone('+380501110021')])], '2026-02-01T00:00:00.000Z');
    const event = message(3, [phone('+380501110020'), phone('+380501110021')]);

    // Act
    const { plan } = decideApply(event, worldOf(...a.items, ...b.items), ctxOf(), linkingPolicy([], 1));

    // Assess
    expect(plan.outcome.customerId).toBe('cus_a');
    expect(plan.notifications).toEqual([]);
    const profile = live(putsOf(plan).find((w) => w.item.pk === 'C#cus_a' && w.item.sk === 'P')?.item);
    expect(profile.warnings.join(' ')).toMatch(/merge with cus_b refused/);
    expect(profile.identities.map((i) => i.value)).toEqual(['+380501110020']);
    expect(writesOf(plan).some((w) => w.op === 'put' && w.item.pk === 'C#cus_b')).toBe(false);
  });

  it('follows a link that still names a merged profile to the survivor, and repoints it', () => {
    // Prepare: cus_b was merged into cus_a, but its link was never repointed (a crash).
    const a = storedProfile('cus_a', [message(1, [phone('+380501110030')])]);
    const b = storedProfile('cus_b', [message(2, [email('b@example.com')])]);
    const world = worldOf(...a.items, ...b.items, tombstoneItem(b.profile, 'cus_a', '2026-03-01T00:00:00.000Z', 'x'));

    // Act
    const { plan } = decideApply(message(3, [email('b@example.com')], '2026-11-04T10:00:00.000Z'), world);

    // Assess
    expect(plan.outcome.customerId).toBe('cus_a');
    const repoint = plan.steps.find((s) => s.name.startsWith('repoint'));
    expect(repoint?.kind === 'write' && repoint.write).toEqual(
      expect.objectContaining({ condition: { kind: 'oneOf', attribute: 'customerId', values: ['cus_b'] } }),
    );
  });
});

describe('planApply: orders', () => {
  it('counts an order once: a second event of the same order is applied without revenue and without a marker', () => {
    // Prepare
    const placed = order(1, [email('buyer@example.com')], 'o-1', 5000);
    let world = applyPlan(worldOf(), decideApply(placed, worldOf()).plan);

    // Act
    const paid = { ...order(2, [email('buyer@example.com')], 'o-1', 5000), type: 'order.paid' } as HubEvent;
    const { plan, requests } = decideApply(paid, world);
    world = applyPlan(world, plan);

    // Assess
    expect(requests).toContain('order');
    expect(writesOf(plan).some((w) => w.op === 'put' && w.item.pk.startsWith('O#'))).toBe(false);
    const profile = profileIn(world, newCustomerId(placed.id));
    expect(profile?.kind === 'live' && profile.profile.orders).toEqual(
      expect.objectContaining({ count: 1, revenue: { UAH: 5000 } }),
    );
  });

  it('marks a new order in the same transaction, conditional on absence', () => {
    const { plan } = decideApply(order(3, [email('new@example.com')], 'o-3'), worldOf());
    const marker = writesOf(plan).find((w) => w.op === 'put' && w.item.pk === keys.order('test:o-3').pk);
    expect(marker?.condition).toEqual({ kind: 'absent' });
  });
});

describe('planApply: redeliveries of merges', () => {
  it('hands back a merge notification a crash kept in the outbox, and nothing once it was published', () => {
    // Prepare: the merge committed, then the writer died before publishing.
    const a = storedProfile('cus_a', [message(1, [phone('+380501110040')])], '2026-01-01T00:00:00.000Z');
    const b = storedProfile('cus_b', [message(2, [email('c@example.com')])], '2026-02-01T00:00:00.000Z');
    const event = message(3, [phone('+380501110040'), email('c@example.com')]);
    const merged = decideApply(event, worldOf(...a.items, ...b.items)).plan;
    const world = applyPlan(worldOf(...a.items, ...b.items), merged);

    // Act
    const again = decideApply(event, world, ctxOf({ probeOwn: true })).plan;
    const published = new Map(world);
    for (const n of merged.notifications) published.delete(`${outboxKey(n).pk}\u0000${outboxKey(n).sk}`);
    const afterPublish = decideApply(event, published, ctxOf({ probeOwn: true })).plan;

    // Assess
    expect(again.outcome.status).toBe('duplicate');
    expect(again.notifications).toEqual(merged.notifications);
    expect(afterPublish.notifications).toEqual([]);
  });

  it('finds the entry of an event applied to a profile before it was merged away (no second copy)', () => {
    // Prepare: event 2 was applied to cus_b; cus_b was then merged into cus_a.
    const second = message(2, [email('d@example.com')]);
    const a = storedProfile('cus_a', [message(1, [phone('+380501110050')])], '2026-01-01T00:00:00.000Z');
    const b = storedProfile('cus_b', [second], '2026-02-01T00:00:00.000Z');
    const world = worldOf(
      ...a.items,
      toProfileItem({ ...a.profile, mergedIds: ['cus_b'] }),
      ...b.items.slice(1),
      tombstoneItem(b.profile, 'cus_a', '2026-03-01T00:00:00.000Z', 'x'),
      timelineItem(toTimelineItem(second, 'cus_b')),
    );

    // Act: the redelivery resolves to the survivor; the entry is in the merged partition.
    const { plan, requests } = decideApply(second, world);

    // Assess
    expect(requests).toContain('probes');
    expect(plan.outcome).toEqual({ status: 'duplicate', customerId: 'cus_a' });
  });
});
