/**
 * A local stand-in for an SQS queue with a redrive policy: batches of up to
 * `batchSize` records go to the consumer as a real `SQSEvent`, failed records
 * (partial batch response or a thrown error) come back after an exponential
 * backoff, and after `maxReceiveCount` receives a record moves to the
 * dead-letter list. Every send, receive, completion and dead-lettering is
 * appended to a journal file before it takes effect, so a message
 * acknowledged to a vendor survives a crash of `npm start` and is delivered
 * after the restart, with its receive count (a message that crashes the
 * process is dead-lettered after `maxReceiveCount` restarts, as on SQS).
 *
 * A batch that fails because the store is unavailable (`isUnavailable`) is
 * not the messages' fault: it is given back without counting the receive,
 * and the queue pauses — 250 ms, doubling up to 5 s — then sends one batch
 * at a time until one goes through. An outage of minutes dead-letters
 * nothing; a message that keeps failing "unavailable" for longer than
 * `unavailableGraceMs` is counted like any failure, so it cannot block the
 * queue forever.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger.js';
import { QueueJournal, type JournalRecord } from './queue-journal.js';

// biome-ignore lint/suspicious/noConfusingVoidType: a consumer may return nothing when every record succeeded, as a Lambda SQS handler may
export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  /** Epoch ms before which the message is invisible (retry backoff). */
  visibleAt: number;
  /** Dead letters: when, and the error's name (never its message, which may echo personal data). */
  deadLetteredAt?: number;
  reason?: string;
  /** First time a receive of it was given back because the store was unavailable (memory only). */
  unavailableSince?: number;
}

export interface LocalQueueOptions {
  readonly batchSize?: number;
  readonly maxReceiveCount?: number;
  /** First retry delay; doubles per receive, with jitter. */
  readonly retryBaseMs?: number;
  /** Journal file; omitted → memory only. */
  readonly journalPath?: string;
  /** Batches in flight at once (Lambda concurrency on AWS). @default 1 */
  readonly concurrency?: number;
  /** Flush every journal write to the disk (survives a power loss). @default false */
  readonly fsync?: boolean;
  /** Whether an error the consumer threw means "the store is unavailable" (retry, don't count). @default never */
  readonly isUnavailable?: (err: unknown) => boolean;
  /** First pause after an unavailable store; doubles per failed probe. @default 250 */
  readonly unavailablePauseMs?: number;
  /** Longest pause. @default 5000 */
  readonly unavailableMaxPauseMs?: number;
  /** How long a message's "unavailable" failures are forgiven. @default 6 hours */
  readonly unavailableGraceMs?: number;
  /**
   * Keep completed messages this long (in memory), so that they can be
   * delivered again if the store turns out to have lost writes it had
   * acknowledged (`redeliverCompletedSince`). @default 0 (not kept)
   */
  readonly keepCompletedMs?: number;
}

export class LocalQueue {
  private readonly ready: QueueMessage[] = [];
  private readonly dead: QueueMessage[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly journalFile: QueueJournal;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private delivered = 0;
  /** Current pause after an unavailable store (0 = not paused); doubles per failed probe. */
  private pauseMs = 0;
  private pausedUntil = 0;
  private unavailableRetries = 0;
  /** Completed messages of the last `keepCompletedMs`, oldest first. */
  private readonly completed: { readonly message: QueueMessage; readonly at: number }[] = [];

  constructor(
    readonly name: string,
    private readonly consumer: QueueConsumer,
    private readonly options: LocalQueueOptions = {},
  ) {
    this.journalFile = new QueueJournal(options.journalPath, { fsync: options.fsync ?? false });
    const { pending, dead } = this.journalFile.recover();
    this.dead.push(...dead.map((m) => ({ ...m, visibleAt: 0 })));
    for (const m of pending) {
      // Received that often and never finished: the process died in its consumer each time (a crash
      // loop). SQS moves such a message to the DLQ on its next receive; so does this queue.
      if (m.receiveCount >= (this.options.maxReceiveCount ?? 5)) {
        const at = Date.now();
        this.journal({ op: 'dlq', id: m.messageId, receiveCount: m.receiveCount, reason: 'maxReceiveCount', at });
        this.dead.push({ ...m, visibleAt: 0, deadLetteredAt: at, reason: 'maxReceiveCount' });
      } else this.ready.push({ ...m, visibleAt: m.visibleAt ?? 0 });
    }
    if (this.ready.length) this.schedule(0);
  }

  /** Enqueues a message; durable (journaled) before it returns. */
  send(body: string): string {
    const message: QueueMessage = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, visibleAt: 0 };
    this.journal({ op: 'send', id: message.messageId, body, at: message.sentAt });
    this.ready.push(message);
    this.schedule(0);
    return message.messageId;
  }

