/**
 * Caller recognition: what an agent's screen shows while the phone rings —
 * who it is, what she is worth, what she is waiting for and what happened
 * last. Pure: built from the stored profile and its newest timeline items,
 * so it is always as current as the customer view itself.
 */
import type { Channel, HubEventType, Money } from '../events/hub-event.js';
import type { Profile, TimelineItem } from './profile.js';
import { computeTraits, type TraitOptions } from './traits.js';

/** How many of the newest timeline items the card looks at for open requests and the last interaction. */
export const CALLER_RECENT_ITEMS = 20;

/** A request the customer is waiting on: a lead or callback nobody followed up yet, an unsolved ticket. */
export interface OpenRequest {
  readonly kind: 'lead' | 'ticket';
  readonly type: string;
  readonly at: string;
  readonly summary: string;
  readonly channel: Channel;
}

export interface CallerCard {
  readonly customerId: string;
  /** `traits.name`, else first and last name; absent when no source ever named her. */
  readonly name?: string;
  readonly lifetimeValue?: Money;
  readonly orderCount: number;
  readonly openLeads: number;
  readonly openTickets: number;
  /** Newest first. */
  readonly open: OpenRequest[];
  readonly lastInteraction?: {
    readonly at: string;
    readonly channel?: Channel;
    readonly type?: HubEventType;
    readonly summary?: string;
  };
  /** The customer's page in the console, when the console's address is configured. */
  readonly consoleUrl?: string;
}

const LEAD_TYPES: ReadonlySet<string> = new Set(['lead.submitted', 'callback.requested']);

/**
 * What follows a lead up: a sale, a CRM deal moving, a call the business
 * answered or made. A lead with any of these after it is no longer waiting.
 */
const FOLLOW_UP_TYPES: ReadonlySet<string> = new Set([
  'order.placed',
  'order.paid',
  'purchase.completed',
  'deal.stage_changed',
  'call.completed',
  'message.sent',
]);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/** The name a person would say: `name`, else `firstName lastName`. */
export const displayName = (traits: Profile['traits']): string | undefined => {
  const name = text(traits.name) ?? text(traits.fullName);
  if (name) return name;
  const parts = [text(traits.firstName), text(traits.lastName)].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
};

/**
 * Ticket events (`ticket.created|updated|solved`, from help-desk
 * connectors) are read by their type string and `data.ticketId`, so a
 * ticket counts open until a `ticket.solved` (or `ticket.closed`) for the
 * same id is newer.
 */
const openTickets = (recent: readonly TimelineItem[]): TimelineItem[] => {
  const byTicket = new Map<string, TimelineItem>();
  // Newest first: the first item seen per ticket is its current state.
  for (const item of recent) {
    if (!String(item.type).startsWith('ticket.')) continue;
    const id = text((item.data as { ticketId?: unknown } | null)?.ticketId) ?? item.providerEventId;
    if (!byTicket.has(id)) byTicket.set(id, item);
  }
  return [...byTicket.values()].filter((i) => !/^ticket\.(solved|closed)$/.test(String(i.type)));
};

/** Leads and callback requests newer than every follow-up. */
const openLeads = (recent: readonly TimelineItem[]): TimelineItem[] => {
  const followUp = recent.find((i) => FOLLOW_UP_TYPES.has(i.type));
  return recent.filter((i) => LEAD_TYPES.has(i.type) && (!followUp || i.occurredAt > followUp.occurredAt));
};

const asOpen = (kind: OpenRequest['kind'], i: TimelineItem): OpenRequest => ({
  kind,
  type: i.type,
  at: i.occurredAt,
  summary: i.summary,
  channel: i.channel,
});

/**
 * The card for a profile, given its newest timeline items (newest first, at
 * most `CALLER_RECENT_ITEMS`). `consoleBaseUrl` is the console's address;
 * the link opens the customer's page (`#/customers/<id>`).
 */
export const toCallerCard = (
  profile: Profile,
  recent: readonly TimelineItem[],
  options: TraitOptions & { readonly consoleBaseUrl?: string },
): CallerCard => {
  const computed = computeTraits(profile, options);
  const name = displayName(profile.traits);
  const leads = openLeads(recent);
  const tickets = openTickets(recent);
  const last =
    recent.find((i) => i.eventId === profile.lastInteractionEventId) ??
    (profile.lastInteractionAt ? undefined : recent[0]);
  const lastAt = profile.lastInteractionAt ?? last?.occurredAt;
  return {
    customerId: profile.customerId,
    ...(name ? { name } : {}),
    ...(computed.lifetimeValue ? { lifetimeValue: computed.lifetimeValue } : {}),
    orderCount: profile.orders.count,
    openLeads: leads.length,
    openTickets: tickets.length,
    open: [...leads.map((i) => asOpen('lead', i)), ...tickets.map((i) => asOpen('ticket', i))].sort((a, b) =>
      b.at.localeCompare(a.at),
    ),
    ...(lastAt
      ? {
          lastInteraction: {
            at: lastAt,
            ...((profile.lastChannel ?? last?.channel) ? { channel: profile.lastChannel ?? last?.channel } : {}),
            ...(last ? { type: last.type, summary: last.summary } : {}),
          },
        }
      : {}),
    ...(options.consoleBaseUrl ? { consoleUrl: consoleLink(options.consoleBaseUrl, profile.customerId) } : {}),
  };
};

/** `https://console.example/#/customers/cus_…`: the console's hash route of a customer (ids only, never a phone). */
export const consoleLink = (consoleBaseUrl: string, customerId: string): string =>
  `${consoleBaseUrl.replace(/\/+$/, '')}/#/customers/${encodeURIComponent(customerId)}`;
