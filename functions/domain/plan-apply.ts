/**
 * Applying one hub event to the customer view, as a pure rule: given what the
 * store read (identity links, profile records, the event's timeline entry
 * where it may already be), `planApply` either asks for more reads or returns
 * the plan — items, conditions, outbox entries. It decides which profile the
 * event belongs to (the oldest of those its identities reach survives a
 * merge), refuses a merge that would break the identity cap, which
 * identities the profile may link, whether an order is new, and whether the
 * event was applied before (a redelivery).
 *
 * Every decision taken from a read is re-checked by a condition of the plan,
 * so a stale read only makes the plan fail as a conflict, after which the
 * store reads again (strongly) and asks again.
 */
import { cardPhones, cardSteps, staleCardSteps, type StoredCard } from './caller-card.js';
import { customerEvent } from '../events/customer-events.js';
import type { HubEvent, Identity } from '../events/hub-event.js';
import { identityKey } from './identity.js';
import { heldSubjectOf, isHeld, latestHold, type HoldKeys, type HoldsFound } from './erasure.js';
import { decideLinks, mergeExceedsCap, withinCap, type LinkingPolicy } from './linking.js';
import { changeNotifications, type ChangeOptions } from './profile-changes.js';
import {
  applyEvent,
  combineProfiles,
  emptyProfile,
  isReceipt,
  orderKey,
  ORDER_TYPES,
  toTimelineItem,
  withWarnings,
  type Profile,
} from './profile.js';
import {
  absent,
  appliedState,
  keys,
  newCustomerId,
  notificationOf,
  outboxItem,
  outboxKey,
  outboxKeyOfSk,
  ownedBy,
  put,
  recordWrite,
  remove,
  timelineItem,
  toProfileItem as toProfileItemOf,
  tombstoneItem,
  versionIs,
  type ItemKey,
  type Notification,
  type ProfileRecord,
  type Step,
  type StoredTimeline,
  type Write,
  type WritePlan,
} from './store-model.js';

export { newCustomerId } from './store-model.js';

/** What the store has read so far for one event. */
export interface ApplyReads {
  /** identityKey → the customer id the link names, for the linkable identities that are linked; undefined: not read yet. */
  readonly links?: ReadonlyMap<string, string>;
  /** `P` records by customer id; `null`: no item. */
  readonly records: ReadonlyMap<string, ProfileRecord | null>;
  /** This event's timeline entry in a customer's partition; `null`: not there. */
  readonly probes: ReadonlyMap<string, StoredTimeline | null>;
  /** Whether this event's order was counted already; undefined: not read yet. */
  readonly orderCounted?: boolean;
  /** Outbox items by `sk`; `null`: published already. */
  readonly outbox: ReadonlyMap<string, Notification | null>;
  /** The erasure holds found among `ApplyContext.holdKeys`; undefined: not read yet. */
  readonly holds?: HoldsFound;
  /** Caller cards by phone (a redelivery checks them); `null`: no card; undefined: not read yet. */
  readonly cards?: ReadonlyMap<string, StoredCard | null>;
}

export const emptyReads = (): ApplyReads => ({ records: new Map(), probes: new Map(), outbox: new Map() });

/** Reads the rule needs before it can decide. */
export interface ReadRequest {
  readonly links?: readonly Identity[];
  readonly records?: readonly string[];
  /** Customer ids whose partition may hold this event's timeline entry. */
  readonly probes?: readonly string[];
  readonly order?: string;
  readonly outbox?: readonly ItemKey[];
  /** The erasure holds of the event (`ApplyContext.holdKeys`), read strongly. */
  readonly holds?: true;
  /** The caller cards of these phones. */
  readonly cards?: readonly string[];
  /** The reads so far may be stale in a way no condition would catch: read everything again, strongly. */
  readonly consistent?: true;
}

export interface ApplyResult {
  readonly status: 'applied' | 'duplicate' | 'ignored';
  /** The profile the event is in (absent when ignored). */
  readonly customerId?: string;
  /** Why an event was ignored. */
  readonly reason?: string;
}

