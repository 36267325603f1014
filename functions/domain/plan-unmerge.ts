/**
 * Unmerge as a pure rule: some of a profile's identities, and the events that
 * only they brought, split off into a profile of their own again; both sides
 * are recomputed from their timelines. The new id is derived from the
 * request, so a retry finishes the same split; the `customer.unmerged`
 * notification goes into the outbox in the same transaction as the split.
 */
import { createHash } from 'node:crypto';
import { customerEvent } from '../events/customer-events.js';
import { cardSteps } from './caller-card.js';
import type { HubEvent } from '../events/hub-event.js';
import { ValidationError } from '../shared/errors.js';
import { identityKey } from './identity.js';
import { emptyProfile, foldEvents, fromTimelineItem, type Profile } from './profile.js';
import {
  appliedState,
  keys,
  notificationOf,
  outboxItem,
  outboxKey,
  ownedBy,
  put,
  recordWrite,
  remove,
  timelineItem,
  toProfileItem,
  versionIs,
  type ItemKey,
  type Notification,
  type ProfileRecord,
  type Step,
  type StoredTimeline,
  type WritePlan,
} from './store-model.js';

/** The id of the profile split off `customerId` with these identities: the same request, the same id. */
export const splitCustomerId = (customerId: string, identityKeys: readonly string[]): string =>
  `cus_${createHash('sha256')
    .update(['unmerge', customerId, [...new Set(identityKeys)].sort().join(',')].join('\n'))
    .digest('hex')
    .slice(0, 24)}`;

export interface TimelineEntryAt {
  /** The customer id of the partition holding the entry. */
  readonly partition: string;
  readonly entry: StoredTimeline;
}

export interface UnmergeReads {
  /** The profile to split (live, read strongly). */
  readonly profile: Profile;
  /** `P` records of the profiles merged into it (tombstones), and of the split id. */
  readonly records: ReadonlyMap<string, ProfileRecord | null>;
  /** Every timeline entry of the profile's partitions; undefined: not read yet. */
  readonly timeline?: readonly TimelineEntryAt[];
  /** The split profile's own entries, when it exists already; undefined: not read yet. */
  readonly splitTimeline?: readonly TimelineEntryAt[];
  /** Outbox items by `sk`; `null`: published already. */
  readonly outbox: ReadonlyMap<string, Notification | null>;
}

export interface UnmergeOutcome {
  readonly customer: Profile;
  readonly split: Profile;
}

export type UnmergeDecision =
  | {
      readonly kind: 'read';
      readonly request: {
        readonly records?: readonly string[];
        readonly timeline?: true;
        readonly splitTimeline?: true;
        readonly outbox?: readonly ItemKey[];
      };
    }
  | { readonly kind: 'plan'; readonly plan: WritePlan<UnmergeOutcome> };

const unmergedNotification = (keptId: string, splitId: string, split: readonly string[], at: string): Notification =>
  notificationOf(
    customerEvent('customer.unmerged', {
      occurredAt: at,
      customerId: keptId,
      relatedIds: [splitId],
      identities: [...split].sort(),
    }),
  );

/**
 * Decides the split of `identityKeys` off `reads.profile`.
 * @throws ValidationError when the identities are not the profile's, or are none or all of them.
 */
