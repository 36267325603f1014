/**
 * The caller card as stored: one item per phone number (`K#<E.164>` / `K`)
 * holding what a screen-pop shows, so `GET /v1/lookup` and Binotel's
 * `apiCallSettings` answer from one key read.
 *
 * The card is a pure function of the profile (`storedCardOf`): name, order
 * aggregates (lifetime value is computed from them when read, with the
 * reader's trait options), open leads and tickets, and the last interaction.
 * What the profile did not already hold for it is kept in `Profile.caller`
 * (`CallerState`), folded by `advanceCallerState` with every event and
 * combined on merges, so unmerge recomputes it from the timeline like any
 * other field.
 *
 * Written by the profile writer only when a card field changes
 * (`cardSteps`): a returning message changes none — except the last
 * interaction, which the card shows as the first interaction of the newest
 * 15-minute window (`LAST_INTERACTION_SLACK_MS`: a conversation moves it at
 * most once per window), so the common path stays at its two writes. Each put is conditional on being newer
 * (`supersedes`), so two writers of one profile cannot leave the older card.
 */
import type { Channel, HubEvent, HubEventType } from '../events/hub-event.js';
import type { OrderStats, Profile, TicketState } from './profile.js';
import { ownedBy, put, remove, type Condition, type ItemKey, type Step, type StoredItem } from './store-model.js';

/** The window the card's last interaction is kept to: it may trail the newest by up to this (the price of 2 WCU a message). */
export const LAST_INTERACTION_SLACK_MS = 15 * 60 * 1000;
/** Open leads kept on the card (newest). */
export const MAX_OPEN_LEADS = 5;
/** Summaries on the card are cut to this (a screen-pop line, and the profile item stays small). */
const SUMMARY_CHARS = 120;

const LEAD_TYPES: ReadonlySet<string> = new Set(['lead.submitted', 'callback.requested']);

/**
 * What follows a lead up: a sale, a CRM deal moving, a call the business
 * answered or made, a message the business sent. A lead older than any of
 * these is no longer waiting.
 */
const FOLLOW_UP_TYPES: ReadonlySet<string> = new Set([
  'order.placed',
  'order.paid',
  'purchase.completed',
  'deal.stage_changed',
  'call.completed',
  'message.sent',
]);

/** One interaction as the card shows it. */
export interface CardInteraction {
  readonly at: string;
  readonly channel: Channel;
  readonly type: HubEventType;
  readonly summary: string;
  readonly eventId: string;
}

/** What the card needs beyond the profile's own fields (`Profile.caller`). */
export interface CallerState {
  /** The interaction the card shows: the first of the newest `LAST_INTERACTION_SLACK_MS` window. */
  readonly last?: CardInteraction;
  /** Leads and callback requests newer than `followUpAt`, newest first (bounded). */
  readonly leads?: readonly CardInteraction[];
  /** The newest follow-up (`FOLLOW_UP_TYPES`). */
  readonly followUpAt?: string;
}

const cut = (s: string): string => (s.length > SUMMARY_CHARS ? `${s.slice(0, SUMMARY_CHARS - 1)}…` : s);

const interactionOf = (event: HubEvent): CardInteraction => ({
  at: event.occurredAt,
  channel: event.channel,
  type: event.type,
  summary: cut(event.summary),
  eventId: event.id,
});

const newestFirst = (a: CardInteraction, b: CardInteraction) =>
  b.at.localeCompare(a.at) || b.eventId.localeCompare(a.eventId);

const openLeadsAfter = (leads: readonly CardInteraction[], followUpAt: string | undefined): CardInteraction[] => {
  const byId = new Map<string, CardInteraction>();
  for (const l of leads) if (!followUpAt || l.at > followUpAt) byId.set(l.eventId, l);
  return [...byId.values()].sort(newestFirst).slice(0, MAX_OPEN_LEADS);
};

const withoutEmpty = (state: CallerState): CallerState | undefined => {
  const out: { -readonly [K in keyof CallerState]: CallerState[K] } = {};
  if (state.last) out.last = state.last;
  if (state.leads?.length) out.leads = state.leads;
  if (state.followUpAt) out.followUpAt = state.followUpAt;
  return Object.keys(out).length ? out : undefined;
};

