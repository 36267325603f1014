/**
 * Erasure as a pure rule: everything held about a person goes — profile and
 * merged tombstones, timeline and identity log in every partition, identity
 * links, order markers — and only markers without personal data stay: the
 * `{ erasedAt }` marker, so the id reads as gone, and the erasure holds
 * (`erasure.ts`), so a redelivery, a dead-letter redrive or an archive replay
 * of her old events cannot bring her back. The `customer.erased`
 * notification is written to the outbox in the same transaction as the
 * marker; a retry of the erasure finds it there and publishes it.
 */
import { customerEvent } from '../events/customer-events.js';
import { cardDeletes } from './caller-card.js';
import type { Identity } from '../events/hub-event.js';
import { identityKey } from './identity.js';
import { fromTimelineItem, orderKey, type Profile } from './profile.js';
import {
  customerIdOfPk,
  fromTimelineStored,
  keys,
  notificationOf,
  outboxItem,
  outboxKey,
  outboxKeyOfSk,
  ownedBy,
  put,
  remove,
  versionIs,
  type ItemKey,
  type Notification,
  type ProfileRecord,
  type Step,
  type StoredItem,
  type Write,
  type WritePlan,
} from './store-model.js';

export interface EraseOutcome {
  readonly customerId: string;
  /** Items deleted or overwritten by markers. */
  readonly deletedItems: number;
  readonly erasedAt: string;
  /** True when the customer was erased before (a retry): only what was left was finished. */
  readonly alreadyErased: boolean;
  /**
   * What identified the person, for scrubbing copies outside the store (the
   * local archive file). In memory only; empty on a retry (the store kept none).
   */
  readonly subject: { readonly eventIds: readonly string[]; readonly identityKeys: readonly string[] };
}

export interface EraseContext {
  readonly now: string;
  /** Writes that keep the person erased (`erasure.ts` `holdWrites`); none without a hold policy. */
  readonly holds?: (subject: EraseOutcome['subject'], erasedAt: string) => readonly Write[];
}

/** The identities a timeline entry carried, and its event id. */
const timelineFacts = (items: readonly StoredItem[]) =>
  items.filter((i) => i.sk.startsWith('T#')).map((i) => fromTimelineStored(i));

/**
 * Outbox entries her timeline entries caused that may still wait to be
 * published (`customer.created` / `customer.updated` carry her traits and
 * identities): deleted with her, so the sweep never publishes them after
 * `customer.erased`. Deleting one already published is a no-op.
 */
const outboxOfTimeline = (items: readonly StoredItem[]): ItemKey[] =>
  timelineFacts(items).flatMap((t) => (t.outbox ?? []).map(outboxKeyOfSk));

/**
 * Plans the erasure of a live profile.
 * @param items every item of the profile's partitions (its own and those of the profiles merged into it)
 * @param links identityKey → customerId for every identity the profile or its timeline names (read strongly)
 */
