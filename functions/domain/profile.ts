/**
 * The single customer view as pure data, the reducer that folds one hub
 * event into it, and the combiner that merges two profiles. No I/O here: the
 * store decides *which* profile an event belongs to and persists the result;
 * this module decides *what* the profile becomes.
 *
 * Every field is a min, max, sum, union or newest-wins value stamped with
 * `<occurredAt>|<eventId>`, so the profile does not depend on the order
 * events arrive in, and `combineProfiles(fold(A), fold(B))` equals
 * `fold(A ∪ B)` — which is what makes merges safe.
 */
import type { Channel, HubEvent, HubEventType, Identity, TicketStatus, Traits } from '../events/hub-event.js';
import { advanceCallerState, type CallerState, combineCallerState } from './caller-card.js';
import { identityKey } from './identity.js';

export interface ChannelStats {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
}

export interface ConsentState {
  readonly status: 'granted' | 'revoked';
  readonly at: string;
  /** Connector that reported it. */
  readonly source: string;
  readonly reason?: string;
  /** `<occurredAt>|<eventId>`: the newest statement wins. */
  readonly stamp: string;
}

/**
 * A channel on which a send to the customer failed for good (Telegram
 * "bot was blocked", WhatsApp 131026, Viber not subscribed, a hard bounce).
 * Newest wins; it stops counting once she writes on that channel again or
 * grants consent there afterwards (reachability compares the times).
 */
export interface UnreachableState {
  readonly at: string;
  /** The vendor's error code. */
  readonly code: string;
  readonly reason: string;
  /** Connector that reported it. */
  readonly source: string;
  /** `<occurredAt>|<eventId>`: the newest failure wins. */
  readonly stamp: string;
}

export interface OrderStats {
  /** Distinct orders and till purchases (an order placed and later paid counts once). */
  readonly count: number;
  /** Gross amount per currency, minor units. */
  readonly revenue: Record<string, number>;
  /** Refunded amount per currency, minor units. */
  readonly refunded: Record<string, number>;
  /**
   * What cancellations took out of revenue per currency, minor units: the
   * unrefunded rest of each counted order that was cancelled (its refunds
   * are in `refunded`). Absent until a counted order is cancelled.
   */
  readonly cancelled?: Record<string, number>;
  /** Counted orders that were cancelled afterwards (not sales any more). */
  readonly cancelledCount?: number;
  readonly firstAt?: string;
  readonly lastAt?: string;
}

/** The latest known state of one support ticket of the customer. */
export interface TicketState {
  readonly status: TicketStatus;
  readonly subject?: string;
  /** When the help desk last said something about it (`occurredAt`). */
  readonly at: string;
  /** Connector that reported it. */
  readonly source: string;
  /** `<occurredAt>|<eventId>`: the newest statement wins. */
  readonly stamp: string;
}