const bucketOf = (at: string): number => Math.floor(Date.parse(at) / LAST_INTERACTION_SLACK_MS);

/**
 * The interaction the card shows of two: the first one of the newest
 * `LAST_INTERACTION_SLACK_MS` window. A function of the set of interactions,
 * so the card does not depend on the order events arrive in, and merges
 * combine the same way.
 */
const shownOf = (a: CardInteraction | undefined, b: CardInteraction | undefined): CardInteraction | undefined => {
  if (!a || !b) return a ?? b;
  const [ba, bb] = [bucketOf(a.at), bucketOf(b.at)];
  if (ba !== bb) return ba > bb ? a : b;
  return a.at < b.at || (a.at === b.at && a.eventId <= b.eventId) ? a : b;
};

/**
 * The caller state after `event`. `interaction`: the event is the customer
 * acting (what can be her last interaction; the reducer decides). The shown
 * interaction is the first of the newest 15-minute window, so a conversation
 * moves it at most once per window: what keeps a returning message from
 * rewriting the card.
 */
export const advanceCallerState = (
  state: CallerState | undefined,
  event: HubEvent,
  interaction: boolean,
): CallerState | undefined => {
  const s = state ?? {};
  let { leads, followUpAt } = s;
  const last = interaction ? shownOf(s.last, interactionOf(event)) : s.last;
  if (FOLLOW_UP_TYPES.has(event.type) && (!followUpAt || event.occurredAt > followUpAt)) {
    followUpAt = event.occurredAt;
    leads = openLeadsAfter(leads ?? [], followUpAt);
  }
  if (LEAD_TYPES.has(event.type) && (!followUpAt || event.occurredAt > followUpAt))
    leads = openLeadsAfter([...(leads ?? []), interactionOf(event)], followUpAt);
  return withoutEmpty({
    ...(last ? { last } : {}),
    ...(leads ? { leads } : {}),
    ...(followUpAt ? { followUpAt } : {}),
  });
};

/** The caller state of two merged profiles: as if one profile had seen both's events. */
export const combineCallerState = (a: CallerState | undefined, b: CallerState | undefined): CallerState | undefined => {
  if (!a || !b) return a ?? b;
  const last = shownOf(a.last, b.last);
  const followUpAt =
    [a.followUpAt, b.followUpAt].filter((x): x is string => Boolean(x)).sort()[1] ?? a.followUpAt ?? b.followUpAt;
  const leads = openLeadsAfter([...(a.leads ?? []), ...(b.leads ?? [])], followUpAt);
  return withoutEmpty({ ...(last ? { last } : {}), leads, ...(followUpAt ? { followUpAt } : {}) });
};

// ---------------------------------------------------------------- the stored card

/** An open request as the card lists it. */
export interface StoredOpenRequest {
  readonly kind: 'lead' | 'ticket';
  readonly type: string;
  readonly at: string;
  readonly summary: string;
  readonly channel: Channel;
}