export const planUnmerge = (identityKeys: readonly string[], reads: UnmergeReads, now: string): UnmergeDecision => {
  const { profile } = reads;
  const split = new Set(identityKeys);
  const owned = new Set(profile.identities.map(identityKey));
  const foreign = [...split].filter((k) => !owned.has(k));
  const newId = splitCustomerId(profile.customerId, [...split]);
  const family = [profile.customerId, ...profile.mergedIds];

  if (!reads.records.has(newId)) return { kind: 'read', request: { records: [newId] } };
  const existing = reads.records.get(newId);
  if (foreign.length === split.size && existing?.kind === 'live') {
    // A retry of a split whose transaction committed: finish the tidy-up and hand back the notification.
    const done = existing.profile;
    if (!reads.timeline) return { kind: 'read', request: { timeline: true } };
    if (!reads.splitTimeline) return { kind: 'read', request: { splitTimeline: true } };
    const notification = unmergedNotification(profile.customerId, newId, [...split], done.createdAt);
    const key = outboxKey(notification);
    if (!reads.outbox.has(key.sk)) return { kind: 'read', request: { outbox: [key] } };
    const moved = new Set(reads.splitTimeline.map((t) => t.entry.eventId));
    return {
      kind: 'plan',
      plan: {
        steps: [
          ...tidySteps(
            done,
            family,
            reads.timeline.filter((t) => moved.has(t.entry.eventId)),
            now,
          ),
          ...cardSteps(undefined, profile, 'card-kept'),
          ...cardSteps(undefined, done, 'card-split'),
        ],
        notifications: reads.outbox.get(key.sk) ? [notification] : [],
        outcome: { customer: profile, split: done },
      },
    };
  }
  if (foreign.length) throw new ValidationError(`Not identities of ${profile.customerId}: ${foreign.join(', ')}`);
  if (split.size === 0 || split.size === owned.size)
    throw new ValidationError("Give some, but not all, of the customer's identities to split off");

  if (!reads.timeline) return { kind: 'read', request: { timeline: true } };
  const owners = [...new Set(reads.timeline.map((t) => t.entry.appliedTo ?? t.partition))].filter(
    (id) => id !== profile.customerId && !reads.records.has(id),
  );
  if (owners.length) return { kind: 'read', request: { records: owners } };
  const ownerRecord = (t: TimelineEntryAt): ProfileRecord | undefined => {
    const id = t.entry.appliedTo ?? t.partition;
    return id === profile.customerId ? { kind: 'live', profile } : (reads.records.get(id) ?? undefined);
  };

  const timeline = [...reads.timeline].sort((a, b) => a.entry.occurredAt.localeCompare(b.entry.occurredAt));
  // Entries written ahead of a profile update a crash cut short: the recompute applies them, so they are settled with it.
  const pending = timeline.filter((t) => appliedState(t.entry, ownerRecord(t)) === 'pending');
  const events = timeline.map((t) => ({ t, event: fromTimelineItem(t.entry) }));
  // An event goes with the split only when every identity it carried is being split off.
  const moves = (e: HubEvent) =>
    e.customer.identities.length > 0 && e.customer.identities.every((i) => split.has(identityKey(i)));
  const only = (e: HubEvent, keep: (k: string) => boolean) =>
    ({
      ...e,
      customer: { ...e.customer, identities: e.customer.identities.filter((i) => keep(identityKey(i))) },
    }) as HubEvent;
  const moved = events.filter(({ event }) => moves(event));
  const kept = events.filter(({ event }) => !moves(event));
  const firstOf = (es: typeof events) => es[0]?.event.occurredAt ?? now;

  const splitIdentities = profile.identities.filter((i) => split.has(identityKey(i)));
  let splitProfile = foldEvents(
    emptyProfile(newId, firstOf(moved), now),
    moved.map(({ event }) => only(event, (k) => split.has(k))),
    now,
  );
  splitProfile = {
    ...splitProfile,
    identities: splitIdentities,
    createdAt: now,
    version: 1,
    recent: recordWrite(undefined, `unmerge:${newId}`),
    ...(profile.holdsBefore ? { holdsBefore: profile.holdsBefore } : {}),
  };
  let keptProfile = foldEvents(
    emptyProfile(profile.customerId, firstOf(kept), profile.createdAt),
    kept.map(({ event }) => only(event, (k) => !split.has(k))),
    now,
  );
  keptProfile = {
    ...keptProfile,
    identities: profile.identities.filter((i) => !split.has(identityKey(i))),
    mergedIds: profile.mergedIds,
    warnings: profile.warnings,
    createdAt: profile.createdAt,
    updatedAt: now,
    version: profile.version + 1,
    recent: recordWrite(profile.recent, `unmerge:${newId}`),
    ...(profile.holdsBefore ? { holdsBefore: profile.holdsBefore } : {}),
  };

  const notification = unmergedNotification(profile.customerId, newId, [...split], now);
  const steps: Step[] = [
    {
      // 1. The new profile and its history (idempotent puts; nothing points at them yet).
      kind: 'bulk',
      name: 'split',
      writes: [
        ...moved.map(({ t }) => put(timelineItem({ ...stripBookkeeping(t.entry), customerId: newId }))),
        put(toProfileItem(splitProfile)),
      ],
    },
    {
      // 2. The kept profile, only if nobody wrote it meanwhile (else the rule runs again on fresh reads).
      kind: 'transaction',
      name: 'unmerge',
      writes: [
        put(toProfileItem(keptProfile), versionIs(profile.version)),
        put({
          ...keys.log(profile.customerId, now, `unmerge-${newId}`),
          action: 'unmerge',
          identities: [...split],
          into: newId,
          events: moved.map(({ event }) => event.id),
        }),
        put({
          ...keys.log(newId, now, `unmerge-${profile.customerId}`),
          action: 'unmerge',
          identities: [...split],
          from: profile.customerId,
        }),
        put(outboxItem(notification)),
        ...pending.map((t) =>
          put(timelineItem({ ...stripBookkeeping(t.entry), customerId: t.partition }), {
            kind: 'equals',
            attribute: 'pv',
            value: t.entry.pv as number,
          }),
        ),
      ],
    },
    // 3. Links and old copies follow; a crash here is finished by a retry of the same request.
    ...tidySteps(
      splitProfile,
      family,
      moved.map(({ t }) => t),
      now,
    ),
    // 4. Both sides' caller cards (the split's phones name the split profile from here on).
    ...cardSteps(undefined, keptProfile, 'card-kept'),
    ...cardSteps(undefined, splitProfile, 'card-split'),
  ];
  return {
    kind: 'plan',
    plan: { steps, notifications: [notification], outcome: { customer: keptProfile, split: splitProfile } },
  };
};

/** A timeline entry without its write bookkeeping (settled: its effect is in the recomputed profile). */
const stripBookkeeping = (entry: StoredTimeline) => {
  const { pv: _pv, appliedTo: _a, outbox: _o, ...rest } = entry;
  return rest;
};

/** Points the split identities at the split profile and deletes the moved entries' old copies. */
const tidySteps = (
  split: Profile,
  family: readonly string[],
  movedFrom: readonly TimelineEntryAt[],
  now: string,
): Step[] => [
  ...split.identities.map(
    (identity, i): Step => ({
      kind: 'write',
      name: `relink-${i}`,
      onFail: 'skip',
      write: put(
        {
          ...keys.identity(identity),
          customerId: split.customerId,
          type: identity.type,
          value: identity.value,
          linkedAt: now,
        },
        ownedBy(family),
      ),
    }),
  ),
  {
    kind: 'bulk',
    name: 'tidy',
    writes: movedFrom
      .filter((t) => t.partition !== split.customerId)
      .map((t) => remove(keys.timeline(t.partition, t.entry.occurredAt, t.entry.eventId))),
  },
];
