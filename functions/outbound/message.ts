/**
 * An outbound message as the hub keeps it (one record per idempotency key)
 * and the pure transitions between its states. The store persists records
 * with optimistic versions; everything that changes one goes through these
 * functions, so the API, the sender and the receipt consumer agree on what
 * a status means and a late receipt can never move a message backwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ChannelVerdict, MessageTag, OutboundChannel, Purpose, SendMode } from '../domain/reachability/types.js';
import type { FailureClass } from '../connectors/shared/sender.js';

export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * The order statuses may only move forward in. A receipt's `failed` after
 * `sent` wins (the vendor could not deliver), but a late `delivered` after
 * `read`, or a `failed` after `delivered`, changes nothing.
 */
const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  queued: 0,
  sent: 1,
  failed: 2,
  delivered: 3,
  read: 4,
};

/** Most attempts a record keeps (the newest); bounds the item. */
const MAX_ATTEMPTS_KEPT = 20;
/** Most receipts a record keeps. */
const MAX_RECEIPTS_KEPT = 10;

export interface MessageTemplate {
  readonly name: string;
  readonly language: string;
  readonly parameters?: readonly string[];
}

/** One try on one channel, with its outcome. */
export interface MessageAttempt {
  /** 1, 2, … across channels. */
  readonly n: number;
  readonly channel: OutboundChannel;
  readonly connector: string;
  readonly mode: SendMode;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** `sending` until the vendor answered; `skipped` when re-checked rules refused the channel. */
  readonly outcome: 'sending' | 'sent' | 'retrying' | 'failed' | 'skipped';
  readonly failure?: FailureClass;
  readonly code?: string;
  readonly message?: string;
  readonly vendorMessageId?: string;
  /** For `retrying`: when the next try is due. */
  readonly nextAttemptAt?: string;
}

/** A delivery receipt that changed (or confirmed) the status. */
export interface MessageReceipt {
  readonly status: MessageStatus;
  readonly at: string;
  /** Hub event id of the receipt. */
  readonly eventId: string;
}

export interface MessageRecord {
  readonly messageId: string;
  /** The profile partition the record lives in (the survivor at request time). */
  readonly customerId: string;
  /** Hash of the request's idempotency key and content: the same key with other content is refused. */
  readonly fingerprint: string;
  readonly purpose: Purpose;
  readonly text?: string;
  readonly subject?: string;
  readonly template?: MessageTemplate;
  readonly messageTag?: MessageTag;
  /** The channel the request forced, if any. */
  readonly forcedChannel?: OutboundChannel;
  /** The channel the request asked to try first (an automation's `channel: 'trigger'`), if any. */
  readonly preferredChannel?: OutboundChannel;
  /** Who asked, when not a caller of the messages API: `automation:<name>` (an automation is no human answer). */
  readonly origin?: string;
  readonly status: MessageStatus;
  /** The channel of the current (or last) attempt; at first the plan's choice. */
  readonly channel: OutboundChannel;
  readonly mode: SendMode;
  readonly connector?: string;
  readonly vendorMessageId?: string;
  /** Why its channel was chosen at request time: the channels tried before it (refused, and why) and itself. */
  readonly plan: readonly ChannelVerdict[];
  /** Channels this message already failed on for good. */
  readonly tried: readonly OutboundChannel[];
  /** Not before this time (quiet hours for marketing, a retry's backoff). */
  readonly notBefore?: string;
  readonly attempts: readonly MessageAttempt[];
  readonly receipts: readonly MessageReceipt[];
  readonly error?: { readonly code: string; readonly message: string };
  /** A sender holds the message until `until` (no concurrent double send). */
  readonly lease?: { readonly token: string; readonly until: string };
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sentAt?: string;
  readonly deliveredAt?: string;
  readonly readAt?: string;
  readonly failedAt?: string;
  /** Optimistic-concurrency version, +1 per write. */
  readonly version: number;
}

/** `msg_` + 12 hex digits of milliseconds + 10 random hex: unique, and sorted by creation time. */
export const newMessageId = (now: Date, random: () => Buffer = () => randomBytes(5)): string =>
  `msg_${now.getTime().toString(16).padStart(12, '0')}${random().toString('hex')}`;