/** What a card item holds (besides its key and `version`). */
export interface StoredCard {
  readonly customerId: string;
  readonly name?: string;
  /** The profile's order aggregates: lifetime value is computed from them when the card is read. */
  readonly orders: OrderStats;
  readonly open: readonly StoredOpenRequest[];
  readonly lastInteraction?: {
    readonly at: string;
    readonly channel?: Channel;
    readonly type?: HubEventType;
    readonly summary?: string;
  };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/** The name a person would say: `name`, else `firstName lastName`. */
export const displayName = (traits: Profile['traits']): string | undefined => {
  const name = text(traits.name) ?? text(traits.fullName);
  if (name) return name;
  const parts = [text(traits.firstName), text(traits.lastName)].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
};

const openTicket = ([, t]: [string, TicketState]): StoredOpenRequest => ({
  kind: 'ticket',
  type: t.status === 'new' ? 'ticket.created' : 'ticket.updated',
  at: t.at,
  summary: t.subject ?? 'Ticket',
  channel: 'helpdesk',
});

/** The card of a profile: what the screen-pop shows, as stored (no clock, no configuration in it). */
export const storedCardOf = (profile: Profile): StoredCard => {
  const name = displayName(profile.traits);
  const state = profile.caller;
  const tickets = Object.entries(profile.tickets ?? {})
    .filter(([, t]) => t.status !== 'solved' && t.status !== 'closed')
    .map(openTicket);
  const leads = (state?.leads ?? []).map(
    (l): StoredOpenRequest => ({ kind: 'lead', type: l.type, at: l.at, summary: l.summary, channel: l.channel }),
  );
  const shown = state?.last;
  // Profiles written before the card existed have no shown interaction: the profile's own time and channel.
  const lastInteraction = shown
    ? { at: shown.at, channel: shown.channel, type: shown.type, summary: shown.summary }
    : profile.lastInteractionAt
      ? { at: profile.lastInteractionAt, ...(profile.lastChannel ? { channel: profile.lastChannel } : {}) }
      : undefined;
  return {
    customerId: profile.customerId,
    ...(name ? { name } : {}),
    orders: profile.orders,
    open: [...leads, ...tickets].sort((a, b) => b.at.localeCompare(a.at)),
    ...(lastInteraction ? { lastInteraction } : {}),
  };
};

/** The phone numbers (E.164) a profile's cards are kept under. */
export const cardPhones = (profile: Pick<Profile, 'identities'>): string[] =>
  profile.identities.filter((i) => i.type === 'phone').map((i) => i.value);

/** Partition-key prefix of every card item: all the lookup may read (the ingest function's grant). */
export const CARD_KEY_PREFIX = 'K#';

export const cardKey = (phone: string): ItemKey => ({ pk: `${CARD_KEY_PREFIX}${phone}`, sk: 'K' });

/**
 * A card put wins unless the stored card is this customer's at a newer or
 * equal version: a late writer of an older version loses, another
 * customer's card (a merge, an unmerge moving the phone) is replaced.
 */
const supersedes = (customerId: string, version: number): Condition => ({ kind: 'supersedes', customerId, version });

const cardItem = (phone: string, card: StoredCard, version: number): StoredItem => ({
  ...cardKey(phone),
  ...card,
  version,
});

/** JSON with object keys sorted: a card read back from DynamoDB has its attributes in any order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const sameCard = (a: StoredCard, b: StoredCard): boolean => canonical(a) === canonical(b);

const cardPut = (phone: string, card: StoredCard, profile: Profile, name: string): Step => ({
  kind: 'write',
  name,
  onFail: 'skip',
  write: put(cardItem(phone, card, profile.version), supersedes(profile.customerId, profile.version)),
});

/**
 * The card writes after `after` was committed, given the profile before
 * (`before`; undefined for a new profile or a merge, which always write):
 * none when no card field and no phone changed.
 */
export const cardSteps = (before: Profile | undefined, after: Profile, name = 'card'): Step[] => {
  const phones = cardPhones(after);
  if (!phones.length) return [];
  const card = storedCardOf(after);
  if (
    before &&
    before.customerId === after.customerId &&
    sameCard(storedCardOf(before), card) &&
    cardPhones(before).join() === phones.join()
  )
    return [];
  return phones.map((phone, i) => cardPut(phone, card, after, `${name}-${i}`));
};

/**
 * The card writes a redelivery makes: only for cards that are missing or
 * differ from the profile (`found`: the cards read, by phone) — how a crash
 * between the profile write and its card write is healed.
 */
export const staleCardSteps = (profile: Profile, found: ReadonlyMap<string, StoredCard | null>): Step[] => {
  const card = storedCardOf(profile);
  return cardPhones(profile)
    .filter((phone) => {
      const stored = found.get(phone);
      return !stored || !sameCard(stored, card);
    })
    .map((phone, i) => cardPut(phone, card, profile, `card-heal-${i}`));
};

/** Deletes the cards of `phones` still held by one of `family` (erasure). */
export const cardDeletes = (phones: readonly string[], family: readonly string[], name = 'uncard'): Step[] =>
  phones.map(
    (phone, i): Step => ({
      kind: 'write',
      name: `${name}-${i}`,
      onFail: 'skip',
      write: remove(cardKey(phone), ownedBy(family)),
    }),
  );

/** A card item as read. */
export const fromCardItem = (item: StoredItem): StoredCard => {
  const { pk: _pk, sk: _sk, version: _v, ...card } = item;
  return card as unknown as StoredCard;
};