export type ApplyDecision =
  | { readonly kind: 'read'; readonly request: ReadRequest }
  | { readonly kind: 'plan'; readonly plan: WritePlan<ApplyResult> };

export interface ApplyContext {
  /** ISO time of the write. */
  readonly now: string;
  readonly policy: LinkingPolicy;
  /** The reads were strongly consistent. */
  readonly consistent: boolean;
  /**
   * Look for the event's entry in the target's own partition too. The first
   * attempt leaves it to the entry's `attribute_not_exists` condition; after
   * a conflict the store probes it.
   */
  readonly probeOwn: boolean;
  /** The event's erasure hold keys; absent when no erasure ever happened (no holds can exist). */
  readonly holdKeys?: HoldKeys;
  /** What counts as a change worth `customer.updated` (lifetime value thresholds). @default no thresholds */
  readonly changes?: ChangeOptions;
}

/** Why an event was ignored: it was an erased person's. */
export const ERASED = 'the customer was erased';
/** Why an event was ignored: a receipt (delivered, read, failed) for someone the hub never knew. */
export const UNKNOWN_RECEIPT = 'a receipt for a customer the hub does not know';

const read = (request: ReadRequest): ApplyDecision => ({ kind: 'read', request });
const done = (plan: WritePlan<ApplyResult>): ApplyDecision => ({ kind: 'plan', plan });

const MAX_HOPS = 20;

type Resolution =
  | { readonly kind: 'need'; readonly id: string }
  | { readonly kind: 'live'; readonly profile: Profile }
  /** The link names no profile (erased, or a stale read of one being created). */
  | { readonly kind: 'gone'; readonly record: ProfileRecord | null };

/** Follows merge tombstones from `id` to the live profile. */
const resolveRecord = (id: string, records: ReadonlyMap<string, ProfileRecord | null>): Resolution => {
  let current = id;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const record = records.get(current);
    if (record === undefined) return { kind: 'need', id: current };
    if (record === null || record.kind === 'erased') return { kind: 'gone', record };
    if (record.kind === 'live') return { kind: 'live', profile: record.profile };
    current = record.mergedInto;
  }
  throw new Error(`Merge chain from ${id} is longer than ${MAX_HOPS} hops`);
};

/** Identity links that name a merged profile, pointed at the survivor (idempotent; only while they still name it). */
const repointSteps = (
  stale: readonly { identity: Identity; from: string; to: string }[],
  now: string,
  name: string,
): Step[] =>
  stale.map(({ identity, from, to }, i) => ({
    kind: 'write',
    name: `${name}-${i}`,
    onFail: 'skip',
    write: put(linkItem(identity, to, now), ownedBy([from])),
  }));

const linkItem = (identity: Identity, customerId: string, now: string) => ({
  ...keys.identity(identity),
  customerId,
  type: identity.type,
  value: identity.value,
  linkedAt: now,
});

/** The outbox keys of a timeline entry (`sk`s in the `X#<shard>` partitions). */
const outboxKeysOf = (entry: StoredTimeline): ItemKey[] => (entry.outbox ?? []).map(outboxKeyOfSk);

