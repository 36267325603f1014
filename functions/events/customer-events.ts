/**
 * Events the hub emits about profiles themselves, so subscribers can follow
 * the customer view: merges, unmerges and erasure (`Source: omnihub.hub`).
 * Ids are deterministic, so a re-published notification is recognisably the
 * same one (subscribers dedupe on it).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HUB_SOURCE, SCHEMA_VERSION } from './hub-event.js';
import type { BusEntry } from './envelope.js';

export const CUSTOMER_EVENT_TYPES = ['customer.merged', 'customer.unmerged', 'customer.erased'] as const;
export type CustomerEventType = (typeof CUSTOMER_EVENT_TYPES)[number];

export const CustomerEventSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  id: z.string().regex(/^evt_[0-9a-f]{32}$/),
  type: z.enum(CUSTOMER_EVENT_TYPES),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The profile that remains (merged, unmerged) or was erased. */
  customerId: z.string(),
  /** customer.merged: the profiles merged into `customerId`; customer.unmerged: the new profile split off. */
  relatedIds: z.array(z.string()),
  /** customer.unmerged: the identity keys that moved to the new profile. */
  identities: z.array(z.string()).optional(),
  /** The touchpoint that caused a merge. */
  causedBy: z.string().optional(),
});
export type CustomerEvent = z.infer<typeof CustomerEventSchema>;

export const customerEvent = (
  type: CustomerEventType,
  fields: Omit<CustomerEvent, 'schemaVersion' | 'id' | 'type'>,
): BusEntry => {
  const id = `evt_${createHash('sha256')
    .update(
      `${type}\n${fields.customerId}\n${[...fields.relatedIds].sort().join(',')}\n${fields.causedBy ?? fields.occurredAt}`,
    )
    .digest('hex')
    .slice(0, 32)}`;
  const detail: CustomerEvent = { schemaVersion: SCHEMA_VERSION, id, type, ...fields };
  return { source: HUB_SOURCE, detailType: type, detail };
};