export const MESSAGE_ID_PATTERN = /^msg_[0-9a-f]{22}$/;

/** Same key + same request → same fingerprint; the path's customer id is part of it. */
export const requestFingerprint = (customerId: string, idempotencyKey: string, request: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify([customerId, idempotencyKey, request]))
    .digest('hex');

/** The idempotency key as stored: hashed (a caller's key may carry personal data). */
export const idempotencyKeyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

export const bumped = (record: MessageRecord, changes: Partial<MessageRecord>, now: Date): MessageRecord => ({
  ...record,
  ...changes,
  updatedAt: now.toISOString(),
  version: record.version + 1,
});

const keepLast = <T>(items: readonly T[], max: number): T[] => items.slice(-max);

/**
 * Takes the message for one send attempt: a lease (so a redelivered request
 * cannot send twice at once) and a `sending` attempt. Undefined when it is
 * not queued or another sender holds a live lease.
 */
export const claim = (
  record: MessageRecord,
  attempt: { channel: OutboundChannel; connector: string; mode: SendMode },
  opts: { now: Date; leaseMs: number; token: string },
): MessageRecord | undefined => {
  if (record.status !== 'queued') return undefined;
  if (record.lease && record.lease.until > opts.now.toISOString()) return undefined;
  const n = (record.attempts.at(-1)?.n ?? 0) + 1;
  const { notBefore: _notBefore, ...rest } = record;
  return bumped(
    rest as MessageRecord,
    {
      channel: attempt.channel,
      mode: attempt.mode,
      connector: attempt.connector,
      lease: { token: opts.token, until: new Date(opts.now.getTime() + opts.leaseMs).toISOString() },
      attempts: keepLast(
        [...record.attempts, { n, ...attempt, startedAt: opts.now.toISOString(), outcome: 'sending' as const }],
        MAX_ATTEMPTS_KEPT,
      ),
    },
    opts.now,
  );
};

/** Replaces the last (`sending`) attempt with its outcome. */
const finishAttempt = (record: MessageRecord, finished: Partial<MessageAttempt>, now: Date): MessageAttempt[] => {
  const last = record.attempts.at(-1);
  if (!last) return [...record.attempts];
  return [...record.attempts.slice(0, -1), { ...last, ...finished, finishedAt: now.toISOString() }];
};

const withoutLease = (record: MessageRecord): MessageRecord => {
  const { lease: _lease, ...rest } = record;
  return rest as MessageRecord;
};

/** The vendor accepted it. */
export const markSent = (record: MessageRecord, vendorMessageId: string, now: Date): MessageRecord =>
  bumped(
    withoutLease(record),
    {
      status: 'sent',
      vendorMessageId,
      sentAt: now.toISOString(),
      attempts: finishAttempt(record, { outcome: 'sent', vendorMessageId }, now),
    },
    now,
  );

/** A transient failure: stays queued until `retryAt`. */
export const markRetrying = (
  record: MessageRecord,
  failure: { failure: FailureClass; code: string; message: string },
  retryAt: Date,
  now: Date,
): MessageRecord =>
  bumped(
    withoutLease(record),
    {
      notBefore: retryAt.toISOString(),
      attempts: finishAttempt(record, { outcome: 'retrying', ...failure, nextAttemptAt: retryAt.toISOString() }, now),
    },
    now,
  );

/**
 * The current channel failed for good; the message moves on to `next` (a
 * fallback, still queued) or, with no next channel, fails.
 */
export const markChannelFailed = (
  record: MessageRecord,
  failure: { failure: FailureClass; code: string; message: string },
  next: { channel: OutboundChannel; mode: SendMode } | undefined,
  now: Date,
  outcome: 'failed' | 'skipped' = 'failed',
): MessageRecord => {
  const attempts =
    record.attempts.at(-1)?.outcome === 'sending'
      ? finishAttempt(record, { outcome, ...failure }, now)
      : [...record.attempts];
  const tried = record.tried.includes(record.channel) ? record.tried : [...record.tried, record.channel];
  const base = withoutLease(record);
  if (next) return bumped(base, { attempts, tried, channel: next.channel, mode: next.mode }, now);
  return bumped(
    base,
    {
      attempts,
      tried,
      status: 'failed',
      failedAt: now.toISOString(),
      error: { code: failure.code, message: failure.message },
    },
    now,
  );
};

