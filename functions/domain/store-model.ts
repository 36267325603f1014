/**
 * The customer view's storage model, as data: the items of the single table,
 * how a profile is encoded in one, and the write plans the stores execute.
 * Pure: the rules (`plan-apply`, `plan-unmerge`, `plan-erase`) build plans
 * from what was read, and a store — DynamoDB or the in-memory one — only
 * reads items and executes plans with the same conditional semantics.
 *
 * Items (pk / sk):
 *   C#<customerId> / P                         profile, or a tombstone `{ mergedInto }` / `{ erasedAt }`
 *   C#<customerId> / T#<occurredAt>#<eventId>  timeline entry (the whole event); also the event's dedupe record
 *   C#<customerId> / L#<at>#<n>                identity log: links, merges, unmerges (append-only)
 *   I#<type>#<value> / I                       identity → customerId
 *   O#<connector>:<orderId> / O                an order already counted (placed and paid count once)
 *   K#<phone> / K                              caller card: what a screen-pop shows (`caller-card.ts`)
 *   X#<shard> / <at>#<notificationId>          outbox: a hub notification not yet published
 *   H#i#<mac> / H, H#e#<mac> / H               erasure holds: an erased identity / event id (keyed HMAC, no personal data)
 *   H#latest / H, H#salt / H                   time of the latest erasure; the per-deployment HMAC key
 */
import { createHash } from 'node:crypto';
import type { BusEntry } from '../events/envelope.js';
import type { Identity } from '../events/hub-event.js';
import type { Profile, TimelineItem } from './profile.js';

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** One item as stored: its key and plain attributes. */
export type StoredItem = ItemKey & { readonly [attribute: string]: unknown };

export const OUTBOX_SHARDS = 4;

/** Partition-key prefix of every erasure item (holds, latest erasure, the HMAC key): what the dispatcher may read. */
export const ERASURE_KEY_PREFIX = 'H#';

/** Partition-key prefixes of identity links and customer partitions: what `enrich: 'customer'` reads. */
export const CUSTOMER_VIEW_KEY_PREFIXES = ['I#', 'C#'] as const;

export const keys = {
  profile: (customerId: string): ItemKey => ({ pk: `C#${customerId}`, sk: 'P' }),
  timeline: (customerId: string, occurredAt: string, eventId: string): ItemKey => ({
    pk: `C#${customerId}`,
    sk: `T#${occurredAt}#${eventId}`,
  }),
  log: (customerId: string, at: string, n: string): ItemKey => ({ pk: `C#${customerId}`, sk: `L#${at}#${n}` }),
  identity: (identity: Pick<Identity, 'type' | 'value'>): ItemKey => ({
    pk: `I#${identity.type}#${identity.value}`,
    sk: 'I',
  }),
  order: (key: string): ItemKey => ({ pk: `O#${key}`, sk: 'O' }),
  outbox: (shard: number, at: string, id: string): ItemKey => ({ pk: `X#${shard}`, sk: `${at}#${id}` }),
  identityHold: (mac: string): ItemKey => ({ pk: `H#i#${mac}`, sk: 'H' }),
  eventHold: (mac: string): ItemKey => ({ pk: `H#e#${mac}`, sk: 'H' }),
  latestErasure: (): ItemKey => ({ pk: 'H#latest', sk: 'H' }),
  salt: (): ItemKey => ({ pk: 'H#salt', sk: 'H' }),
};

/** A new customer's id, derived from the first event so a retried first write picks the same id. */
export const newCustomerId = (eventId: string): string =>
  `cus_${createHash('sha256').update(['customer', eventId].join('\n')).digest('hex').slice(0, 24)}`;

/** The customer id of a `C#…` partition key. */
export const customerIdOfPk = (pk: string): string => pk.slice(2);

export const keyString = (key: ItemKey): string => `${key.pk}\u0000${key.sk}`;

// ---------------------------------------------------------------- conditions and plans

