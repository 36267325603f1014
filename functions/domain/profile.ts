/**
 * The single customer view as pure data, and the reducer that folds one hub
 * event into it. No I/O here: the store decides *which* profile an event
 * belongs to and persists the result; this module decides *what* the profile
 * becomes. The reducer is order-independent (every field is a min, max,
 * count or union), so events arriving out of order end in the same profile.
 */
import type { Channel, HubEvent, HubEventType, Identity, Traits } from '../events/hub-event.js';
import { identityKey } from './identity.js';

export interface ChannelStats {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
}

export interface Profile {
  readonly customerId: string;
  /** Every identifier linked to the customer (bounded: `MAX_IDENTITIES`). */
  readonly identities: Identity[];
  readonly traits: Traits;
  /**
   * `<occurredAt>|<eventId>` of the event each trait value came from: the
   * newest wins whatever the arrival order, ties broken by event id.
   */
  readonly traitTimes: Record<string, string>;
  readonly channels: Partial<Record<Channel, ChannelStats>>;
  /** Channel of the customer's most recent interaction. */
  readonly lastChannel?: Channel;
  readonly lastInteractionAt?: string;
  /** Event id of that interaction, to break ties between equal timestamps. */
  readonly lastInteractionEventId?: string;
  /** Earliest occurredAt of any event (customer since). */
  readonly firstSeenAt: string;
  readonly eventCount: number;
  /** When the hub created the profile (wall clock). */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic-concurrency version, incremented on every write. */
  readonly version: number;
}

/** One entry of the customer's history; the full event payload stays here, not in the profile. */
export interface TimelineItem {
  readonly eventId: string;
  readonly customerId: string;
  readonly type: HubEventType;
  readonly channel: Channel;
  readonly connector: string;
  readonly occurredAt: string;
  readonly summary: string;
  readonly data: unknown;
}

/** Cap on identities in one profile, keeping the item far below DynamoDB's 400 KB. */
export const MAX_IDENTITIES = 100;

/**
 * Event types that show the customer acting on a channel. Business-side
 * statuses (our message was sent/delivered/failed) and CRM bookkeeping count
 * in the channel stats but don't make a channel the customer's "last".
 */
export const INTERACTION_TYPES: ReadonlySet<HubEventType> = new Set<HubEventType>([
  'message.received',
  'message.read',
  'call.completed',
  'call.missed',
  'email.received',
  'lead.submitted',
  'form.submitted',
  'callback.requested',
  'cart.updated',
  'order.placed',
  'order.paid',
  'purchase.completed',
  'consent.granted',
  'consent.revoked',
]);

const minIso = (a: string, b: string): string => (a <= b ? a : b);
const maxIso = (a: string, b: string): string => (a >= b ? a : b);

/** Total order on events for "newest wins": time, then id. */
const isNewer = (at: string, id: string, thanAt: string | undefined, thanId = ''): boolean =>
  thanAt === undefined || at > thanAt || (at === thanAt && id > thanId);

const stamp = (event: HubEvent): string => `${event.occurredAt}|${event.id}`;

const mergeIdentities = (existing: readonly Identity[], incoming: readonly Identity[]): Identity[] => {
  const seen = new Set(existing.map(identityKey));
  const out = [...existing];
  for (const identity of incoming) {
    if (out.length >= MAX_IDENTITIES) break;
    const key = identityKey(identity);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(identity);
  }
  // Sorted so the stored profile does not depend on the order events arrived in.
  return out.sort((a, b) => identityKey(a).localeCompare(identityKey(b)));
};

/** A profile with nothing in it yet, for a customer first seen in `event`. */
export const emptyProfile = (customerId: string, event: HubEvent, now: string): Profile => ({
  customerId,
  identities: [],
  traits: {},
  traitTimes: {},
  channels: {},
  firstSeenAt: event.occurredAt,
  eventCount: 0,
  createdAt: now,
  updatedAt: now,
  version: 0,
});

/**
 * Folds one event into a profile. Pure and deterministic given `now`; the
 * caller guarantees each event is applied at most once (the store's dedupe).
 */
export const applyEvent = (profile: Profile, event: HubEvent, now: string): Profile => {
  const { occurredAt, channel, id } = event;

  const traits: Record<string, Traits[string]> = { ...profile.traits };
  const traitTimes: Record<string, string> = { ...profile.traitTimes };
  for (const [key, value] of Object.entries(event.customer.traits ?? {})) {
    if (value === null || value === '') continue;
    const current = traitTimes[key];
    if (current === undefined || stamp(event) > current) {
      traits[key] = value;
      traitTimes[key] = stamp(event);
    }
  }

  const prev = profile.channels[channel];
  const channels = {
    ...profile.channels,
    [channel]: prev
      ? { firstSeen: minIso(prev.firstSeen, occurredAt), lastSeen: maxIso(prev.lastSeen, occurredAt), count: prev.count + 1 }
      : { firstSeen: occurredAt, lastSeen: occurredAt, count: 1 },
  };

  let { lastChannel, lastInteractionAt, lastInteractionEventId } = profile;
  if (INTERACTION_TYPES.has(event.type) && isNewer(occurredAt, id, lastInteractionAt, lastInteractionEventId)) {
    lastChannel = channel;
    lastInteractionAt = occurredAt;
    lastInteractionEventId = id;
  }

  return {
    ...profile,
    identities: mergeIdentities(profile.identities, event.customer.identities),
    traits,
    traitTimes,
    channels,
    ...(lastChannel ? { lastChannel } : {}),
    ...(lastInteractionAt ? { lastInteractionAt } : {}),
    ...(lastInteractionEventId ? { lastInteractionEventId } : {}),
    firstSeenAt: minIso(profile.firstSeenAt, occurredAt),
    eventCount: profile.eventCount + 1,
    updatedAt: now,
    version: profile.version + 1,
  };
};

export const toTimelineItem = (event: HubEvent, customerId: string): TimelineItem => ({
  eventId: event.id,
  customerId,
  type: event.type,
  channel: event.channel,
  connector: event.connector,
  occurredAt: event.occurredAt,
  summary: event.summary,
  data: event.data,
});

/** The profile as the read API shows it: bookkeeping fields left out, keys in a stable, readable order. */
export const toProfileView = (p: Profile) => ({
  customerId: p.customerId,
  identities: p.identities,
  traits: p.traits,
  channels: p.channels,
  ...(p.lastChannel ? { lastChannel: p.lastChannel } : {}),
  ...(p.lastInteractionAt ? { lastInteractionAt: p.lastInteractionAt } : {}),
  firstSeenAt: p.firstSeenAt,
  eventCount: p.eventCount,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  version: p.version,
});