  /**
   * Takes a message another thread already journaled (the HTTP front appends
   * the `send` record before it acknowledges, then hands the message over).
   */
  adopt(message: { readonly messageId: string; readonly body: string; readonly sentAt: number }): void {
    this.ready.push({ ...message, receiveCount: 0, visibleAt: 0 });
    this.schedule(0);
  }

  /**
   * Delivers again the messages completed since `since` (epoch ms), still
   * kept (`keepCompletedMs`): DynamoDB Local acknowledges some writes before
   * they are on disk, so when it dies the last ones may be gone. Consumers
   * are idempotent: what the store kept is recognised as a duplicate.
   * Returns how many went back.
   */
  redeliverCompletedSince(since: number): number {
    const again = this.completed.filter((c) => c.at >= since);
    this.completed.splice(0);
    for (const { message: m } of again) {
      this.journal({ op: 'send', id: m.messageId, body: m.body, at: m.sentAt });
      this.ready.push({ messageId: m.messageId, body: m.body, sentAt: m.sentAt, receiveCount: 0, visibleAt: 0 });
    }
    if (again.length) this.schedule(0);
    return again.length;
  }

  /** The journal file, for a thread that appends to it (the HTTP front). */
  get journalPath(): string | undefined {
    return this.options.journalPath;
  }

  /** Messages that exhausted their receives. */
  deadLetters(): readonly QueueMessage[] {
    return this.dead;
  }

  /** Moves every dead letter back to the queue (like an SQS DLQ redrive). */
  redrive(): number {
    const moved = this.dead.splice(0);
    for (const m of moved) {
      this.journal({ op: 'send', id: m.messageId, body: m.body, at: m.sentAt });
      this.ready.push({ messageId: m.messageId, body: m.body, sentAt: m.sentAt, receiveCount: 0, visibleAt: 0 });
    }
    this.schedule(0);
    return moved.length;
  }

  stats() {
    return {
      name: this.name,
      pending: this.ready.length,
      inFlight: this.inFlight,
      deadLettered: this.dead.length,
      delivered: this.delivered,
      /** Waiting for the store to come back. */
      paused: this.pauseMs > 0,
      /** Batches given back because the store was unavailable (not counted as receives). */
      unavailableRetries: this.unavailableRetries,
    };
  }