/** Nothing may carry it any more (no channel passes the rules at send time, or the customer is gone). */
export const markUndeliverable = (record: MessageRecord, code: string, message: string, now: Date): MessageRecord =>
  bumped(withoutLease(record), { status: 'failed', failedAt: now.toISOString(), error: { code, message } }, now);

/** Deferred (quiet hours): stays queued with `notBefore`. */
export const markDeferred = (record: MessageRecord, notBefore: Date, now: Date): MessageRecord =>
  bumped(withoutLease(record), { notBefore: notBefore.toISOString() }, now);

/**
 * A delivery receipt. Moves the status only forward (`STATUS_RANK`);
 * undefined when it changes nothing (a duplicate, or an older status
 * arriving late), so the caller skips the write.
 */
export const applyReceipt = (
  record: MessageRecord,
  receipt: {
    status: 'sent' | 'delivered' | 'read' | 'failed';
    at: string;
    eventId: string;
    error?: { code: string; message: string };
    /** The vendor id the receipt is about; one of a superseded attempt (before a fallback) changes nothing. */
    vendorMessageId?: string;
  },
  now: Date,
): MessageRecord | undefined => {
  if (record.receipts.some((r) => r.eventId === receipt.eventId)) return undefined;
  if (receipt.vendorMessageId !== undefined && receipt.vendorMessageId !== record.vendorMessageId) return undefined;
  // A message back in the queue for a fallback is past its old channel's receipts.
  if (record.status === 'queued') return undefined;
  if (STATUS_RANK[receipt.status] <= STATUS_RANK[record.status]) return undefined;
  const stamp: Partial<MessageRecord> =
    receipt.status === 'read'
      ? { readAt: receipt.at, ...(record.deliveredAt ? {} : { deliveredAt: receipt.at }) }
      : receipt.status === 'delivered'
        ? { deliveredAt: receipt.at }
        : receipt.status === 'failed'
          ? { failedAt: receipt.at, ...(receipt.error ? { error: receipt.error } : {}) }
          : { sentAt: record.sentAt ?? receipt.at };
  return bumped(
    record,
    {
      ...stamp,
      status: receipt.status,
      receipts: keepLast(
        [...record.receipts, { status: receipt.status, at: receipt.at, eventId: receipt.eventId }],
        MAX_RECEIPTS_KEPT,
      ),
    },
    now,
  );
};

/** Plan verdicts as plain (mutable) JSON values for a response body. */
export const verdictViews = (channels: readonly ChannelVerdict[]) =>
  channels.map((c) => ({ ...c, reasons: [...c.reasons] }));

/** The record as the API shows it (no lease or fingerprint). */
export const toMessageView = (r: MessageRecord) => ({
  messageId: r.messageId,
  customerId: r.customerId,
  purpose: r.purpose,
  status: r.status,
  channel: r.channel,
  mode: r.mode,
  ...(r.connector ? { connector: r.connector } : {}),
  ...(r.vendorMessageId ? { vendorMessageId: r.vendorMessageId } : {}),
  ...(r.text !== undefined ? { text: r.text } : {}),
  ...(r.subject ? { subject: r.subject } : {}),
  ...(r.template
    ? {
        template: {
          name: r.template.name,
          language: r.template.language,
          ...(r.template.parameters ? { parameters: [...r.template.parameters] } : {}),
        },
      }
    : {}),
  ...(r.messageTag ? { messageTag: r.messageTag } : {}),
  ...(r.forcedChannel ? { forcedChannel: r.forcedChannel } : {}),
  ...(r.notBefore && r.status === 'queued' ? { notBefore: r.notBefore } : {}),
  ...(r.error ? { error: r.error } : {}),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  ...(r.sentAt ? { sentAt: r.sentAt } : {}),
  ...(r.deliveredAt ? { deliveredAt: r.deliveredAt } : {}),
  ...(r.readAt ? { readAt: r.readAt } : {}),
  ...(r.failedAt ? { failedAt: r.failedAt } : {}),
  attempts: [...r.attempts],
  receipts: [...r.receipts],
  reasons: verdictViews(r.plan),
});
