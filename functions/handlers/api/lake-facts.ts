/**
 * What the privacy routes tell the analytics lake, so its metrics keep
 * agreeing with the customer view: an erasure (every row of the customer and
 * of the profiles merged into it leaves the metrics, then the files) and the
 * events an unmerge moved to the split-off profile. Both are idempotent: a
 * retried request writes the same facts again, which the views absorb.
 */
import { createHash } from 'node:crypto';
import { erasureRow, reassignmentRow } from '../../analytics/lake-row.js';
import type { ApiDeps } from './deps.js';

const factId = (...parts: string[]): string =>
  `evt_${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;

/** Records the erasure of `customerId` (and its merged profiles) in the lake, before the store erases. */
export const lakeErasure = async (deps: Pick<ApiDeps, 'lake' | 'store' | 'now'>, customerId: string): Promise<void> => {
  if (!deps.lake) return;
  const profile = await deps.store.getProfile(customerId);
  if (!profile) return;
  const at = deps.now?.() ?? new Date();
  await deps.lake.record([
    erasureRow(factId('lake-erasure', profile.customerId), at, profile.customerId, profile.mergedIds),
  ]);
};

/** Points every event now on the split-off profile `splitId` at it in the lake. */
export const lakeReassignments = async (
  deps: Pick<ApiDeps, 'lake' | 'store' | 'now'>,
  splitId: string,
): Promise<void> => {
  if (!deps.lake) return;
  const at = deps.now?.() ?? new Date();
  let cursor: string | undefined;
  do {
    const page = await deps.store.getTimeline(splitId, { limit: 100, ...(cursor ? { cursor } : {}) });
    if (page.items.length) await deps.lake.record(page.items.map((item) => reassignmentRow(item.eventId, at, splitId)));
    cursor = page.nextCursor;
  } while (cursor);
};