export interface Profile {
  readonly customerId: string;
  /** Every identifier linked to the customer (bounded: `MAX_IDENTITIES`), sorted. */
  readonly identities: Identity[];
  readonly traits: Traits;
  /** `<occurredAt>|<eventId>` of the event each trait value came from. */
  readonly traitTimes: Record<string, string>;
  readonly channels: Partial<Record<Channel, ChannelStats>>;
  /** Messages the customer sent per channel: what "the channel she answers in" is computed from. */
  readonly inbound: Partial<Record<Channel, { readonly count: number; readonly lastAt: string }>>;
  readonly consent: Partial<Record<Channel, ConsentState>>;
  /** Channels a permanent send failure marked unreachable (absent on profiles written before the field existed). */
  readonly unreachable?: Partial<Record<Channel, UnreachableState>>;
  /** A preference stated in the CRM or by the customer; wins over the computed one while consent allows. */
  readonly statedPreference?: { readonly channel: Channel; readonly stamp: string };
  readonly orders: OrderStats;
  /** Promo codes used, newest last (bounded: `MAX_PROMO_CODES`). */
  readonly promoCodes: string[];
  /** Cart updates and started checkouts: the last attempted purchase (abandoned when no order follows). */
  readonly lastCartAt?: string;
  /**
   * Support tickets by `<connector>:<ticketId>`, newest statement per ticket
   * (bounded: the `MAX_TICKETS` most recently updated); absent on profiles
   * that never had one.
   */
  readonly tickets?: Record<string, TicketState>;
  /** Channel of the customer's most recent interaction. */
  readonly lastChannel?: Channel;
  readonly lastInteractionAt?: string;
  /** Event id of that interaction, to break ties between equal timestamps. */
  readonly lastInteractionEventId?: string;
  /** Earliest occurredAt of any event (customer since). */
  readonly firstSeenAt: string;
  readonly eventCount: number;
  /** Profiles merged into this one; their timeline partitions are part of this timeline. */
  readonly mergedIds: string[];
  /** Guard-rail notes (ignored identities, caps hit): surfaced, never silent. */
  readonly warnings: string[];
  /** When the hub created the profile (wall clock). */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic-concurrency version, incremented on every write. */
  readonly version: number;
  /**
   * Marks of the profile's most recent writes (`store-model.ts` `recordWrite`):
   * how an event written ahead of its profile update is known to be applied.
   */
  readonly recent?: string;
  /**
   * Set when the profile holds an identity of an erased person (she came back
   * after the erasure): its events that happened before this time are checked
   * against the erasure holds, so an old redelivery does not bring her old data back.
   */
  readonly holdsBefore?: string;
  /** What the caller card shows beyond the fields above (`caller-card.ts`); absent until there is any. */
  readonly caller?: CallerState;
}

/** One entry of the customer's history: the whole event, so a profile can be recomputed from its timeline. */
export interface TimelineItem {
  readonly eventId: string;
  readonly customerId: string;
  readonly type: HubEventType;
  readonly channel: Channel;
  readonly connector: string;
  readonly providerEventId: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly summary: string;
  readonly identities: Identity[];
  readonly traits: Traits;
  readonly data: unknown;
}

/** Cap on identities in one profile, keeping the item far below DynamoDB's 400 KB. */
const MAX_IDENTITIES = 100;
const MAX_PROMO_CODES = 50;
const MAX_WARNINGS = 20;
export const MAX_TICKETS = 20;

/**
 * Event types that show the customer acting on a channel. Business-side
 * statuses (our message was sent/delivered/failed) and CRM bookkeeping count
 * in the channel stats but don't make a channel the customer's "last".
 */
export const INTERACTION_TYPES: ReadonlySet<HubEventType> = new Set<HubEventType>([
  'message.received',
  'call.completed',
  'call.missed',
  'email.received',
  'lead.submitted',
  'form.submitted',
  'callback.requested',
  'cart.updated',
  'checkout.started',
  'product.viewed',
  'search.performed',
  'order.placed',
  'order.paid',
  'purchase.completed',
  'ticket.created',
  'consent.granted',
  'consent.revoked',
]);

/**
 * Receipts of the business's own messages (WhatsApp `statuses`, Viber
 * `delivered`/`seen`, Twilio status callbacks, Meta `delivery`/`read`,
 * Mailgun `delivered`/`opened`/`failed`, the hub's own failed send): they are
 * not the customer talking. A receipt never starts a profile and never moves
 * the last interaction, the channel counts or what the preferred channel is
 * computed from; for a known customer it lands in her timeline (and may link
 * the identity it names), and a permanent failure marks the channel
 * unreachable. The outbound message's own status is the message-status
 * function's (`outbound/receipts.ts`).
 */
const RECEIPT_TYPES: ReadonlySet<HubEventType> = new Set<HubEventType>([
  'message.delivered',
  'message.read',
  'message.failed',
]);

/**
 * True for a receipt: delivered, read, failed, and a vendor's content-less
 * `sent` status (WhatsApp `statuses`, a Twilio callback), which names a
 * message without being one (the conversation view hides it for that reason).
 */