/** What must hold for a write to happen; evaluated on the item's current state. */
export type Condition =
  /** The item does not exist (`attribute_not_exists(pk)`). */
  | { readonly kind: 'absent' }
  /** The item exists and `attribute` equals `value` (`#a = :v`); a missing item fails. */
  | { readonly kind: 'equals'; readonly attribute: string; readonly value: string | number }
  /** The item exists and `attribute` is one of `values` (`#a IN (…)`). */
  | { readonly kind: 'oneOf'; readonly attribute: string; readonly values: readonly string[] }
  /**
   * The item is absent, or another customer's (`customerId` differs), or this
   * customer's at an older `version`: a derived item (the caller card) that a
   * late writer of an older version must not overwrite.
   */
  | { readonly kind: 'supersedes'; readonly customerId: string; readonly version: number };

export type Write =
  | { readonly op: 'put'; readonly item: StoredItem; readonly condition?: Condition }
  | { readonly op: 'delete'; readonly key: ItemKey; readonly condition?: Condition };

export type Step =
  /**
   * One item, conditionally. `conflict`: a failed condition aborts the plan and
   * the rule is run again on fresh reads; `skip`: a failed condition is an
   * expected outcome (a link already repointed by someone else).
   */
  | { readonly kind: 'write'; readonly name: string; readonly write: Write; readonly onFail: 'conflict' | 'skip' }
  /** All or nothing (TransactWriteItems, at most 100 writes, one per item); any failed condition is a conflict. */
  | { readonly kind: 'transaction'; readonly name: string; readonly writes: readonly Write[] }
  /** Unconditional, idempotent writes in any order (BatchWriteItem, 25 a call). */
  | { readonly kind: 'bulk'; readonly name: string; readonly writes: readonly Write[] };

/** Most writes DynamoDB accepts in one transaction. */
export const MAX_TRANSACTION_WRITES = 100;

/** A hub notification (`customer.merged`, …) kept in the outbox until it is published. */
export interface Notification {
  /** The notification's own id (`detail.id`: deterministic, subscribers dedupe on it). */
  readonly id: string;
  /** When it was made; orders the outbox. */
  readonly at: string;
  readonly entry: BusEntry;
}

/**
 * What a rule decided: steps executed in order (each atomic on its own), the
 * notifications the steps put in the outbox, and the answer for the caller.
 */
export interface WritePlan<Outcome> {
  readonly steps: readonly Step[];
  /** Written to the outbox by one of the steps; the caller publishes them, then marks them (`markNotified`). */
  readonly notifications: readonly Notification[];
  readonly outcome: Outcome;
}

export const put = (item: StoredItem, condition?: Condition): Write =>
  condition ? { op: 'put', item, condition } : { op: 'put', item };
export const remove = (key: ItemKey, condition?: Condition): Write =>
  condition ? { op: 'delete', key, condition } : { op: 'delete', key };
export const absent: Condition = { kind: 'absent' };
export const versionIs = (version: number): Condition => ({ kind: 'equals', attribute: 'version', value: version });
export const ownedBy = (customerIds: readonly string[]): Condition => ({
  kind: 'oneOf',
  attribute: 'customerId',
  values: customerIds,
});

export const keyOfWrite = (w: Write): ItemKey => (w.op === 'put' ? { pk: w.item.pk, sk: w.item.sk } : w.key);

// ---------------------------------------------------------------- outbox

const shardOf = (id: string): number => (createHash('sha256').update(id).digest()[0] as number) % OUTBOX_SHARDS;

export const outboxKey = (n: Pick<Notification, 'id' | 'at'>): ItemKey => keys.outbox(shardOf(n.id), n.at, n.id);

/** The outbox key behind an outbox `sk` (`<at>#<id>`), as listed on the items that caused the notification. */
export const outboxKeyOfSk = (sk: string): ItemKey => {
  const cut = sk.lastIndexOf('#');
  return outboxKey({ at: sk.slice(0, cut), id: sk.slice(cut + 1) });
};

/** A notification from a customer-event bus entry (`detail.id`, `detail.occurredAt`). */
export const notificationOf = (entry: BusEntry): Notification => {
  const detail = entry.detail as { id: string; occurredAt: string };
  return { id: detail.id, at: detail.occurredAt, entry };
};

export const outboxItem = (n: Notification): StoredItem => ({ ...outboxKey(n), id: n.id, at: n.at, entry: n.entry });