  /** Resolves once nothing is pending or in flight (dead letters don't count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops delivering; resolves once the batches in flight have finished (their
   * outcomes journaled). Pending messages stay in the journal for the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.running);
    this.journalFile.close();
  }

  private isIdle(): boolean {
    return this.ready.length === 0 && this.inFlight === 0;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), Math.max(0, delayMs));
  }

  /**
   * Hands visible messages to the consumer, up to `concurrency` batches at a
   * time (as SQS feeds concurrent Lambda invocations) — one while probing an
   * unavailable store — then schedules itself for the next message that
   * becomes visible or the end of the pause.
   */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now < this.pausedUntil) {
      if (this.running.size === 0) this.schedule(this.pausedUntil - now);
      return;
    }
    const concurrency = this.pauseMs > 0 ? 1 : (this.options.concurrency ?? 1);
    while (this.running.size < concurrency) {
      const batch = this.takeVisible(now);
      if (batch.length === 0) break;
      const run: Promise<void> = this.deliver(batch).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
    if (this.running.size > 0) return;
    const next = this.ready.reduce((min, m) => Math.min(min, m.visibleAt), Number.POSITIVE_INFINITY);
    if (Number.isFinite(next)) this.schedule(next - Date.now());
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private takeVisible(now: number): QueueMessage[] {
    const batchSize = this.options.batchSize ?? 10;
    const batch: QueueMessage[] = [];
    for (let i = 0; i < this.ready.length && batch.length < batchSize; ) {
      const m = this.ready[i] as QueueMessage;
      if (m.visibleAt <= now) {
        batch.push(m);
        this.ready.splice(i, 1);
      } else i++;
    }
    return batch;
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    this.inFlight += batch.length;
    for (const m of batch) m.receiveCount++;
    this.journalFile.appendAll(batch.map((m) => ({ op: 'recv', id: m.messageId, n: m.receiveCount })));
    let failedIds: Set<string>;
    let reason = 'batchItemFailure';
    try {
      const res = await this.consumer({ Records: batch.map((m) => this.toRecord(m)) });
      failedIds = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      if (this.options.isUnavailable?.(err) && this.giveBack(batch)) return;
      failedIds = new Set(batch.map((m) => m.messageId));
      reason = err instanceof Error ? err.name : 'Error';
    }
    this.inFlight -= batch.length;
    if (this.pauseMs > 0) {
      logger.info('store available again: queue resumed', { queue: this.name, pausedForMs: this.pauseMs });
      this.pauseMs = 0;
    }
    const maxReceives = this.options.maxReceiveCount ?? 5;
    const base = this.options.retryBaseMs ?? 500;
    for (const m of batch) {
      m.unavailableSince = undefined;
      if (!failedIds.has(m.messageId)) {
        this.delivered++;
        this.journal({ op: 'done', id: m.messageId });
        this.keepCompleted(m);
      } else if (m.receiveCount >= maxReceives) {
        m.deadLetteredAt = Date.now();
        m.reason = reason;
        this.journal({ op: 'dlq', id: m.messageId, receiveCount: m.receiveCount, reason, at: m.deadLetteredAt });
        this.dead.push(m);
      } else {
        m.visibleAt = Date.now() + base * 2 ** (m.receiveCount - 1) * (0.75 + Math.random() * 0.5);
        this.ready.push(m);
      }
    }
  }

  /**
   * The store was unavailable: the batch goes back uncounted (the receive
   * count journaled back down) and the queue pauses. Returns false when a
   * message has been failing this way for longer than the grace period: then
   * the batch is failed normally.
   */
  private giveBack(batch: QueueMessage[]): boolean {
    const now = Date.now();
    const grace = this.options.unavailableGraceMs ?? 6 * 3_600_000;
    if (batch.some((m) => m.unavailableSince !== undefined && now - m.unavailableSince > grace)) return false;
    this.inFlight -= batch.length;
    for (const m of batch) {
      m.receiveCount--;
      m.unavailableSince ??= now;
    }
    this.journalFile.appendAll(batch.map((m) => ({ op: 'recv', id: m.messageId, n: m.receiveCount })));
    this.ready.push(...batch);
    this.unavailableRetries++;
    const first = this.options.unavailablePauseMs ?? 250;
    if (this.pauseMs === 0) logger.warn('store unavailable: queue paused, nothing counted', { queue: this.name });
    this.pauseMs = Math.min(this.options.unavailableMaxPauseMs ?? 5_000, this.pauseMs ? this.pauseMs * 2 : first);
    this.pausedUntil = Math.max(this.pausedUntil, now + this.pauseMs);
    return true;
  }

  private keepCompleted(m: QueueMessage): void {
    const keep = this.options.keepCompletedMs ?? 0;
    if (keep <= 0) return;
    const now = Date.now();
    this.completed.push({ message: m, at: now });
    while ((this.completed[0]?.at ?? now) < now - keep) this.completed.shift();
  }

  private toRecord(m: QueueMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'omnihub-local',
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }

  private journal(record: JournalRecord): void {
    this.journalFile.append(record);
  }
}