export const isReceipt = (event: Pick<HubEvent, 'type'> & { readonly data?: unknown }): boolean => {
  if (RECEIPT_TYPES.has(event.type)) return true;
  if (event.type !== 'message.sent') return false;
  const data = event.data as { contentType?: string; text?: string } | undefined;
  return data?.contentType === 'other' && data.text === undefined;
};

/** Events the hub makes about a customer rather than touchpoints she had. */
const HUB_MADE_TYPES: ReadonlySet<HubEventType> = new Set<HubEventType>([
  'cart.abandoned',
  'lead.unanswered',
  'customer.inactive',
  'customer.birthday',
  'automation.triggered',
  'automation.skipped',
]);

/** Types that represent a sale; one order id counts once whichever of them arrive. */
const SALE_TYPES: ReadonlySet<HubEventType> = new Set<HubEventType>([
  'order.placed',
  'order.paid',
  'purchase.completed',
]);

/**
 * Types that claim an order id: the store remembers the first of them per
 * order (`ApplyContext.newOrder`), so a sale counts once however many of its
 * events arrive, and a cancellation takes a counted order out exactly once —
 * or, arriving first, keeps the order from ever counting.
 */
export const ORDER_TYPES: ReadonlySet<HubEventType> = new Set<HubEventType>([...SALE_TYPES, 'order.cancelled']);

const minIso = (a: string, b: string): string => (a <= b ? a : b);
const maxIso = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a >= b ? a : b;

/** Total order on events for "newest wins": time, then id. */
const isNewer = (at: string, id: string, thanAt: string | undefined, thanId = ''): boolean =>
  thanAt === undefined || at > thanAt || (at === thanAt && id > thanId);

const stampOf = (event: Pick<HubEvent, 'occurredAt' | 'id'>): string => `${event.occurredAt}|${event.id}`;

const sortIdentities = (identities: Identity[]): Identity[] =>
  identities.sort((a, b) => identityKey(a).localeCompare(identityKey(b)));

const unionIdentities = (a: readonly Identity[], b: readonly Identity[]): Identity[] => {
  const byKey = new Map<string, Identity>();
  for (const identity of [...a, ...b])
    if (!byKey.has(identityKey(identity))) byKey.set(identityKey(identity), identity);
  // Sorted before the cap so which ones are kept does not depend on arrival order.
  return sortIdentities([...byKey.values()]).slice(0, MAX_IDENTITIES);
};

const unionBounded = (a: readonly string[], b: readonly string[], max: number): string[] =>
  [...new Set([...a, ...b])].sort().slice(-max);

const addMoney = (into: Record<string, number>, currency: string, amount: number): Record<string, number> => ({
  ...into,
  [currency]: (into[currency] ?? 0) + amount,
});

const sumMoney = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.entries(b).reduce((acc, [c, v]) => addMoney(acc, c, v), { ...a });

/** Key that identifies one order across its placed/paid/cancelled events: connector + vendor order id. */
export const orderKey = (event: HubEvent): string | undefined =>
  ORDER_TYPES.has(event.type) || event.type === 'order.refunded'
    ? `${event.connector}:${(event.data as { orderId: string }).orderId}`
    : undefined;

/** A profile with nothing in it yet, for a customer first seen in `event`. */
export const emptyProfile = (customerId: string, firstSeenAt: string, now: string): Profile => ({
  customerId,
  identities: [],
  traits: {},
  traitTimes: {},
  channels: {},
  inbound: {},
  consent: {},
  orders: { count: 0, revenue: {}, refunded: {} },
  promoCodes: [],
  firstSeenAt,
  eventCount: 0,
  mergedIds: [],
  warnings: [],
  createdAt: now,
  updatedAt: now,
  version: 0,
});