export const fromOutboxItem = (item: StoredItem): Notification => ({
  id: item.id as string,
  at: item.at as string,
  entry: item.entry as BusEntry,
});

// ---------------------------------------------------------------- applied-write memory

/**
 * How many recent writes a profile remembers (`Profile.recent`). A timeline
 * entry written ahead of its profile update (the two-write common path) is
 * known to be applied or not exactly as long as fewer writes than this reached
 * the profile since; see `appliedState`.
 */
export const RECENT_WRITES = 16;
const MARK_LENGTH = 8;

/** A short mark of a write (the event id that caused it), 48 bits. */
const markOf = (id: string): string => createHash('sha256').update(id).digest('base64url').slice(0, MARK_LENGTH);

/** `recent` after one more write caused by `id` (newest last, bounded). */
export const recordWrite = (recent: string | undefined, id: string): string =>
  `${recent ?? ''}${markOf(id)}`.slice(-MARK_LENGTH * RECENT_WRITES);

export const remembersWrite = (recent: string | undefined, id: string): boolean => {
  if (!recent) return false;
  const mark = markOf(id);
  for (let i = 0; i < recent.length; i += MARK_LENGTH) if (recent.slice(i, i + MARK_LENGTH) === mark) return true;
  return false;
};

/** Number of writes `recent` covers: the versions `(version − n, version]`. */
export const writesRemembered = (recent: string | undefined): number => (recent ?? '').length / MARK_LENGTH;

// ---------------------------------------------------------------- profile records

/** What the `P` item of a customer partition holds. */
export type ProfileRecord =
  | { readonly kind: 'live'; readonly profile: Profile }
  | {
      readonly kind: 'merged';
      readonly customerId: string;
      readonly mergedInto: string;
      readonly version: number;
      readonly recent?: string;
    }
  | {
      readonly kind: 'erased';
      readonly customerId: string;
      readonly erasedAt: string;
      /** Profiles merged into the erased one, erased with it. */
      readonly relatedIds: readonly string[];
      /** Outbox keys (`sk`) of the erasure's notifications. */
      readonly outbox: readonly string[];
    };

/** Old items written before a field existed read as its empty value. */
const upgradeProfile = (p: Profile): Profile => ({
  ...p,
  identities: p.identities ?? [],
  traits: p.traits ?? {},
  traitTimes: p.traitTimes ?? {},
  channels: p.channels ?? {},
  inbound: p.inbound ?? {},
  consent: p.consent ?? {},
  orders: p.orders ?? { count: 0, revenue: {}, refunded: {} },
  promoCodes: p.promoCodes ?? [],
  mergedIds: p.mergedIds ?? [],
  warnings: p.warnings ?? [],
});

const isEmpty = (v: unknown): boolean =>
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/**
 * The profile as an item. Write units are billed per started KB of the item,
 * so it is kept compact: empty collections are left out, trait stamps are
 * stored once per stamp (`tt: { stamp: [trait, …] }`, one event usually sets
 * several traits) and the customer id is the partition key. `fromProfileItem`
 * restores the exact `Profile`.
 */
export const toProfileItem = (profile: Profile): StoredItem => {
  const { customerId, traitTimes, orders, ...rest } = profile;
  const byStamp: Record<string, string[]> = {};
  for (const [trait, stamp] of Object.entries(traitTimes)) byStamp[stamp] = [...(byStamp[stamp] ?? []), trait];
  const item: Record<string, unknown> = { ...keys.profile(customerId) };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && !isEmpty(v)) item[k] = v;
  if (Object.keys(byStamp).length) item.tt = byStamp;
  const hasOrders = orders.count > 0 || !isEmpty(orders.revenue) || !isEmpty(orders.refunded);
  if (hasOrders || orders.firstAt) item.orders = orders;
  return item as StoredItem;
};

