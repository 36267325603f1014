/**
 * Caller recognition: what an agent's screen shows while the phone rings —
 * who it is, what she is worth, what she is waiting for and what happened
 * last. Pure: the answer made from the stored caller card
 * (`caller-card.ts`, kept by the profile writer), with lifetime value
 * computed from the card's order aggregates by the reader's trait options and
 * the console link from the reader's configuration.
 */
import type { Channel, HubEventType, Money } from '../events/hub-event.js';
import { storedCardOf, type StoredCard, type StoredOpenRequest } from './caller-card.js';
import type { Profile } from './profile.js';
import { orderTraits } from './traits.js';

export { displayName } from './caller-card.js';

/** A request the customer is waiting on: a lead or callback nobody followed up yet, an unsolved ticket. */
export type OpenRequest = StoredOpenRequest;

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

export interface CallerCardOptions {
  /** Expected customer lifespan for lifetime value, in years. @default 3 */
  readonly lifespanYears?: number;
  /** The console's address; the link opens the customer's page (`#/customers/<id>`). */
  readonly consoleBaseUrl?: string;
}

/** The answer for a stored card. */
export const toCallerCard = (card: StoredCard, options: CallerCardOptions = {}): CallerCard => {
  const { lifetimeValue } = orderTraits(card.orders, options.lifespanYears);
  return {
    customerId: card.customerId,
    ...(card.name ? { name: card.name } : {}),
    ...(lifetimeValue ? { lifetimeValue } : {}),
    orderCount: card.orders.count,
    openLeads: card.open.filter((o) => o.kind === 'lead').length,
    openTickets: card.open.filter((o) => o.kind === 'ticket').length,
    open: [...card.open],
    ...(card.lastInteraction ? { lastInteraction: card.lastInteraction } : {}),
    ...(options.consoleBaseUrl ? { consoleUrl: consoleLink(options.consoleBaseUrl, card.customerId) } : {}),
  };
};

/** The answer for a profile (a profile whose card is not written yet: one written before cards existed). */
export const callerCardOfProfile = (profile: Profile, options: CallerCardOptions = {}): CallerCard =>
  toCallerCard(storedCardOf(profile), options);

/** `https://console.example/#/customers/cus_…`: the console's hash route of a customer (ids only, never a phone). */
export const consoleLink = (consoleBaseUrl: string, customerId: string): string =>
  `${consoleBaseUrl.replace(/\/+$/, '')}/#/customers/${encodeURIComponent(customerId)}`;
