/**
 * The outbox relay: every hub notification (`customer.merged`,
 * `customer.unmerged`, `customer.erased`, and whatever a later rule adds) is
 * written to the store's outbox atomically with the change it announces;
 * this publishes it to the bus and then marks it, so a crash or a failed
 * publish between the two never loses one (it may be published twice; its
 * id is deterministic and subscribers dedupe on it).
 *
 * Who publishes what a crash left behind:
 * - the writer's own retry: a redelivered event, a repeated erase or unmerge
 *   request finds its notification still in the outbox and publishes it;
 * - the sweep: the profile writer sweeps entries older than `graceMs` at its
 *   first invocation and then at most every `sweepEveryMs`, and the local hub
 *   sweeps everything at start-up.
 */
import type { Notification } from '../domain/store-model.js';
import type { EventPublisher, ProfileStore } from '../ports.js';
import { logger } from '../shared/logger.js';

export interface OutboxRelayDeps {
  readonly store: Pick<ProfileStore, 'markNotified' | 'pendingNotifications'>;
  readonly publisher: Pick<EventPublisher, 'putEntries'>;
  readonly now?: () => Date;
  /** Entries younger than this are left to the writer still publishing them. @default 60 s */
  readonly graceMs?: number;
  /** Least time between two sweeps of one relay. @default 5 min */
  readonly sweepEveryMs?: number;
}

export interface OutboxRelay {
  /** Publishes, then marks; throws when publishing failed (the entries stay in the outbox). */
  publish(notifications: readonly Notification[]): Promise<void>;
  /** Publishes every entry older than the grace period; returns how many. */
  sweep(options?: { graceMs?: number }): Promise<number>;
  /** `sweep` when the last one is older than `sweepEveryMs`; never throws (a failed sweep is logged and retried later). */
  maybeSweep(): Promise<void>;
}

const PAGE = 100;
/** Bounds one sweep (the next one goes on). */
const MAX_PAGES = 50;

export const createOutboxRelay = (deps: OutboxRelayDeps): OutboxRelay => {
  const now = deps.now ?? (() => new Date());
  let lastSweep = Number.NEGATIVE_INFINITY;

  const publish = async (notifications: readonly Notification[]): Promise<void> => {
    if (!notifications.length) return;
    await deps.publisher.putEntries(notifications.map((n) => n.entry));
    await deps.store.markNotified(notifications);
  };

  const sweep = async (options: { graceMs?: number } = {}): Promise<number> => {
    lastSweep = now().getTime();
    const before = new Date(now().getTime() - (options.graceMs ?? deps.graceMs ?? 60_000));
    let published = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const pending = await deps.store.pendingNotifications({ before, limit: PAGE });
      await publish(pending);
      published += pending.length;
      if (pending.length < PAGE) break;
    }
    if (published) logger.info('outbox sweep published notifications left behind', { published });
    return published;
  };

  return {
    publish,
    sweep,
    maybeSweep: async () => {
      if (now().getTime() - lastSweep < (deps.sweepEveryMs ?? 300_000)) return;
      try {
        await sweep();
      } catch (error) {
        logger.warn('outbox sweep failed; retried at the next interval', { error: error as Error });
      }
    },
  };
};
