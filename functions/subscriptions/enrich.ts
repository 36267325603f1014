/**
 * `enrich: 'customer'`: the dispatcher adds the customer to every event it
 * delivers — `detail.customerId` (the profile the event is in, the survivor
 * of any merge so far) and `detail.profile` (the snapshot) — and delivers
 * only once the profile writer applied the event. The rule and the bus feed
 * the profile writer and the subscription queues at the same time, so a
 * delivery that finds its event not applied yet polls briefly, then goes
 * back to its queue for a few seconds (no attempt spent on the receiver),
 * and after `maxWaitMs` is delivered without the customer rather than
 * never (docs/subscriptions.md, "Events that carry the customer").
 */
import type { EventBridgeEnvelope } from '../events/envelope.js';
import { customerSnapshot } from '../domain/customer-snapshot.js';
import type { AppliedCustomer, CustomerResolver } from '../ports.js';

export interface EnrichWait {
  /** In-process polls before the delivery goes back to its queue, ms each. @default 20, 40, 60, 80, 100, 150, 200, 250, 300, 300 (1.5 s) */
  readonly pollMs: readonly number[];
  /** How long after the first receive a delivery still waits for the profile writer. @default 300 000 (5 min) */
  readonly maxWaitMs: number;
  /** Longest time a waiting delivery stays back in its queue at once. @default 10 000 */
  readonly requeueMaxMs: number;
}

const DEFAULT_ENRICH_WAIT: EnrichWait = {
  pollMs: [20, 40, 60, 80, 100, 150, 200, 250, 300, 300],
  maxWaitMs: 300_000,
  requeueMaxMs: 10_000,
};

export type CustomerWait =
  /** Applied (or the hub keeps no profile for it: `none`). */
  | { readonly kind: 'found'; readonly customer: Exclude<AppliedCustomer, { kind: 'pending' }> }
  /** Not applied yet: back to the queue for `delayMs`. */
  | { readonly kind: 'wait'; readonly delayMs: number }
  /** Still not applied after `maxWaitMs` (the profile writer dead-lettered it): deliver without the customer. */
  | { readonly kind: 'gave-up' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves the customer of `detail`, polling while the profile writer has not applied it yet. */
export const waitForCustomer = async (
  customers: CustomerResolver,
  detail: unknown,
  options: Partial<EnrichWait> & {
    readonly waitedMs: number;
    /**
     * A replay (or backfill) goes through the subscription's rule only, never
     * through the profile writer again: an event not in the customer view now
     * will not be, so it is delivered without the customer at once.
     */
    readonly replay?: boolean;
  },
): Promise<CustomerWait> => {
  const wait = { ...DEFAULT_ENRICH_WAIT, ...options };
  let found = await customers.resolve(detail);
  if (found.kind === 'pending' && options.replay) return { kind: 'gave-up' };
  for (const ms of wait.pollMs) {
    if (found.kind !== 'pending') break;
    await sleep(ms);
    found = await customers.resolve(detail);
  }
  if (found.kind !== 'pending') return { kind: 'found', customer: found };
  const waited = options.waitedMs + wait.pollMs.reduce((a, b) => a + b, 0);
  if (waited >= wait.maxWaitMs) return { kind: 'gave-up' };
  return { kind: 'wait', delayMs: Math.min(wait.requeueMaxMs, Math.max(1_000, waited), wait.maxWaitMs - waited) };
};

/**
 * The envelope with the customer in its `detail`. A hub notification keeps
 * its own `customerId` (the one it is about) and gains the snapshot of that
 * profile now; an erased customer gets no snapshot; `none` changes nothing.
 */
export const enrichEnvelope = (
  envelope: Partial<EventBridgeEnvelope>,
  customer: Exclude<AppliedCustomer, { kind: 'pending' }>,
  options: { readonly lifespanYears?: number | undefined } = {},
): Partial<EventBridgeEnvelope> => {
  if (customer.kind === 'none' || typeof envelope.detail !== 'object' || envelope.detail === null) return envelope;
  const detail = envelope.detail as Record<string, unknown>;
  const profile = customer.profile
    ? customerSnapshot(customer.profile, options.lifespanYears ? { lifespanYears: options.lifespanYears } : {})
    : undefined;
  return {
    ...envelope,
    detail: {
      ...detail,
      customerId: typeof detail.customerId === 'string' ? detail.customerId : customer.customerId,
      ...(profile ? { profile } : {}),
    },
  };
};