/** Decides how `event` changes the customer view, or which reads it needs first. */
export const planApply = (event: HubEvent, reads: ApplyReads, ctx: ApplyContext): ApplyDecision => {
  const { linkable, warnings } = decideLinks(event.customer.identities, ctx.policy);
  if (!reads.links) return read({ links: linkable });
  const links = reads.links;

  // ---- which profiles the identities reach
  const live = new Map<string, Profile>();
  /** identityKey → the live profile it reaches (links through tombstones included). */
  const reach = new Map<string, string>();
  /** Links that name something that is no profile any more: overwritten if the identity is linked again. */
  const dangling = new Map<string, string>();
  const stale: { identity: Identity; from: string; to: string }[] = [];
  for (const identity of linkable) {
    const stored = links.get(identityKey(identity));
    if (stored === undefined) continue;
    const resolved = resolveRecord(stored, reads.records);
    if (resolved.kind === 'need') return read({ records: [resolved.id] });
    if (resolved.kind === 'gone') {
      // A link to a profile a stale read can't see yet (just created) must not start a second profile.
      if (resolved.record === null && !ctx.consistent) return read({ consistent: true });
      dangling.set(identityKey(identity), stored);
      continue;
    }
    live.set(resolved.profile.customerId, resolved.profile);
    reach.set(identityKey(identity), resolved.profile.customerId);
    if (stored !== resolved.profile.customerId) stale.push({ identity, from: stored, to: resolved.profile.customerId });
  }
  // The oldest profile survives a merge: its id is the one other systems have known longest.
  const profiles = [...live.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.customerId.localeCompare(b.customerId),
  );
  const survivor = profiles[0];
  const customerId = survivor?.customerId ?? newCustomerId(event.id);

  // ---- was the event applied before (a redelivery)?
  const partitions = [
    customerId,
    ...(survivor?.mergedIds ?? []),
    ...profiles.slice(1).flatMap((p) => [p.customerId, ...p.mergedIds]),
  ];
  // The target's own partition is left to the entry's condition, unless a conflict sent us looking.
  const unprobed = [...new Set(partitions)].filter(
    (id) => (ctx.probeOwn || id !== customerId) && !reads.probes.has(id),
  );
  if (unprobed.length) return read({ probes: unprobed });
  // Any entry of this event found anywhere counts, also outside the candidates (one this delivery wrote
  // into a profile that was erased before its profile update).
  for (const id of [...partitions, ...reads.probes.keys()]) {
    const entry = reads.probes.get(id);
    if (entry) return planExisting(event, entry, id, reads, ctx, stale);
  }

  // ---- an erased person stays erased
  // Holds matter where the event could start or grow a profile with identities not linked now (an erasure
  // unlinked hers), or reach a profile that holds an erased person's identity (she came back since).
  const unlinked = linkable.length === 0 || linkable.some((i) => !reach.has(identityKey(i)));
  const holdKeys = ctx.holdKeys;
  const checksHolds =
    holdKeys !== undefined &&
    (unlinked || profiles.some((p) => p.holdsBefore !== undefined && event.occurredAt < p.holdsBefore));
  if (checksHolds && !reads.holds) return read({ holds: true });
  if (checksHolds && reads.holds && isHeld(heldSubjectOf(event), holdKeys, reads.holds))
    return done({ steps: [], notifications: [], outcome: { status: 'ignored', reason: ERASED } });
  const comeBackSince = checksHolds && reads.holds ? latestHold(holdKeys, reads.holds) : undefined;

  // ---- a receipt is not the customer talking: it never makes a customer up
  // (Checked after the holds, so an erased person's receipt is refused as hers and scrubbed from the archive.)
  if (isReceipt(event) && profiles.length === 0)
    return done({ steps: [], notifications: [], outcome: { status: 'ignored', reason: UNKNOWN_RECEIPT } });

  // ---- merge, guard rails, links
  // A receipt lands in one profile and merges none: the business's message reaching a number proves no link.
  let losers = isReceipt(event) ? [] : profiles.slice(1);
  const exceeded = mergeExceedsCap([...profiles.map((p) => p.identities), linkable], ctx.policy);
  if (exceeded && losers.length > 0) {
    warnings.push(
      `merge with ${losers.map((l) => l.customerId).join(', ')} refused: it would exceed ${ctx.policy.maxPerType} ${exceeded} identities`,
    );
    losers = [];
  }
  let base = survivor ?? emptyProfile(customerId, event.occurredAt, ctx.now);
  for (const loser of losers) base = combineProfiles(base, loser, ctx.now);
  if (survivor && losers.length) base = { ...base, version: survivor.version };

  // Identities linked to a profile that is not part of this write stay where they are.
  const family = new Set([customerId, ...losers.map((l) => l.customerId)]);
  const ownLinks = linkable.filter((i) => {
    const target = reach.get(identityKey(i));
    return target === undefined || family.has(target);
  });
  const capped = withinCap(base.identities, ownLinks, ctx.policy);
  const applied = { ...event, customer: { ...event.customer, identities: capped.linkable } } as HubEvent;
  const newIdentities = capped.linkable.filter((i) => !reach.has(identityKey(i)));

  // ---- orders count once
  const key = orderKey(event);
  const countsOrder = key !== undefined && ORDER_TYPES.has(event.type);
  if (countsOrder && reads.orderCounted === undefined) return read({ order: key });
  const orderIsNew = countsOrder ? !reads.orderCounted : undefined;

  let next = applyEvent(base, applied, ctx.now, orderIsNew === undefined ? {} : { newOrder: orderIsNew });
  next = withWarnings(next, [...warnings, ...capped.warnings]);
  next = { ...next, recent: recordWrite(survivor?.recent, event.id) };
  if (comeBackSince && !(next.holdsBefore && next.holdsBefore >= comeBackSince))
    next = { ...next, holdsBefore: comeBackSince };

  const notifications: Notification[] = [
    ...(losers.length
      ? [
          notificationOf(
            customerEvent('customer.merged', {
              occurredAt: ctx.now,
              customerId,
              relatedIds: losers.map((l) => l.customerId),
              causedBy: event.id,
            }),
          ),
        ]
      : []),
    // customer.created / customer.updated, in the same write; none when nothing other systems keep changed.
    ...changeNotifications(survivor, next, event.id, ctx.now, ctx.changes),
  ];

  if (survivor && !losers.length && !newIdentities.length && !countsOrder && !notifications.length) {
    // The common case — a returning customer, nothing to link or merge: no transaction. The timeline entry is
    // the dedupe record (conditional on absence) and remembers the version it was planned against; the
    // profile write is conditional on that version. A crash between the two leaves an entry whose write the
    // profile does not remember: the redelivery finds it and applies it (`planExisting`).
    return done({
      steps: [
        {
          kind: 'write',
          name: 'timeline',
          onFail: 'conflict',
          write: put(timelineItem(toTimelineItem(event, customerId), { pv: survivor.version }), absent),
        },
        {
          kind: 'write',
          name: 'profile',
          onFail: 'conflict',
          write: put(toProfileItemOf(next), versionIs(survivor.version)),
        },
        ...cardSteps(survivor, next),
        ...repointSteps(stale, ctx.now, 'repoint'),
      ],
      notifications,
      outcome: { status: 'applied', customerId },
    });
  }

  const writes: Write[] = [
    put(timelineItem(toTimelineItem(event, customerId), { outbox: notifications.map((n) => outboxKey(n).sk) }), absent),
    survivor ? put(toProfileItemOf(next), versionIs(survivor.version)) : put(toProfileItemOf(next), absent),
    ...losers.map((loser) => put(tombstoneItem(loser, customerId, ctx.now, event.id), versionIs(loser.version))),
    ...newIdentities.map((identity) => {
      const was = dangling.get(identityKey(identity));
      return put(linkItem(identity, customerId, ctx.now), was ? ownedBy([was]) : absent);
    }),
    ...(key && orderIsNew ? [put({ ...keys.order(key), customerId, eventId: event.id }, absent)] : []),
    ...(newIdentities.length || losers.length
      ? [
          put({
            ...keys.log(customerId, ctx.now, event.id),
            action: losers.length ? 'merge' : 'link',
            eventId: event.id,
            identities: newIdentities.map(identityKey),
            ...(losers.length
              ? { merged: losers.map((l) => ({ customerId: l.customerId, identities: l.identities.map(identityKey) })) }
              : {}),
          }),
        ]
      : []),
    ...notifications.map((n) => put(outboxItem(n))),
  ];

  // Links of merged profiles still name them; resolution follows the tombstone, and these repoint them.
  const repoints = [
    ...stale,
    ...losers.flatMap((loser) =>
      loser.identities.map((identity) => ({ identity, from: loser.customerId, to: customerId })),
    ),
  ];
  return done({
    steps: [
      { kind: 'transaction', name: 'commit', writes },
      ...cardSteps(losers.length ? undefined : survivor, next),
      ...repointSteps(repoints, ctx.now, 'repoint'),
    ],
    notifications,
    outcome: { status: 'applied', customerId },
  });
};

