/**
 * What an event changed of the customer that other systems keep — traits,
 * identities, consent, the channel she answers in, and her lifetime value
 * crossing a configured threshold — as the `customer.created` /
 * `customer.updated` notifications the profile write puts in the outbox.
 * Pure: the profile before and after one write in, the notification out.
 * Counters, timestamps and channel statistics are no such change: a
 * returning message that moves only those yields nothing (and stays on the
 * store's two-write path).
 */
import { customerEvent, PROFILE_FIELDS, type ProfileChanges, type ProfileField } from '../events/customer-events.js';
import type { Channel, Money, Traits } from '../events/hub-event.js';
import { identityKey } from './identity.js';
import type { Profile } from './profile.js';
import { notificationOf, type Notification } from './store-model.js';
import { computeTraits, preferredChannel } from './traits.js';

/** A lifetime value at which subscribers want to hear about a customer (minor units, one currency). */
export type LifetimeValueThreshold = Money;

export interface ChangeOptions {
  /** Expected customer lifespan for lifetime value, in years. @default 3 */
  readonly lifespanYears?: number;
  /** Crossing one of these (up or down) is a change of `lifetimeValue`; none → lifetime value never is. */
  readonly lifetimeValueThresholds?: readonly LifetimeValueThreshold[];
}

/** The lifetime value (computed, never stored) of a profile. */
const lifetimeValueOf = (profile: Profile | undefined, lifespanYears: number | undefined): Money | undefined =>
  profile ? computeTraits(profile, { now: new Date(0), lifespanYears: lifespanYears ?? 3 }).lifetimeValue : undefined;

/** Amount in `currency`: a value in another currency (or none) counts as 0 there. */
const amountIn = (value: Money | undefined, currency: string): number =>
  value?.currency === currency ? value.amountMinor : 0;

/**
 * The thresholds a lifetime value crossed between `before` and `after`, each
 * with its direction. A threshold is reached at its amount exactly (`≥`);
 * only thresholds in the currency of either value can be crossed.
 */
export const crossedThresholds = (
  before: Money | undefined,
  after: Money | undefined,
  thresholds: readonly LifetimeValueThreshold[],
): { threshold: Money; direction: 'up' | 'down' }[] =>
  thresholds
    .filter((t) => t.currency === before?.currency || t.currency === after?.currency)
    .flatMap((threshold) => {
      const was = amountIn(before, threshold.currency) >= threshold.amountMinor;
      const is = amountIn(after, threshold.currency) >= threshold.amountMinor;
      if (was === is) return [];
      return [{ threshold, direction: is ? ('up' as const) : ('down' as const) }];
    })
    .sort((a, b) => a.threshold.amountMinor - b.threshold.amountMinor);

const sameTrait = (a: Traits[string] | undefined, b: Traits[string] | undefined): boolean => a === b;

/**
 * What changed between two states of one profile (`before` undefined: the
 * profile is new, and everything it has counts); undefined when nothing did.
 */
export const profileChanges = (
  before: Profile | undefined,
  after: Profile,
  options: ChangeOptions = {},
): { changed: ProfileField[]; changes: ProfileChanges } | undefined => {
  const changes: { -readonly [K in keyof ProfileChanges]: ProfileChanges[K] } = {};

  const traits: Traits = {};
  for (const [key, value] of Object.entries(after.traits))
    if (!sameTrait(before?.traits[key], value)) traits[key] = value;
  for (const key of Object.keys(before?.traits ?? {})) if (!(key in after.traits)) traits[key] = null;
  if (Object.keys(traits).length) changes.traits = traits;

  const known = new Set((before?.identities ?? []).map(identityKey));
  const identities = after.identities.filter((i) => !known.has(identityKey(i)));
  if (identities.length) changes.identities = identities;

  const consent: NonNullable<ProfileChanges['consent']> = {};
  for (const [channel, state] of Object.entries(after.consent) as [Channel, NonNullable<Profile['consent'][Channel]>][])
    if (before?.consent[channel]?.status !== state.status) consent[channel] = { status: state.status, at: state.at };
  if (Object.keys(consent).length) changes.consent = consent;

  const preferredBefore = before ? preferredChannel(before) : undefined;
  const preferredAfter = preferredChannel(after);
  if (preferredBefore !== preferredAfter)
    changes.preferredChannel = { from: preferredBefore ?? null, to: preferredAfter ?? null };

  const thresholds = options.lifetimeValueThresholds ?? [];
  if (thresholds.length) {
    const previous = lifetimeValueOf(before, options.lifespanYears);
    const value = lifetimeValueOf(after, options.lifespanYears);
    const crossed = crossedThresholds(previous, value, thresholds);
    if (crossed.length) changes.lifetimeValue = { value: value ?? null, previous: previous ?? null, crossed };
  }

  const changed = PROFILE_FIELDS.filter((field) => changes[field] !== undefined);
  if (!changed.length && before) return undefined;
  return { changed, changes };
};

/**
 * The outbox entry announcing the write of `after` (from `before`, undefined
 * for a new profile) caused by event `causedBy`: `customer.created` for a new
 * profile, `customer.updated` when something other systems keep changed, else
 * none. Its id derives from the profile and the event, so a retried write
 * makes the same notification.
 */
export const changeNotifications = (
  before: Profile | undefined,
  after: Profile,
  causedBy: string,
  now: string,
  options: ChangeOptions = {},
): Notification[] => {
  const diff = profileChanges(before, after, options);
  if (!diff) return [];
  return [
    notificationOf(
      customerEvent(before ? 'customer.updated' : 'customer.created', {
        occurredAt: now,
        customerId: after.customerId,
        causedBy,
        changed: diff.changed,
        changes: diff.changes,
      }),
    ),
  ];
};
