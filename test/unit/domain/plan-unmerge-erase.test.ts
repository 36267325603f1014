import { describe, expect, it } from 'vitest';
import { identityKey } from '../../../functions/domain/identity.js';
import { planErase, planEraseRetry } from '../../../functions/domain/plan-erase.js';
import { planUnmerge, splitCustomerId, type UnmergeReads } from '../../../functions/domain/plan-unmerge.js';
import { toTimelineItem, type Profile } from '../../../functions/domain/profile.js';
import {
  fromOutboxItem,
  fromProfileItem,
  fromTimelineStored,
  keys,
  keyString,
  outboxKey,
  timelineItem,
  type Notification,
  type ProfileRecord,
  type StoredItem,
  type WritePlan,
} from '../../../functions/domain/store-model.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { ValidationError } from '../../../functions/shared/errors.js';
import { applyPlan, email, message, NOW, phone, storedProfile, worldOf, writesOf, type World } from './plan-world.js';

const P = phone('+380501119001');
const W = { type: 'whatsapp' as const, value: '380501119001' };
const E = email('anna@example.com');

/** One profile holding two people's data: a lead with phone and email, an email-only lead, a WhatsApp chat. */
const sharedPhone = () => {
  const events: HubEvent[] = [
    message(1, [P, E], '2026-11-01T10:00:00.000Z'),
    message(2, [E], '2026-11-02T10:00:00.000Z'),
    { ...message(3, [W, P], '2026-11-03T10:00:00.000Z'), channel: 'whatsapp' },
  ];
  const { profile, items } = storedProfile('cus_anna', events);
  const timeline = events.map((e) => timelineItem(toTimelineItem(e, 'cus_anna')));
  return { profile, world: worldOf(...items, ...timeline), events };
};

/** Runs planUnmerge to a plan, answering its reads from the world. */
const decideUnmerge = (profile: Profile, identityKeys: string[], world: World) => {
  const reads: { -readonly [K in keyof UnmergeReads]: UnmergeReads[K] } & {
    records: Map<string, ProfileRecord | null>;
    outbox: Map<string, Notification | null>;
  } = { profile, records: new Map(), outbox: new Map() };
  const entriesOf = (ids: string[]) =>
    [...world.values()]
      .filter((i) => ids.some((id) => i.pk === `C#${id}`) && i.sk.startsWith('T#'))
      .map((i) => ({ partition: i.pk.slice(2), entry: fromTimelineStored(i) }));
  for (let n = 0; n < 20; n++) {
    const d = planUnmerge(identityKeys, reads, NOW);
    if (d.kind === 'plan') return d.plan;
    for (const id of d.request.records ?? []) {
      const item = world.get(keyString(keys.profile(id)));
      reads.records.set(id, item ? fromProfileItem(item) : null);
    }
    if (d.request.timeline) reads.timeline = entriesOf([profile.customerId, ...profile.mergedIds]);
    if (d.request.splitTimeline) reads.splitTimeline = entriesOf([splitCustomerId(profile.customerId, identityKeys)]);
    for (const k of d.request.outbox ?? []) {
      const item = world.get(keyString(k));
      reads.outbox.set(k.sk, item ? fromOutboxItem(item) : null);
    }
  }
  throw new Error('planUnmerge kept asking for reads');
};

const liveIn = (world: World, id: string): Profile => {
  const item = world.get(keyString(keys.profile(id)));
  const record = item && fromProfileItem(item);
  if (record?.kind !== 'live') throw new Error(`${id} is not live`);
  return record.profile;
};