export const planErase = (
  profile: Profile,
  items: readonly StoredItem[],
  links: ReadonlyMap<string, string>,
  ctx: EraseContext,
): WritePlan<EraseOutcome> => {
  const family = [profile.customerId, ...profile.mergedIds];
  const familySet = new Set(family);
  const timeline = timelineFacts(items);
  const candidates = new Map<string, Identity>();
  for (const identity of [...profile.identities, ...timeline.flatMap((t) => t.identities)])
    candidates.set(identityKey(identity), identity);
  // Hers: linked to one of her profiles. A shared value linked to someone else stays theirs.
  const hers = [...candidates.entries()].filter(
    ([k]) => familySet.has(links.get(k) ?? '') || profile.identities.some((i) => identityKey(i) === k),
  );
  const orderKeys = [
    ...new Set(timeline.map((t) => orderKey(fromTimelineItem(t))).filter((k): k is string => Boolean(k))),
  ];
  const erasedAt = ctx.now;
  const subject = { eventIds: [...new Set(timeline.map((t) => t.eventId))], identityKeys: hers.map(([k]) => k) };
  const notification = notificationOf(
    customerEvent('customer.erased', {
      occurredAt: erasedAt,
      customerId: profile.customerId,
      relatedIds: profile.mergedIds,
    }),
  );

  const conditional = (name: string, key: ItemKey): Step => ({
    kind: 'write',
    name,
    onFail: 'skip',
    write: remove(key, ownedBy(family)),
  });
  const partitionItems = items.filter((i) => i.sk !== 'P');
  const tombstones = items.filter((i) => i.sk === 'P' && customerIdOfPk(i.pk) !== profile.customerId);
  const holdWrites = ctx.holds?.(subject, erasedAt) ?? [];
  const phones = hers
    .map(([, identity]) => identity)
    .filter((i) => i.type === 'phone')
    .map((i) => i.value);
  const steps: Step[] = [
    // 1. The holds first: from here on, nothing of hers is applied or delivered again.
    ...(holdWrites.length ? [{ kind: 'bulk' as const, name: 'hold', writes: holdWrites }] : []),
    // 2. Links and order markers, only where they still name her.
    ...hers.map(([, identity], i) => conditional(`unlink-${i}`, keys.identity(identity))),
    ...orderKeys.map((k, i) => conditional(`unorder-${i}`, keys.order(k))),
    // Her caller cards: from here on the lookup answers 404.
    ...cardDeletes(phones, family),
    // 3. Timelines, logs and merged tombstones.
    {
      kind: 'bulk',
      name: 'delete',
      writes: [
        ...partitionItems.map((i) => remove({ pk: i.pk, sk: i.sk })),
        ...outboxOfTimeline(items).map((k) => remove(k)),
        ...tombstones.map((t) => put({ pk: t.pk, sk: t.sk, erasedAt, erasedWith: profile.customerId })),
      ],
    },
    // 4. The marker, only if nobody wrote the profile since it was read (else the erasure runs again).
    {
      kind: 'transaction',
      name: 'erase',
      writes: [
        put(
          {
            ...keys.profile(profile.customerId),
            erasedAt,
            relatedIds: profile.mergedIds,
            outbox: [outboxKey(notification).sk],
          },
          versionIs(profile.version),
        ),
        put(outboxItem(notification)),
      ],
    },
    // 5. The cards once more: a writer that committed her profile before it was read may write its card late.
    ...cardDeletes(phones, family, 'uncard-again'),
  ];
  return {
    steps,
    notifications: [notification],
    outcome: {
      customerId: profile.customerId,
      deletedItems: hers.length + orderKeys.length + partitionItems.length + tombstones.length + 1,
      erasedAt,
      alreadyErased: false,
      subject,
    },
  };
};

/**
 * A retry of an erasure that committed: deletes anything a racing writer
 * left in her partitions and hands back the notification if it is still in
 * the outbox.
 * @param items the items still in the partitions of `marker` and its related ids
 * @param outbox the marker's outbox items that are still there
 */
export const planEraseRetry = (
  marker: Extract<ProfileRecord, { kind: 'erased' }>,
  items: readonly StoredItem[],
  outbox: readonly Notification[],
): WritePlan<EraseOutcome> => {
  const leftovers = items.filter((i) => i.sk !== 'P');
  return {
    steps: leftovers.length
      ? [
          {
            kind: 'bulk',
            name: 'delete',
            writes: [
              ...leftovers.map((i) => remove({ pk: i.pk, sk: i.sk })),
              ...outboxOfTimeline(leftovers).map((k) => remove(k)),
            ],
          },
        ]
      : [],
    notifications: outbox,
    outcome: {
      customerId: marker.customerId,
      deletedItems: leftovers.length,
      erasedAt: marker.erasedAt,
      alreadyErased: true,
      subject: { eventIds: [], identityKeys: [] },
    },
  };
};

/** Outbox keys listed on an erasure marker. */
export const markerOutboxKeys = (marker: Extract<ProfileRecord, { kind: 'erased' }>): ItemKey[] =>
  marker.outbox.map(outboxKeyOfSk);
