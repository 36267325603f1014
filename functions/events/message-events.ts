/**
 * `message.requested`: the bus entry that hands an outbound message to the
 * sender (its own rule, queue and DLQ). It carries ids only — the text and
 * address stay in the message record, out of the bus archive.
 */
import * as z from 'zod';
import { HUB_SOURCE, SCHEMA_VERSION } from './hub-event.js';
import type { BusEntry } from './envelope.js';

export const MESSAGE_REQUESTED = 'message.requested';

export const MessageRequestedSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  messageId: z.string().regex(/^msg_[0-9a-f]{22}$/),
  /** The partition the message record lives in. */
  customerId: z.string().min(1).max(64),
  requestedAt: z.iso.datetime({ offset: true }),
  /** Why it is (re)requested: a new message, a retry's backoff, quiet hours over, a fallback. */
  reason: z.enum(['new', 'retry', 'deferred', 'fallback']),
});
export type MessageRequested = z.infer<typeof MessageRequestedSchema>;

export const messageRequestedEntry = (detail: MessageRequested): BusEntry => ({
  source: HUB_SOURCE,
  detailType: MESSAGE_REQUESTED,
  detail,
});
