/**
 * Computed traits of a profile, derived from its stored aggregates whenever
 * the profile is read, so they are always current (abandoned carts depend on
 * the clock) and can never drift from the facts they are computed from.
 */
import { MESSAGING_CHANNELS, type Channel, type Money } from '../events/hub-event.js';
import type { Profile } from './profile.js';

export interface TraitOptions {
  readonly now: Date;
  /** Expected customer lifespan for lifetime value, in years. @default 3 */
  readonly lifespanYears?: number;
  /** A cart with no order for this long is abandoned. @default 24 */
  readonly abandonedCartAfterHours?: number;
}

export interface ComputedTraits {
  /** Net revenue (gross − refunds − cancelled orders) in the customer's main currency. */
  readonly netRevenue?: Money;
  readonly averageOrderValue?: Money;
  /** Orders per year over the customer's buying period (at least one year). */
  readonly purchaseFrequency?: number;
  /** averageOrderValue × purchaseFrequency × lifespanYears. */
  readonly lifetimeValue?: Money;
  readonly preferredChannel?: Channel;
  readonly abandonedCart: boolean;
}

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** Whether the business may message the customer on a channel: not revoked (silence is not a "no"). */
const mayContact = (profile: Profile, channel: Channel): boolean => profile.consent[channel]?.status !== 'revoked';

/**
 * The messaging channel the customer actually answers in: a stated
 * preference (CRM or the customer) first, else the channel she wrote in most
 * often (ties → most recently); never one she revoked consent for.
 */
export const preferredChannel = (profile: Profile): Channel | undefined => {
  const stated = profile.statedPreference?.channel;
  if (stated && mayContact(profile, stated)) return stated;
  const candidates = (Object.entries(profile.inbound) as [Channel, { count: number; lastAt: string }][])
    .filter(([channel]) => MESSAGING_CHANNELS.includes(channel) && mayContact(profile, channel))
    .sort(([, a], [, b]) => b.count - a.count || b.lastAt.localeCompare(a.lastAt));
  return candidates[0]?.[0];
};

export const computeTraits = (profile: Profile, options: TraitOptions): ComputedTraits => {
  const lifespanYears = options.lifespanYears ?? 3;
  const abandonedAfterMs = (options.abandonedCartAfterHours ?? 24) * 3600 * 1000;
  const { orders } = profile;
  const abandonedCart =
    profile.lastCartAt !== undefined &&
    (orders.lastAt === undefined || orders.lastAt < profile.lastCartAt) &&
    options.now.getTime() - Date.parse(profile.lastCartAt) >= abandonedAfterMs;
  const preferred = preferredChannel(profile);
  const base = { abandonedCart, ...(preferred ? { preferredChannel: preferred } : {}) };
  return { ...base, ...orderTraits(profile.orders, lifespanYears) };
};

/**
 * Net revenue, average order, frequency and lifetime value from the order
 * aggregates alone (the caller card stores only these); empty with no sale.
 */
export const orderTraits = (
  orders: Profile['orders'],
  lifespanYears = 3,
): Pick<ComputedTraits, 'netRevenue' | 'averageOrderValue' | 'purchaseFrequency' | 'lifetimeValue'> => {
  // A cancelled order is not a sale: it leaves the count and (its unrefunded rest) the revenue.
  const sales = orders.count - (orders.cancelledCount ?? 0);
  if (sales <= 0 || !orders.firstAt || !orders.lastAt) return {};

  // Several currencies: report in the one with the most revenue (documented limitation).
  const [currency, gross] = Object.entries(orders.revenue).sort(([, a], [, b]) => b - a)[0] as [string, number];
  const net = gross - (orders.refunded[currency] ?? 0) - (orders.cancelled?.[currency] ?? 0);
  const aov = Math.round(net / sales);
  const buyingYears = Math.max(1, (Date.parse(orders.lastAt) - Date.parse(orders.firstAt)) / YEAR_MS);
  const frequency = sales / buyingYears;
  return {
    netRevenue: { amountMinor: net, currency },
    averageOrderValue: { amountMinor: aov, currency },
    purchaseFrequency: Math.round(frequency * 100) / 100,
    lifetimeValue: { amountMinor: Math.round(aov * frequency * lifespanYears), currency },
  };
};

/** The profile as the read API shows it: bookkeeping left out, computed traits in, stable key order. */
export const toProfileView = (p: Profile, options: TraitOptions) => ({
  customerId: p.customerId,
  identities: p.identities,
  traits: p.traits,
  computed: computeTraits(p, options),
  channels: p.channels,
  ...(p.lastChannel ? { lastChannel: p.lastChannel } : {}),
  ...(p.lastInteractionAt ? { lastInteractionAt: p.lastInteractionAt } : {}),
  consent: Object.fromEntries(Object.entries(p.consent).map(([c, { stamp: _stamp, ...state }]) => [c, state])),
  ...(p.unreachable && Object.keys(p.unreachable).length
    ? {
        unreachable: Object.fromEntries(
          Object.entries(p.unreachable).map(([c, { stamp: _stamp, ...state }]) => [c, state]),
        ),
      }
    : {}),
  orders: p.orders,
  promoCodes: p.promoCodes,
  ...(p.lastCartAt ? { lastCartAt: p.lastCartAt } : {}),
  ...(p.tickets && Object.keys(p.tickets).length
    ? {
        tickets: Object.fromEntries(Object.entries(p.tickets).map(([k, { stamp: _stamp, ...state }]) => [k, state])),
      }
    : {}),
  firstSeenAt: p.firstSeenAt,
  eventCount: p.eventCount,
  ...(p.mergedIds.length ? { mergedIds: p.mergedIds } : {}),
  ...(p.warnings.length ? { warnings: p.warnings } : {}),
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  version: p.version,
});