export interface ApplyContext {
  /**
   * False when this event's order was already claimed (an `order.paid` after
   * its `order.placed`, an `order.cancelled` after either). The store knows
   * it from the order's own item; a pure fold tracks it itself
   * (`foldEvents`). A sale counts when new (undefined counts too); a
   * cancellation takes revenue out only when the order was counted (false).
   */
  readonly newOrder?: boolean;
}

/** `<connector>:<ticketId>` of a ticket event. */
const ticketKey = (event: HubEvent & { data: { ticketId: string } }): string =>
  `${event.connector}:${event.data.ticketId}`;

/** The `MAX_TICKETS` tickets with the newest statements (order-independent: each ticket keeps its newest). */
const boundTickets = (tickets: Record<string, TicketState>): Record<string, TicketState> => {
  const entries = Object.entries(tickets);
  if (entries.length <= MAX_TICKETS) return tickets;
  return Object.fromEntries(entries.sort(([, a], [, b]) => b.stamp.localeCompare(a.stamp)).slice(0, MAX_TICKETS));
};

const mergeTickets = (
  a: Record<string, TicketState> | undefined,
  b: Record<string, TicketState> | undefined,
): Record<string, TicketState> | undefined => {
  if (!a || !b) return a ?? b;
  const out = { ...a };
  for (const [key, state] of Object.entries(b)) {
    const mine = out[key];
    if (!mine || state.stamp > mine.stamp) out[key] = state;
  }
  return boundTickets(out);
};

/** The unrefunded rest of a cancelled order: what its cancellation takes out of revenue (never below zero). */
const cancelledRest = (event: HubEvent & { data: { total: { amountMinor: number; currency: string } } }) => {
  const { total } = event.data;
  const refunded = (event.data as { refunded?: { amountMinor: number; currency: string } }).refunded;
  const already = refunded && refunded.currency === total.currency ? refunded.amountMinor : 0;
  return { currency: total.currency, amountMinor: Math.max(0, total.amountMinor - already) };
};

/** A permanent send failure (flagged `unreachable`) marks its channel; the newest failure wins. */
const markUnreachable = (
  current: Profile['unreachable'],
  event: HubEvent,
): Partial<Record<Channel, UnreachableState>> | undefined => {
  if (event.type !== 'message.failed' || !event.data.error?.unreachable) return current;
  const stamp = stampOf(event);
  const was = current?.[event.channel];
  if (was && stamp <= was.stamp) return current;
  const { code, message } = event.data.error;
  return {
    ...current,
    [event.channel]: { at: event.occurredAt, code, reason: message, source: event.connector, stamp },
  };
};

/**
 * Folds one event into a profile. Pure and deterministic given `now`; the
 * caller guarantees each event is applied at most once (the store's dedupe).
 */
