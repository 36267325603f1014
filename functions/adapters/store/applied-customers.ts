/**
 * The customer of a bus event once the profile writer applied it, for
 * subscriber deliveries with `enrich: 'customer'` (the dispatcher). Reads
 * only, eventually consistent (a stale read can only say "not applied yet",
 * never the wrong customer: an event counts as applied when the profile read
 * remembers its write, or its timeline entry is there and `appliedState`
 * says so):
 *
 *   identity links I#… → profiles C#…/P (tombstones followed to the survivor)
 *   → the profile remembers the write (`recent`)           ← the common case: 2 reads
 *   → else the event's timeline entry in its partitions    ← an older event (replay, redrive)
 *
 * The keys it reads are the `I#` and `C#` partitions (plus what the
 * dispatcher reads anyway, the `H#` holds); never the outbox or the log.
 */
import {
  candidateCustomerIds,
  neverApplied,
  touchpointRef,
  type TouchpointRef,
} from '../../domain/customer-snapshot.js';
import {
  appliedState,
  customerIdOfPk,
  fromProfileItem,
  fromTimelineStored,
  keys,
  remembersWrite,
  type ProfileRecord,
} from '../../domain/store-model.js';
import type { AppliedCustomer, CustomerResolver } from '../../ports.js';
import type { ItemStore } from './item-store.js';

const MAX_HOPS = 20;

export class AppliedCustomers implements CustomerResolver {
  constructor(private readonly items: ItemStore) {}

  async resolve(detail: unknown): Promise<AppliedCustomer> {
    const notification = hubNotificationOf(detail);
    if (notification) {
      // A hub notification is published after its write: its customer is there (or erased: no profile).
      const record = await this.finalRecord(notification.customerId);
      return record?.kind === 'live'
        ? { kind: 'applied', customerId: record.profile.customerId, profile: record.profile }
        : { kind: 'applied', customerId: notification.customerId };
    }
    const event = touchpointRef(detail);
    return event ? this.resolveTouchpoint(event) : { kind: 'none' };
  }

  private async resolveTouchpoint(event: TouchpointRef): Promise<AppliedCustomer> {
    const links = event.identities.length
      ? await this.items.batchGet(
          event.identities.slice(0, 100).map((i) => keys.identity(i as never)),
          false,
        )
      : [];
    const linked = links.map((l) => l.customerId).filter((id): id is string => typeof id === 'string');
    if (neverApplied(event, linked)) return { kind: 'none' };

    // Every live profile the candidates lead to, with the records on the way (tombstones).
    const records = new Map<string, ProfileRecord | null>();
    const live = new Map<string, Extract<ProfileRecord, { kind: 'live' }>>();
    for (const id of candidateCustomerIds(event, linked)) {
      const record = await this.finalRecord(id, records);
      if (record?.kind === 'live') live.set(record.profile.customerId, record);
    }
    for (const { profile } of live.values())
      if (remembersWrite(profile.recent, event.id)) return { kind: 'applied', customerId: profile.customerId, profile };

    // Not among the latest writes: look for the event's own entry (applied long ago, or to a profile merged since).
    const partitions = [...live.values()].flatMap(({ profile }) => [profile.customerId, ...profile.mergedIds]);
    if (!partitions.length) return { kind: 'pending' };
    const sk = keys.timeline('', event.occurredAt, event.id).sk;
    const entries = await this.items.batchGet(
      [...new Set(partitions)].map((id) => ({ pk: keys.profile(id).pk, sk })),
      false,
    );
    for (const item of entries) {
      const entry = fromTimelineStored(item);
      const ownerId = entry.appliedTo ?? customerIdOfPk(item.pk);
      const owner = await this.record(ownerId, records);
      const state = appliedState(entry, owner ?? undefined);
      if (state === 'pending') return { kind: 'pending' };
      if (state === 'orphan') return { kind: 'none' };
      // The profile read above may predate the write that committed the entry: read it again, strongly, so the
      // snapshot includes the event (a plain read could still be the older item).
      const survivor = await this.finalRecord(ownerId, undefined, true);
      if (survivor?.kind === 'live')
        return { kind: 'applied', customerId: survivor.profile.customerId, profile: survivor.profile };
      return { kind: 'applied', customerId: ownerId };
    }
    return { kind: 'pending' };
  }

  private async record(
    id: string,
    cache?: Map<string, ProfileRecord | null>,
    consistent = false,
  ): Promise<ProfileRecord | null> {
    const known = cache?.get(id);
    if (known !== undefined) return known;
    const item = await this.items.get(keys.profile(id), consistent);
    const record = item ? fromProfileItem(item) : null;
    cache?.set(id, record);
    return record;
  }

  /** The record at the end of the merge chain from `id`; null when there is none. */
  private async finalRecord(
    id: string,
    cache?: Map<string, ProfileRecord | null>,
    consistent = false,
  ): Promise<ProfileRecord | null> {
    let current = id;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const record = await this.record(current, cache, consistent);
      if (record?.kind !== 'merged') return record;
      current = record.mergedInto;
    }
    return null;
  }
}

/** `customer.*` notifications the hub publishes itself (`Source: omnihub.hub`): they name their customer. */
const hubNotificationOf = (detail: unknown): { customerId: string } | undefined => {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const d = detail as { type?: unknown; customerId?: unknown; customer?: unknown };
  if (typeof d.type !== 'string' || !d.type.startsWith('customer.') || typeof d.customerId !== 'string')
    return undefined;
  return d.customer === undefined ? { customerId: d.customerId } : undefined;
};
