/**
 * Lake rows: a hub event the store applied, projected onto the lake columns
 * with the customer it was applied to, and the three facts that change which
 * customer an event belongs to afterwards (merge, unmerge, erasure). Pure;
 * the profile writer and the privacy routes hand these to the
 * `AnalyticsSink`.
 */
import type { HubEvent } from '../events/hub-event.js';
import { DATA_PATHS, LAKE_COLUMNS, type LakeRow, type LakeValue } from './lake-schema.js';

const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const read = (value: unknown, path: string): unknown => {
  let v = value;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
};

const snake = (path: string): string => path.replace(/\./g, '_').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every column null: rows fill in what they have. */
const EMPTY: Readonly<Record<string, LakeValue>> = Object.fromEntries(LAKE_COLUMNS.map((c) => [c.name, null]));

const asValue = (v: unknown): LakeValue => (v === undefined ? null : (v as LakeValue));

/** The row of an applied hub event. `assignedAt` is when the store applied it to `customerId`. */
export const eventRow = (event: HubEvent, customerId: string, assignedAt: Date): LakeRow => {
  const occurredMs = Date.parse(event.occurredAt);
  const data: Record<string, LakeValue> = {};
  for (const path of DATA_PATHS) data[snake(path)] = asValue(read(event.data, path));
  return {
    ...EMPTY,
    ...data,
    id: event.id,
    schema_version: event.schemaVersion,
    connector: event.connector,
    channel: event.channel,
    occurred_at: occurredMs,
    customer_id: customerId,
    assigned_at: assignedAt.getTime(),
    dt: utcDate(occurredMs),
    type: event.type,
  };
};

const lifecycle = (
  type: LakeRow['type'],
  id: string,
  at: Date,
  customerId: string,
  relatedIds: readonly string[] | null,
): LakeRow => ({
  ...EMPTY,
  id,
  schema_version: 1,
  connector: 'hub',
  occurred_at: at.getTime(),
  customer_id: customerId,
  assigned_at: at.getTime(),
  related_ids: relatedIds ? [...new Set(relatedIds)].sort() : null,
  dt: utcDate(at.getTime()),
  type,
});

/**
 * `customer.merged`: every id in `mergedIds` now lives on `survivor`. Pass the
 * survivor's *whole* merge set (its `mergedIds` after the merge, not only the
 * profiles this event joined): a later merge's set contains every earlier
 * one's, so the views resolve an old id to its final survivor by taking the
 * largest set that names it, with no recursion and no clock.
 */
export const mergeRow = (id: string, at: Date, survivor: string, mergedIds: readonly string[]): LakeRow =>
  lifecycle('customer.merged', id, at, survivor, mergedIds);

/** `customer.erased`: the customer and every profile merged into it are gone; their rows leave the lake. */
export const erasureRow = (id: string, at: Date, customerId: string, mergedIds: readonly string[]): LakeRow =>
  lifecycle('customer.erased', id, at, customerId, mergedIds);

/** `customer.reassigned`: an unmerge moved event `eventId` to profile `customerId`. */
export const reassignmentRow = (eventId: string, at: Date, customerId: string): LakeRow =>
  lifecycle('customer.reassigned', eventId, at, customerId, null);