/** Reads a `P` item (profile, merge tombstone or erasure marker). */
export const fromProfileItem = (item: StoredItem): ProfileRecord => {
  const customerId = customerIdOfPk(item.pk);
  if (typeof item.erasedAt === 'string') {
    return {
      kind: 'erased',
      customerId,
      erasedAt: item.erasedAt,
      relatedIds: (item.relatedIds as string[] | undefined) ?? [],
      outbox: (item.outbox as string[] | undefined) ?? [],
    };
  }
  if (typeof item.mergedInto === 'string') {
    return {
      kind: 'merged',
      customerId,
      mergedInto: item.mergedInto,
      version: Number(item.version ?? 0),
      ...(typeof item.recent === 'string' ? { recent: item.recent } : {}),
    };
  }
  const { pk: _pk, sk: _sk, tt, traitTimes, customerId: _c, ...rest } = item;
  const times: Record<string, string> = { ...((traitTimes as Record<string, string> | undefined) ?? {}) };
  for (const [stamp, traits] of Object.entries((tt as Record<string, string[]> | undefined) ?? {}))
    for (const trait of traits) times[trait] = stamp;
  return { kind: 'live', profile: upgradeProfile({ ...(rest as unknown as Profile), customerId, traitTimes: times }) };
};

/** The tombstone a merged profile leaves: where it went, and its write memory frozen one write later. */
export const tombstoneItem = (loser: Profile, survivorId: string, mergedAt: string, causedBy: string): StoredItem => ({
  ...keys.profile(loser.customerId),
  mergedInto: survivorId,
  mergedAt,
  // One write later than the live profile, so a plan made from a stale read of it can never overwrite the tombstone.
  version: loser.version + 1,
  recent: recordWrite(loser.recent, causedBy),
});

// ---------------------------------------------------------------- timeline items

/** A timeline entry as stored, with the bookkeeping of how it was written. */
export interface StoredTimeline extends TimelineItem {
  /**
   * Version of the profile the entry was planned against, when it was written
   * ahead of its profile update (the two-write path). Absent: written in the
   * same transaction as the profile, or recomputed — known to be applied.
   */
  readonly pv?: number;
  /** The profile the entry's event was (re)planned against, when not the partition's own (a merged profile's survivor). */
  readonly appliedTo?: string;
  /** Outbox keys of the notifications this event caused (a merge). */
  readonly outbox?: readonly string[];
}

export const timelineItem = (
  entry: TimelineItem,
  extra: { pv?: number; appliedTo?: string; outbox?: readonly string[] } = {},
): StoredItem => ({
  ...keys.timeline(entry.customerId, entry.occurredAt, entry.eventId),
  ...entry,
  ...(extra.pv !== undefined ? { pv: extra.pv } : {}),
  ...(extra.appliedTo ? { appliedTo: extra.appliedTo } : {}),
  ...(extra.outbox?.length ? { outbox: extra.outbox } : {}),
});

export const fromTimelineStored = (item: StoredItem): StoredTimeline => {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as unknown as StoredTimeline;
};

/** The entry as the API shows it: bookkeeping left out. */
export const publicTimeline = (item: StoredItem): TimelineItem => {
  const { pv: _pv, appliedTo: _a, outbox: _o, ...rest } = fromTimelineStored(item);
  return rest;
};

/**
 * Whether the profile effect of a timeline entry's event is in the profile
 * that owns the entry (`owner`: the `P` record of `appliedTo`, else of the
 * entry's partition):
 *
 * - `applied`: no `pv` (written with its profile), or the owner remembers the
 *   write, or more writes reached the owner since `pv` than it remembers — an
 *   old redelivery (a crash followed by that many writes before the retry is
 *   the one case this reads wrong; see docs/customer-view.md);
 * - `pending`: written ahead of a profile update that never happened (a crash
 *   between the two writes): apply it now;
 * - `orphan`: the owner was erased after the entry was written: delete it.
 */
export const appliedState = (
  entry: StoredTimeline,
  owner: ProfileRecord | undefined,
): 'applied' | 'pending' | 'orphan' => {
  if (entry.pv === undefined) return 'applied';
  if (!owner || owner.kind === 'erased') return 'orphan';
  const { version, recent } = owner.kind === 'live' ? owner.profile : owner;
  if (remembersWrite(recent, entry.eventId)) return 'applied';
  return version - entry.pv <= writesRemembered(recent) ? 'pending' : 'applied';
};