export const applyEvent = (profile: Profile, event: HubEvent, now: string, ctx: ApplyContext = {}): Profile => {
  if (isReceipt(event)) {
    // Counted as a timeline event, linking what it names; nothing the customer did moves.
    const unreachable = markUnreachable(profile.unreachable, event);
    return {
      ...profile,
      identities: unionIdentities(profile.identities, event.customer.identities),
      eventCount: profile.eventCount + 1,
      ...(unreachable ? { unreachable } : {}),
      updatedAt: now,
      version: profile.version + 1,
    };
  }
  const { occurredAt, channel, id } = event;
  const stamp = stampOf(event);

  const traits: Record<string, Traits[string]> = { ...profile.traits };
  const traitTimes: Record<string, string> = { ...profile.traitTimes };
  for (const [key, value] of Object.entries(event.customer.traits ?? {})) {
    if (value === null || value === '') continue;
    const current = traitTimes[key];
    if (current === undefined || stamp > current) {
      traits[key] = value;
      traitTimes[key] = stamp;
    }
  }

  const prev = profile.channels[channel];
  // What the hub made itself (an automation run, a cart it declared abandoned) is no touchpoint on a channel.
  const channels = HUB_MADE_TYPES.has(event.type)
    ? profile.channels
    : {
        ...profile.channels,
        [channel]: prev
          ? {
              firstSeen: minIso(prev.firstSeen, occurredAt),
              lastSeen: maxIso(prev.lastSeen, occurredAt) as string,
              count: prev.count + 1,
            }
          : { firstSeen: occurredAt, lastSeen: occurredAt, count: 1 },
      };

  let { lastChannel, lastInteractionAt, lastInteractionEventId, statedPreference, lastCartAt, tickets } = profile;
  const interaction = INTERACTION_TYPES.has(event.type);
  if (interaction && isNewer(occurredAt, id, lastInteractionAt, lastInteractionEventId)) {
    lastChannel = channel;
    lastInteractionAt = occurredAt;
    lastInteractionEventId = id;
  }
  const caller = advanceCallerState(profile.caller, event, interaction);

  let { inbound, consent, orders, promoCodes } = profile;
  switch (event.type) {
    case 'message.received': {
      const p = inbound[channel];
      inbound = {
        ...inbound,
        [channel]: { count: (p?.count ?? 0) + 1, lastAt: maxIso(p?.lastAt, occurredAt) as string },
      };
      break;
    }
    case 'consent.granted':
    case 'consent.revoked': {
      const target = event.data.channel;
      const current = consent[target];
      if (!current || stamp > current.stamp) {
        consent = {
          ...consent,
          [target]: {
            status: event.type === 'consent.granted' ? 'granted' : 'revoked',
            at: occurredAt,
            source: event.connector,
            ...(event.data.reason ? { reason: event.data.reason } : {}),
            stamp,
          },
        };
      }
      break;
    }
    case 'contact.created':
    case 'contact.updated': {
      const stated = event.data.preferredChannel;
      if (stated && (!statedPreference || stamp > statedPreference.stamp))
        statedPreference = { channel: stated, stamp };
      break;
    }
    case 'cart.updated':
    case 'checkout.started':
      lastCartAt = maxIso(lastCartAt, occurredAt);
      break;
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.solved': {
      const key = ticketKey(event);
      const current = tickets?.[key];
      if (!current || stamp > current.stamp) {
        const { status, subject } = event.data;
        tickets = boundTickets({
          ...tickets,
          [key]: { status, ...(subject ? { subject } : {}), at: occurredAt, source: event.connector, stamp },
        });
      }
      break;
    }
    case 'order.cancelled': {
      // Only an order this profile counted can be taken out; one cancelled first never counted at all.
      if (ctx.newOrder === false) {
        const rest = cancelledRest(event);
        orders = {
          ...orders,
          cancelled: addMoney(orders.cancelled ?? {}, rest.currency, rest.amountMinor),
          cancelledCount: (orders.cancelledCount ?? 0) + 1,
        };
      }
      break;
    }
    case 'order.refunded': {
      const refund = event.data.refunded ?? event.data.total;
      orders = { ...orders, refunded: addMoney(orders.refunded, refund.currency, refund.amountMinor) };
      break;
    }
    case 'order.placed':
    case 'order.paid':
    case 'purchase.completed': {
      const isNew = ctx.newOrder !== false;
      // Dates move with every event of an order, so they don't depend on which of its events came first.
      orders = {
        ...orders,
        count: orders.count + (isNew ? 1 : 0),
        revenue: isNew
          ? addMoney(orders.revenue, event.data.total.currency, event.data.total.amountMinor)
          : orders.revenue,
        firstAt: orders.firstAt === undefined ? occurredAt : minIso(orders.firstAt, occurredAt),
        lastAt: maxIso(orders.lastAt, occurredAt) as string,
      };
      if (event.data.promoCodes?.length) promoCodes = unionBounded(promoCodes, event.data.promoCodes, MAX_PROMO_CODES);
      break;
    }
    default:
      break;
  }

  return {
    ...profile,
    identities: unionIdentities(profile.identities, event.customer.identities),
    traits,
    traitTimes,
    channels,
    inbound,
    consent,
    orders,
    promoCodes,
    ...(statedPreference ? { statedPreference } : {}),
    ...(lastCartAt ? { lastCartAt } : {}),
    ...(tickets ? { tickets } : {}),
    ...(lastChannel ? { lastChannel } : {}),
    ...(lastInteractionAt ? { lastInteractionAt } : {}),
    ...(lastInteractionEventId ? { lastInteractionEventId } : {}),
    ...(caller ? { caller } : {}),
    firstSeenAt: minIso(profile.firstSeenAt, occurredAt),
    eventCount: profile.eventCount + 1,
    updatedAt: now,
    version: profile.version + 1,
  };
};

