/**
 * Delivery receipts → message status. A receipt arrives through the inbound
 * webhooks as a hub event (`message.delivered`, `message.read`,
 * `message.failed`, a vendor's own `message.sent` status) naming the vendor
 * message id; the message it is about moves forward only (`applyReceipt`),
 * so a late or repeated receipt changes nothing. Messenger's watermark
 * receipts (no ids) apply to every message sent to her on that channel up
 * to the watermark. A permanent asynchronous failure (flagged unreachable)
 * of a service or transactional message sends it on the next channel.
 */
import type { HubEvent } from '../events/hub-event.js';
import { messageRequestedEntry } from '../events/message-events.js';
import type { EventPublisher, MessageStore, ProfileStore } from '../ports.js';
import { logger } from '../shared/logger.js';
import { applyReceipt, bumped, type MessageRecord } from './message.js';

export interface ReceiptDeps {
  readonly messages: MessageStore;
  readonly profiles: Pick<ProfileStore, 'findByIdentity'>;
  readonly publisher: EventPublisher;
  readonly now?: () => Date;
}

const RECEIPT_STATUS = {
  'message.sent': 'sent',
  'message.delivered': 'delivered',
  'message.read': 'read',
  'message.failed': 'failed',
} as const;

/** Messages a watermark receipt may cover (her most recent ones). */
const WATERMARK_SCAN = 25;

export type ReceiptResult = 'updated' | 'unchanged' | 'unknown' | 'ignored';

const receiptStatus = (event: HubEvent) =>
  Object.hasOwn(RECEIPT_STATUS, event.type) ? RECEIPT_STATUS[event.type as keyof typeof RECEIPT_STATUS] : undefined;

/** Applies a receipt to one record, re-reading on a concurrent write. */
const applyTo = async (
  deps: ReceiptDeps,
  first: MessageRecord,
  event: HubEvent,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  vendorMessageId: string | undefined,
): Promise<MessageRecord | undefined> => {
  const data = event.data as { error?: { code: string; message: string } };
  let record: MessageRecord | undefined = first;
  for (let attempt = 0; attempt < 5 && record; attempt++) {
    const next = applyReceipt(
      record,
      {
        status,
        at: event.occurredAt,
        eventId: event.id,
        ...(data.error ? { error: { code: data.error.code, message: data.error.message } } : {}),
        ...(vendorMessageId !== undefined ? { vendorMessageId } : {}),
      },
      deps.now?.() ?? new Date(),
    );
    if (!next) return undefined;
    const result = await deps.messages.update(next);
    if (result === 'ok') return next;
    if (result === 'missing') return undefined;
    record = await deps.messages.get(record.customerId, record.messageId);
  }
  return undefined;
};

/**
 * A failed receipt flagged unreachable for a message that may fall back:
 * back to the queue, its channel tried, and a new `message.requested`.
 */
const fallBack = async (deps: ReceiptDeps, failed: MessageRecord): Promise<void> => {
  const now = deps.now?.() ?? new Date();
  const { error: _error, failedAt: _failedAt, ...rest } = failed;
  const requeued = bumped(
    rest as MessageRecord,
    {
      status: 'queued',
      tried: failed.tried.includes(failed.channel) ? failed.tried : [...failed.tried, failed.channel],
    },
    now,
  );
  if ((await deps.messages.update(requeued)) !== 'ok') return;
  await deps.publisher.putEntries([
    messageRequestedEntry({
      schemaVersion: 1,
      messageId: requeued.messageId,
      customerId: requeued.customerId,
      requestedAt: now.toISOString(),
      reason: 'fallback',
    }),
  ]);
};

/** Handles one receipt event; idempotent and order-tolerant. */
export const applyDeliveryReceipt = async (deps: ReceiptDeps, event: HubEvent): Promise<ReceiptResult> => {
  const status = receiptStatus(event);
  const data = event.data as {
    direction?: string;
    messageId?: string;
    hubMessageId?: string;
    error?: { unreachable?: boolean };
  };
  if (!status || data.direction !== 'outbound' || !data.messageId || data.hubMessageId) return 'ignored';

  let targets: MessageRecord[];
  let vendorMessageId: string | undefined = data.messageId;
  const watermark = /^watermark:(\d+)$/.exec(data.messageId);
  if (watermark) {
    // Messenger: "everything sent before this time", no ids.
    const identity = event.customer.identities[0];
    const profile = identity ? await deps.profiles.findByIdentity(identity) : undefined;
    if (!profile) return 'unknown';
    const until = new Date(Number(watermark[1])).toISOString();
    targets = (await deps.messages.listForCustomer(profile.customerId, WATERMARK_SCAN)).filter(
      (r) => r.connector === event.connector && r.sentAt !== undefined && r.sentAt <= until,
    );
    vendorMessageId = undefined;
  } else {
    const record = await deps.messages.findByVendorId(event.connector, data.messageId);
    targets = record ? [record] : [];
  }
  if (targets.length === 0) return 'unknown';

  let updated = false;
  for (const target of targets) {
    const next = await applyTo(deps, target, event, status, vendorMessageId);
    if (!next) continue;
    updated = true;
    logger.info('message status', { messageId: next.messageId, status: next.status, eventId: event.id });
    if (status === 'failed' && data.error?.unreachable && next.purpose !== 'marketing' && !next.forcedChannel) {
      await fallBack(deps, next);
    }
  }
  return updated ? 'updated' : 'unchanged';
};