describe('planUnmerge', () => {
  it('moves the events only the split identities brought, recomputes both sides, and writes customer.unmerged with the split', () => {
    // Prepare
    const { profile, world } = sharedPhone();
    const split = [identityKey(P), identityKey(W)];

    // Act
    const plan = decideUnmerge(profile, split, world);
    const after = applyPlan(world, plan);

    // Assess
    const splitId = splitCustomerId('cus_anna', split);
    expect(plan.steps.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'bulk:split',
      'transaction:unmerge',
      'write:relink-0',
      'write:relink-1',
      'bulk:tidy',
      // The phone went with the split: its card names the split profile (the kept side has no phone left).
      'write:card-split-0',
    ]);
    const commit = plan.steps[1];
    expect(commit?.kind === 'transaction' && commit.writes[0]?.condition).toEqual({
      kind: 'equals',
      attribute: 'version',
      value: profile.version,
    });
    expect(plan.notifications.map((n) => n.entry.detailType)).toEqual(['customer.unmerged']);
    expect(after.has(keyString(outboxKey(plan.notifications[0] as Notification)))).toBe(true);
    const kept = liveIn(after, 'cus_anna');
    const moved = liveIn(after, splitId);
    expect(kept.eventCount).toBe(2);
    expect(moved.eventCount).toBe(1);
    expect(Object.keys(moved.channels)).toEqual(['whatsapp']);
    expect(kept.channels).not.toHaveProperty('whatsapp');
    expect(kept.identities.map(identityKey)).toEqual([identityKey(E)]);
    // The moved entry lives only in the split's partition now.
    const entries = [...after.values()].filter((i) => i.sk.startsWith('T#')).map((i) => i.pk);
    expect(entries.sort()).toEqual(['C#cus_anna', 'C#cus_anna', `C#${splitId}`].sort());
    expect(after.get(keyString(keys.identity(P)))?.customerId).toBe(splitId);
  });

  it('a retry after the split committed finishes the tidy-up and hands back the notification still in the outbox', () => {
    // Prepare: the split committed (steps 1–2), then the caller died.
    const { profile, world } = sharedPhone();
    const split = [identityKey(P), identityKey(W)];
    const plan = decideUnmerge(profile, split, world);
    const committed = applyPlan(world, { ...plan, steps: plan.steps.slice(0, 2) });

    // Act
    const retry = decideUnmerge(liveIn(committed, 'cus_anna'), split, committed);
    const after = applyPlan(committed, retry);

    // Assess
    expect(retry.outcome.split.customerId).toBe(splitCustomerId('cus_anna', split));
    expect(retry.notifications).toEqual(plan.notifications);
    expect(after.get(keyString(keys.identity(W)))?.customerId).toBe(retry.outcome.split.customerId);
    expect([...after.values()].filter((i) => i.pk === 'C#cus_anna' && i.sk.startsWith('T#'))).toHaveLength(2);
  });

  it('refuses identities that are not the profile’s, and splitting off none or all of them', () => {
    const { profile, world } = sharedPhone();
    expect(() => decideUnmerge(profile, ['phone:+380509999999'], world)).toThrow(ValidationError);
    expect(() => decideUnmerge(profile, profile.identities.map(identityKey), world)).toThrow(ValidationError);
  });
});

describe('planErase', () => {
  const erase = (extraLinks: Record<string, string> = {}) => {
    const { profile, world, events } = sharedPhone();
    const items = [...world.values()].filter((i) => i.pk === 'C#cus_anna');
    const links = new Map<string, string>([
      ...profile.identities.map((i) => [identityKey(i), 'cus_anna'] as [string, string]),
      ...Object.entries(extraLinks),
    ]);
    return { profile, world, events, plan: planErase(profile, items, links, { now: NOW }) };
  };

  it('deletes her links, timeline and log, then writes the marker and customer.erased in one transaction', () => {
    // Act
    const { profile, world, plan, events } = erase();
    const after = applyPlan(world, plan);

    // Assess
    // The marker's transaction, then her caller cards once more (a late writer's card).
    expect(plan.steps.filter((s) => s.name.startsWith('uncard')).map((s) => s.name)).toEqual([
      'uncard-0',
      'uncard-again-0',
    ]);
    const last = plan.steps.filter((s) => !s.name.startsWith('uncard')).at(-1);
    expect(last?.kind).toBe('transaction');
    expect(last?.kind === 'transaction' && last.writes[0]?.condition).toEqual({
      kind: 'equals',
      attribute: 'version',
      value: profile.version,
    });
    expect(plan.notifications.map((n) => n.entry.detailType)).toEqual(['customer.erased']);
    const marker = after.get(keyString(keys.profile('cus_anna'))) as StoredItem;
    expect(marker.erasedAt).toBe(NOW);
    expect(marker.outbox).toEqual([outboxKey(plan.notifications[0] as Notification).sk]);
    const left = JSON.stringify([...after.values()].filter((i) => !i.pk.startsWith('X#')));
    for (const secret of ['anna@example.com', '380501119001', 'hi']) expect(left).not.toContain(secret);
    expect([...plan.outcome.subject.eventIds].sort()).toEqual(events.map((e) => e.id).sort());
    // Link deletes are conditional: a value that meanwhile belongs to someone else stays theirs.
    const unlink = plan.steps.find((s) => s.name === 'unlink-0');
    expect(unlink?.kind === 'write' && unlink.write.condition).toEqual({
      kind: 'oneOf',
      attribute: 'customerId',
      values: ['cus_anna'],
    });
  });

  it('a retry of a committed erasure deletes what a racing writer left and returns the pending notification', () => {
    // Prepare
    const { world, plan } = erase();
    const after = applyPlan(world, plan);
    const marker = fromProfileItem(after.get(keyString(keys.profile('cus_anna'))) as StoredItem);
    if (marker.kind !== 'erased') throw new Error('not erased');
    const orphan = timelineItem(toTimelineItem(message(9, [E]), 'cus_anna'), { pv: 3 });

    // Act
    const retry: WritePlan<unknown> = planEraseRetry(marker, [orphan], plan.notifications);

    // Assess
    expect(writesOf(retry)).toEqual([expect.objectContaining({ op: 'delete', key: { pk: orphan.pk, sk: orphan.sk } })]);
    expect(retry.notifications).toEqual(plan.notifications);
  });
});