/**
 * Folds a customer's events from scratch (unmerge recomputes both sides this
 * way). Tracks order ids itself so an order counts once.
 */
export const foldEvents = (base: Profile, events: readonly HubEvent[], now: string): Profile => {
  const seenOrders = new Set<string>();
  return events.reduce((profile, event) => {
    const key = orderKey(event);
    const newOrder = key !== undefined && ORDER_TYPES.has(event.type) ? !seenOrders.has(key) : undefined;
    if (key && ORDER_TYPES.has(event.type)) seenOrders.add(key);
    return applyEvent(profile, event, now, newOrder === undefined ? {} : { newOrder });
  }, base);
};

const newerBy = <T extends { stamp: string }>(a: T | undefined, b: T | undefined): T | undefined =>
  a === undefined ? b : b === undefined ? a : b.stamp > a.stamp ? b : a;

/**
 * Merges `loser` into `survivor`. Equivalent to having folded both profiles'
 * events into one (stats add up, nothing counts twice as long as the two
 * never counted the same order — orders are keyed globally by the store).
 */
export const combineProfiles = (survivor: Profile, loser: Profile, now: string): Profile => {
  const traits: Record<string, Traits[string]> = { ...survivor.traits };
  const traitTimes = { ...survivor.traitTimes };
  for (const [key, stamp] of Object.entries(loser.traitTimes)) {
    const current = traitTimes[key];
    if (current === undefined || stamp > current) {
      traits[key] = loser.traits[key] as Traits[string];
      traitTimes[key] = stamp;
    }
  }
  const channels: Partial<Record<Channel, ChannelStats>> = { ...survivor.channels };
  for (const [c, stats] of Object.entries(loser.channels) as [Channel, ChannelStats][]) {
    const mine = channels[c];
    channels[c] = mine
      ? {
          firstSeen: minIso(mine.firstSeen, stats.firstSeen),
          lastSeen: maxIso(mine.lastSeen, stats.lastSeen) as string,
          count: mine.count + stats.count,
        }
      : stats;
  }
  const inbound = { ...survivor.inbound };
  for (const [c, stats] of Object.entries(loser.inbound) as [Channel, { count: number; lastAt: string }][]) {
    const mine = inbound[c];
    inbound[c] = mine
      ? { count: mine.count + stats.count, lastAt: maxIso(mine.lastAt, stats.lastAt) as string }
      : stats;
  }
  const consent = { ...survivor.consent };
  for (const [c, state] of Object.entries(loser.consent) as [Channel, ConsentState][])
    consent[c] = newerBy(consent[c], state) as ConsentState;
  const unreachable = survivor.unreachable || loser.unreachable ? { ...survivor.unreachable } : undefined;
  for (const [c, state] of Object.entries(loser.unreachable ?? {}) as [Channel, UnreachableState][])
    if (unreachable) unreachable[c] = newerBy(unreachable[c], state) as UnreachableState;
  const loserIsLast =
    loser.lastInteractionAt !== undefined &&
    isNewer(
      loser.lastInteractionAt,
      loser.lastInteractionEventId ?? '',
      survivor.lastInteractionAt,
      survivor.lastInteractionEventId,
    );
  const last = loserIsLast ? loser : survivor;
  const statedPreference = newerBy(survivor.statedPreference, loser.statedPreference);
  const lastCartAt = maxIso(survivor.lastCartAt, loser.lastCartAt);
  const tickets = mergeTickets(survivor.tickets, loser.tickets);
  const cancelled =
    survivor.orders.cancelled || loser.orders.cancelled
      ? sumMoney(survivor.orders.cancelled ?? {}, loser.orders.cancelled ?? {})
      : undefined;
  const cancelledCount = (survivor.orders.cancelledCount ?? 0) + (loser.orders.cancelledCount ?? 0);
  const holdsBefore = maxIso(survivor.holdsBefore, loser.holdsBefore);
  const caller = combineCallerState(survivor.caller, loser.caller);
  const firstOrder = [survivor.orders.firstAt, loser.orders.firstAt].filter((x): x is string => Boolean(x)).sort()[0];
  const lastOrder = maxIso(survivor.orders.lastAt, loser.orders.lastAt);
  return {
    ...survivor,
    identities: unionIdentities(survivor.identities, loser.identities),
    traits,
    traitTimes,
    channels,
    inbound,
    consent,
    ...(unreachable ? { unreachable } : {}),
    ...(statedPreference ? { statedPreference } : {}),
    orders: {
      count: survivor.orders.count + loser.orders.count,
      revenue: sumMoney(survivor.orders.revenue, loser.orders.revenue),
      refunded: sumMoney(survivor.orders.refunded, loser.orders.refunded),
      ...(cancelled ? { cancelled } : {}),
      ...(cancelledCount ? { cancelledCount } : {}),
      ...(firstOrder ? { firstAt: firstOrder } : {}),
      ...(lastOrder ? { lastAt: lastOrder } : {}),
    },
    promoCodes: unionBounded(survivor.promoCodes, loser.promoCodes, MAX_PROMO_CODES),
    ...(lastCartAt ? { lastCartAt } : {}),
    ...(tickets ? { tickets } : {}),
    ...(holdsBefore ? { holdsBefore } : {}),
    ...(caller ? { caller } : {}),
    ...(last.lastChannel ? { lastChannel: last.lastChannel } : {}),
    ...(last.lastInteractionAt ? { lastInteractionAt: last.lastInteractionAt } : {}),
    ...(last.lastInteractionEventId ? { lastInteractionEventId: last.lastInteractionEventId } : {}),
    firstSeenAt: minIso(survivor.firstSeenAt, loser.firstSeenAt),
    eventCount: survivor.eventCount + loser.eventCount,
    mergedIds: unionBounded(survivor.mergedIds, [...loser.mergedIds, loser.customerId], 1_000),
    warnings: unionBounded(survivor.warnings, loser.warnings, MAX_WARNINGS),
    createdAt: minIso(survivor.createdAt, loser.createdAt),
    updatedAt: now,
    version: survivor.version + 1,
  };
};

/** Adds guard-rail warnings (bounded, de-duplicated). */
export const withWarnings = (profile: Profile, warnings: readonly string[]): Profile =>
  warnings.length === 0 ? profile : { ...profile, warnings: unionBounded(profile.warnings, warnings, MAX_WARNINGS) };

export const toTimelineItem = (event: HubEvent, customerId: string): TimelineItem => ({
  eventId: event.id,
  customerId,
  type: event.type,
  channel: event.channel,
  connector: event.connector,
  providerEventId: event.providerEventId,
  occurredAt: event.occurredAt,
  receivedAt: event.receivedAt,
  summary: event.summary,
  identities: event.customer.identities,
  traits: event.customer.traits ?? {},
  data: event.data,
});

/** The event a timeline item was made from (for recomputing a profile). */
export const fromTimelineItem = (item: TimelineItem): HubEvent =>
  ({
    schemaVersion: 1,
    id: item.eventId,
    connector: item.connector,
    providerEventId: item.providerEventId,
    type: item.type,
    channel: item.channel,
    occurredAt: item.occurredAt,
    receivedAt: item.receivedAt,
    customer: { identities: item.identities, traits: item.traits },
    summary: item.summary,
    data: item.data,
  }) as HubEvent;
