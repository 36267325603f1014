/**
 * The lake rows of one applied event: the event with the customer the store
 * applied it to, and a `customer.merged` fact for each merge it caused,
 * carrying the survivor's whole merge set (its `mergedIds` after the merge)
 * so the views resolve any old id in one step.
 */
import { eventRow, mergeRow } from '../analytics/lake-row.js';
import type { LakeRow } from '../analytics/lake-schema.js';
import { CustomerEventSchema } from '../events/customer-events.js';
import type { HubEvent } from '../events/hub-event.js';
import type { ApplyOutcome, ProfileStore } from '../ports.js';

export const appliedLakeRows = async (
  store: Pick<ProfileStore, 'getProfile'>,
  event: HubEvent,
  outcome: ApplyOutcome,
  now: Date,
): Promise<LakeRow[]> => {
  // A redelivery ('duplicate') is recorded again: the first attempt may have failed after the store's commit.
  // An ignored event (an erased person's redelivery) was written nowhere and has no customer: nothing for the lake.
  if ((outcome.status !== 'applied' && outcome.status !== 'duplicate') || !outcome.customerId) return [];
  const rows = [eventRow(event, outcome.customerId, now)];
  for (const { entry } of outcome.notifications) {
    if (entry.detailType !== 'customer.merged') continue;
    const merged = CustomerEventSchema.parse(entry.detail);
    if (merged.type !== 'customer.merged') continue;
    const survivor = await store.getProfile(merged.customerId);
    const set = [...new Set([...merged.relatedIds, ...(survivor?.mergedIds ?? [])])];
    rows.push(mergeRow(merged.id, new Date(merged.occurredAt), merged.customerId, set));
  }
  return rows;
};
