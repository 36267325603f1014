/**
 * The customer a subscriber delivery carries (`enrich: 'customer'`): the
 * snapshot of her profile, and the pure rules of finding the profile an
 * event was applied to — which ids to look at, and when the answer is that
 * the hub will never have one (a delivery receipt for someone it never knew).
 */
import type { CustomerSnapshot } from '../events/hub-event.js';
import { displayName } from './caller.js';
import { isReceipt, type Profile } from './profile.js';
import { newCustomerId } from './store-model.js';
import { computeTraits } from './traits.js';

/** Name, preferred channel, lifetime value and consent of a live profile, with its version (newer is higher). */
export const customerSnapshot = (
  profile: Profile,
  options: { readonly lifespanYears?: number } = {},
): CustomerSnapshot => {
  const computed = computeTraits(profile, { now: new Date(0), lifespanYears: options.lifespanYears ?? 3 });
  const name = displayName(profile.traits);
  return {
    customerId: profile.customerId,
    ...(name ? { name } : {}),
    ...(computed.preferredChannel ? { preferredChannel: computed.preferredChannel } : {}),
    ...(computed.lifetimeValue ? { lifetimeValue: computed.lifetimeValue } : {}),
    consent: Object.fromEntries(
      Object.entries(profile.consent).flatMap(([channel, state]) => (state ? [[channel, state.status]] : [])),
    ),
    version: profile.version,
    updatedAt: profile.updatedAt,
  };
};

/** What the dispatcher reads of a touchpoint's `detail` (never parsed in full: it is the bus's, already valid). */
export interface TouchpointRef {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly identities: readonly { readonly type: string; readonly value: string }[];
  readonly data?: unknown;
}

/** The touchpoint fields of a bus `detail`, or undefined when it is no touchpoint (a hub notification, a request). */
export const touchpointRef = (detail: unknown): TouchpointRef | undefined => {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const d = detail as Record<string, unknown>;
  const identities = (d.customer as { identities?: unknown } | undefined)?.identities;
  if (typeof d.id !== 'string' || typeof d.type !== 'string' || typeof d.occurredAt !== 'string') return undefined;
  if (!Array.isArray(identities)) return undefined;
  return {
    id: d.id,
    type: d.type,
    occurredAt: d.occurredAt,
    identities: identities.filter(
      (i): i is { type: string; value: string } =>
        typeof i === 'object' && i !== null && typeof i.type === 'string' && typeof i.value === 'string',
    ),
    data: d.data,
  };
};

/**
 * The profiles that may hold the event: those its linked identities name,
 * and the one it would have started (its id derives from the event).
 */
export const candidateCustomerIds = (event: TouchpointRef, linked: readonly string[]): string[] => [
  ...new Set([...linked, newCustomerId(event.id)]),
];

/** A receipt none of whose identities is linked is never applied (planApply ignores it): no customer will come. */
export const neverApplied = (event: TouchpointRef, linked: readonly string[]): boolean =>
  linked.length === 0 && isReceipt({ type: event.type as never, data: event.data });