/** The event's entry exists already: a redelivery, or the repair of a write a crash cut short. */
const planExisting = (
  event: HubEvent,
  entry: StoredTimeline,
  partition: string,
  reads: ApplyReads,
  ctx: ApplyContext,
  stale: readonly { identity: Identity; from: string; to: string }[],
): ApplyDecision => {
  const ownerId = entry.appliedTo ?? partition;
  const owner = reads.records.get(ownerId);
  if (owner === undefined) return read({ records: [ownerId] });
  const state = appliedState(entry, owner ?? undefined);
  if (state === 'orphan') {
    // Written into a profile that was erased meanwhile: nothing of it may stay.
    return done({
      steps: [
        { kind: 'bulk', name: 'scrub', writes: [remove(keys.timeline(partition, entry.occurredAt, entry.eventId))] },
      ],
      notifications: [],
      outcome: { status: 'ignored', reason: ERASED },
    });
  }
  const resolved = resolveRecord(ownerId, reads.records);
  if (resolved.kind === 'need') return read({ records: [resolved.id] });
  if (state === 'applied') {
    // Hand back notifications a crash kept from being published.
    const pendingKeys = outboxKeysOf(entry).filter((k) => !reads.outbox.has(k.sk));
    if (pendingKeys.length) return read({ outbox: pendingKeys });
    const notifications = outboxKeysOf(entry)
      .map((k) => reads.outbox.get(k.sk))
      .filter((n): n is Notification => Boolean(n));
    // A crash may have cut the write short before its caller cards: the redelivery puts back any that differ.
    const phones = resolved.kind === 'live' ? cardPhones(resolved.profile) : [];
    if (phones.length && !reads.cards) return read({ cards: phones });
    return done({
      steps: [
        ...repointSteps(stale, ctx.now, 'repoint'),
        ...(resolved.kind === 'live' && reads.cards ? staleCardSteps(resolved.profile, reads.cards) : []),
      ],
      notifications,
      outcome: {
        status: 'duplicate',
        ...(resolved.kind === 'live' ? { customerId: resolved.profile.customerId } : {}),
      },
    });
  }
  // Pending: the entry was written, its profile update was not.
  if (resolved.kind !== 'live') {
    return done({
      steps: [
        { kind: 'bulk', name: 'scrub', writes: [remove(keys.timeline(partition, entry.occurredAt, entry.eventId))] },
      ],
      notifications: [],
      outcome: { status: 'ignored', reason: ERASED },
    });
  }
  const target = resolved.profile;
  const family = new Set([target.customerId, ...target.mergedIds]);
  const own = new Set(
    [...(reads.links ?? new Map<string, string>()).entries()].filter(([, id]) => family.has(id)).map(([k]) => k),
  );
  const applied = {
    ...event,
    customer: { ...event.customer, identities: event.customer.identities.filter((i) => own.has(identityKey(i))) },
  } as HubEvent;
  let next = applyEvent(target, applied, ctx.now);
  next = { ...next, recent: recordWrite(target.recent, event.id) };
  const profileWrite = put(toProfileItemOf(next), versionIs(target.version));
  const steps: Step[] =
    target.customerId === ownerId
      ? [{ kind: 'write', name: 'profile', write: profileWrite, onFail: 'conflict' }]
      : [
          {
            // The owner was merged away before the repair: apply to the survivor and re-plan the entry against it, at once.
            kind: 'transaction',
            name: 'repair',
            writes: [
              profileWrite,
              put(
                {
                  ...keys.timeline(partition, entry.occurredAt, entry.eventId),
                  ...entry,
                  appliedTo: target.customerId,
                  pv: target.version,
                },
                { kind: 'equals', attribute: 'pv', value: entry.pv as number },
              ),
            ],
          },
        ];
  return done({
    steps: [...steps, ...cardSteps(target, next), ...repointSteps(stale, ctx.now, 'repoint')],
    notifications: [],
    outcome: { status: 'applied', customerId: target.customerId },
  });
};
