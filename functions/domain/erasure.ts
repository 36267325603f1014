/**
 * Erasure holds: what keeps an erased person erased. The erasure writes one
 * hold per identity that was hers and one per event in her timeline, keyed
 * by an HMAC-SHA-256 of the value under a per-deployment key, so the holds
 * carry no personal data and cannot be reversed by trying phone numbers
 * without that key. Every consumer that could bring her back consults them:
 * the profile writer (a vendor redelivery, a dead-letter redrive, an archive
 * replay), the subscription dispatcher (events queued before the erasure,
 * replays, redrives) and the local archive replay.
 *
 * The rule: an event is hers when its id is held, or when it carries a held
 * identity and happened before that erasure. A message she sends after the
 * erasure is new contact and starts a new profile, as a stranger's would; that
 * profile remembers the erasure (`holdsBefore`) so her old events still stay out.
 */
import { createHmac } from 'node:crypto';
import type { HubEvent, Identity } from '../events/hub-event.js';
import { identityKey } from './identity.js';
import { keys, keyString, put, type ItemKey, type Write } from './store-model.js';

/** Keyed hash of a value: `mac(kind, value)`, base64url (192 bits). */
export type HoldMac = (kind: 'identity' | 'event', value: string) => string;

export const holdMacWith =
  (key: string): HoldMac =>
  (kind, value) =>
    createHmac('sha256', Buffer.from(key, 'base64url')).update(`${kind}\n${value}`).digest('base64url').slice(0, 32);

/** How long holds are kept: at least as long as anything can redeliver an event — the archive, the queues (14 days). */
export const holdRetentionDays = (archiveRetentionDays: number): number => Math.max(archiveRetentionDays, 14) + 1;

/** The facts of an event the holds are checked on. */
export interface HeldSubject {
  readonly id: string;
  readonly occurredAt: string;
  readonly identities: readonly Pick<Identity, 'type' | 'value'>[];
}

export const heldSubjectOf = (event: HubEvent): HeldSubject => ({
  id: event.id,
  occurredAt: event.occurredAt,
  identities: event.customer.identities,
});

/** A `customer.created` / `customer.updated` detail as the event that caused it, with the identities it names. */
const changeSubjectOf = (detail: unknown): HeldSubject | undefined => {
  const change = detail as
    | { type?: unknown; causedBy?: unknown; occurredAt?: unknown; changes?: { identities?: unknown } }
    | null
    | undefined;
  if (change?.type !== 'customer.created' && change?.type !== 'customer.updated') return undefined;
  if (typeof change.causedBy !== 'string' || typeof change.occurredAt !== 'string') return undefined;
  const identities = Array.isArray(change.changes?.identities) ? change.changes.identities : [];
  return { id: change.causedBy, occurredAt: change.occurredAt, identities: identities as HeldSubject['identities'] };
};

/**
 * The held facts of a bus entry's detail when it is a touchpoint (an id, a
 * time, the customer's identities), or a `customer.created` /
 * `customer.updated` (it carries her traits and identities): held as the
 * event that caused it, with the identities it names.
 */
export const heldSubjectOfDetail = (detail: unknown): HeldSubject | undefined => {
  const change = changeSubjectOf(detail);
  if (change) return change;
  const d = detail as { id?: unknown; occurredAt?: unknown; customer?: { identities?: unknown } } | null | undefined;
  if (typeof d?.id !== 'string' || typeof d.occurredAt !== 'string' || !Array.isArray(d.customer?.identities))
    return undefined;
  return { id: d.id, occurredAt: d.occurredAt, identities: d.customer.identities as HeldSubject['identities'] };
};

export interface HoldKeys {
  readonly event: ItemKey;
  readonly identities: readonly ItemKey[];
}

export const holdKeysOf = (subject: Pick<HeldSubject, 'id' | 'identities'>, mac: HoldMac): HoldKeys => ({
  event: keys.eventHold(mac('event', subject.id)),
  identities: subject.identities.map((i) => keys.identityHold(mac('identity', identityKey(i)))),
});

/** Hold items found, by `keyString` of their key → the erasure time. */
export type HoldsFound = ReadonlyMap<string, string>;

/** Whether the event belongs to an erased person (see the rule above). */
export const isHeld = (subject: HeldSubject, holdKeys: HoldKeys, found: HoldsFound): boolean =>
  found.has(keyString(holdKeys.event)) ||
  holdKeys.identities.some((k) => {
    const erasedAt = found.get(keyString(k));
    return erasedAt !== undefined && subject.occurredAt < erasedAt;
  });

/** The latest erasure among the identity holds found (a profile made of them remembers it: `holdsBefore`). */
export const latestHold = (holdKeys: HoldKeys, found: HoldsFound): string | undefined =>
  holdKeys.identities
    .map((k) => found.get(keyString(k)))
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);

/** The holds an erasure writes (before it deletes anything), and the latest-erasure marker. */
export const holdWrites = (
  subject: { readonly eventIds: readonly string[]; readonly identityKeys: readonly string[] },
  erasedAt: string,
  mac: HoldMac,
  retentionDays: number,
): Write[] => {
  const ttl = Math.floor(Date.parse(erasedAt) / 1000) + retentionDays * 86_400;
  return [
    ...subject.identityKeys.map((k) => put({ ...keys.identityHold(mac('identity', k)), erasedAt, ttl })),
    ...subject.eventIds.map((id) => put({ ...keys.eventHold(mac('event', id)), erasedAt, ttl })),
    // Read by every delivery: an event that happened after the latest erasure needs no further look.
    put({ ...keys.latestErasure(), erasedAt }),
  ];
};

/**
 * Whether an archived bus entry's detail is the erased person's (for
 * scrubbing copies outside the store): one of her events, a thin webhook
 * that would become one, or an event that carried her identity before the erasure.
 */
export const isErasedDetail = (
  detail: unknown,
  erased: {
    readonly eventIds: ReadonlySet<string>;
    readonly identityKeys: ReadonlySet<string>;
    readonly erasedAt: string;
  },
  eventIdOf: (connector: string, providerEventId: string) => string,
): boolean => {
  if (typeof detail !== 'object' || detail === null) return false;
  const change = changeSubjectOf(detail);
  if (change)
    return (
      erased.eventIds.has(change.id) ||
      (change.occurredAt < erased.erasedAt && change.identities.some((i) => erased.identityKeys.has(identityKey(i))))
    );
  const d = detail as {
    id?: unknown;
    occurredAt?: unknown;
    customer?: { identities?: Pick<Identity, 'type' | 'value'>[] };
    connector?: unknown;
    providerEventId?: unknown;
  };
  if (typeof d.id === 'string' && erased.eventIds.has(d.id)) return true;
  if (typeof d.connector === 'string' && typeof d.providerEventId === 'string' && d.id === undefined)
    return erased.eventIds.has(eventIdOf(d.connector, d.providerEventId));
  const before = typeof d.occurredAt !== 'string' || d.occurredAt < erased.erasedAt;
  return before && (d.customer?.identities ?? []).some((i) => erased.identityKeys.has(identityKey(i)));
};
