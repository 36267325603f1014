/**
 * The local stand-in for a webhook subscription's SQS queue plus its Lambda
 * event source mapping (batch size 1, `MaximumConcurrency`): each message is
 * handed to the dispatcher on its own, at most `concurrency` at a time (the
 * per-subscription semaphore), and a failed one comes back when the
 * dispatcher said (`changeVisibility`, the local `ChangeMessageVisibility`)
 * or goes to the dead letters when it said so (`deadLetter`, the local
 * "SendMessage to the DLQ"). `redrive()` moves the dead letters back.
 *
 * Unlike `LocalQueue` (batches, a fixed backoff) the schedule is the
 * dispatcher's, so Retry-After and the retry window mean the same here as on
 * AWS. Sends, receives, reschedulings, completions and dead-letterings are
 * journaled before they take effect, so pending deliveries, the DLQ, and each
 * message's attempt count, first attempt and next attempt time survive a
 * restart of `npm start`: `maxAttempts` and the retry window hold across it.
 */
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import type { QueueConsumer, QueueMessage } from './local-queue.js';
import { QueueJournal, type JournalRecord } from './queue-journal.js';

export interface LocalDeliveryQueueOptions {
  /** Messages handed to the consumer at once. */
  readonly concurrency: number;
  /** Receives after which a message is dead-lettered even if the consumer never said so (crash loop). */
  readonly maxReceiveCount: number;
  /** Delay before a failed message returns when the consumer did not reschedule it. @default 30000 */
  readonly visibilityTimeoutMs?: number;
  /** `eventSourceARN` of the records (the dispatcher finds the subscription by it). */
  readonly arn: string;
  /** Journal file; omitted → memory only. */
  readonly journalPath?: string;
  /** Flush every journal write to the disk (survives a power loss). @default false */
  readonly fsync?: boolean;
}

interface DeliveryMessage extends QueueMessage {
  /** First receive of this message since it was sent or redriven (SQS `ApproximateFirstReceiveTimestamp`). */
  firstReceiveAt?: number;
}

export class LocalDeliveryQueue {
  private readonly ready: DeliveryMessage[] = [];
  private readonly journalFile: QueueJournal;
  private readonly dead: DeliveryMessage[] = [];
  /** Receipt handle → what the consumer asked for during the current receive. */
  private readonly requested = new Map<string, { visibleAt?: number; deadLetter?: boolean }>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private delivered = 0;
  /** Messages scrubbed by an erasure while in flight: their outcome is dropped, they never come back. */
  private readonly scrubbed = new Set<string>();

  constructor(
    readonly name: string,
    private readonly consumer: QueueConsumer,
    private readonly options: LocalDeliveryQueueOptions,
  ) {
    this.journalFile = new QueueJournal(options.journalPath, { fsync: options.fsync ?? false });
    const { pending, dead } = this.journalFile.recover();
    this.dead.push(...dead.map((m) => ({ ...m, visibleAt: 0 })));
    for (const m of pending) {
      // Received that often and never finished: the process died in its consumer each time (a crash
      // loop). SQS moves such a message to the DLQ on its next receive; so does this queue.
      if (m.receiveCount >= this.options.maxReceiveCount) {
        const at = Date.now();
        this.journal({ op: 'dlq', id: m.messageId, receiveCount: m.receiveCount, reason: 'maxReceiveCount', at });
        this.dead.push({ ...m, visibleAt: 0, deadLetteredAt: at, reason: 'maxReceiveCount' });
      } else this.ready.push({ ...m, visibleAt: m.visibleAt ?? 0 });
    }
    if (this.ready.length) queueMicrotask(() => this.pump());
  }

  /**
   * An erasure: drops every message whose body `isErased` picks — pending, in
   * flight or dead-lettered — from memory and from the journal (rewritten
   * atomically; completed ones leave it too). Returns how many went.
   */
  scrub(isErased: (body: string) => boolean): number {
    const dropped = this.journalFile.rewrite((m) => isErased(m.body));
    const inMemory = new Set<string>();
    for (const list of [this.ready, this.dead])
      for (let i = list.length - 1; i >= 0; i--) {
        const m = list[i] as DeliveryMessage;
        if (isErased(m.body) || dropped.has(m.messageId)) {
          inMemory.add(m.messageId);
          list.splice(i, 1);
        }
      }
    for (const id of dropped) if (!inMemory.has(id)) this.scrubbed.add(id);
    for (const id of inMemory) dropped.add(id);
    return dropped.size;
  }

  /** Every message body the queue holds (journal and memory), for an erasure to check. */
  bodies(): string[] {
    const { pending, dead } = this.journalFile.messages();
    return [...pending, ...dead, ...this.ready, ...this.dead].map((m) => m.body);
  }

  /** Enqueues a message; durable (journaled) before it returns. */
  send(body: string): string {
    const message: DeliveryMessage = {
      messageId: randomUUID(),
      body,
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    this.journal({ op: 'send', id: message.messageId, body, at: message.sentAt });
    this.ready.push(message);
    this.pump();
    return message.messageId;
  }

  /** During a receive: the message comes back `delayMs` from now (like SQS, not from the end of the receive) if the consumer fails it. */
  changeVisibility(receiptHandle: string, delayMs: number): void {
    this.requested.set(receiptHandle, {
      ...this.requested.get(receiptHandle),
      visibleAt: Date.now() + Math.max(0, delayMs),
    });
  }

  /** During a receive: the message goes to the dead letters when the receive ends, whatever the outcome. */
  deadLetter(receiptHandle: string): void {
    this.requested.set(receiptHandle, { ...this.requested.get(receiptHandle), deadLetter: true });
  }

  deadLetters(): readonly QueueMessage[] {
    return this.dead;
  }

  /** Moves every dead letter back (a fresh receive count and window, like a message move task). */
  redrive(): number {
    const moved = this.dead.splice(0);
    for (const m of moved) {
      this.journal({ op: 'send', id: m.messageId, body: m.body, at: m.sentAt });
      this.ready.push({ messageId: m.messageId, body: m.body, sentAt: m.sentAt, receiveCount: 0, visibleAt: 0 });
    }
    this.pump();
    return moved.length;
  }

  stats() {
    return {
      name: this.name,
      pending: this.ready.length,
      inFlight: this.running.size,
      deadLettered: this.dead.length,
      delivered: this.delivered,
    };
  }

  /** Resolves once nothing is pending or in flight (dead letters don't count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops receiving and waits for the deliveries in flight; pending messages stay in the journal. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.running);
    this.journalFile.close();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private isIdle(): boolean {
    return this.ready.length === 0 && this.running.size === 0;
  }

  /** Starts every visible message the semaphore allows, then sleeps until the next one is due. */
  private pump(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    while (this.running.size < this.options.concurrency) {
      const index = this.nextVisible(now);
      if (index < 0) break;
      const [message] = this.ready.splice(index, 1) as [DeliveryMessage];
      const run = this.receive(message).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    if (this.running.size >= this.options.concurrency || this.ready.length === 0) return;
    const next = this.ready.reduce((min, m) => Math.min(min, m.visibleAt), Number.POSITIVE_INFINITY);
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
  }

  /** Oldest visible message first. */
  private nextVisible(now: number): number {
    let best = -1;
    this.ready.forEach((m, i) => {
      if (m.visibleAt > now) return;
      const current = this.ready[best];
      if (!current || m.sentAt < current.sentAt) best = i;
    });
    return best;
  }

  private async receive(message: DeliveryMessage): Promise<void> {
    message.receiveCount++;
    message.firstReceiveAt ??= Date.now();
    this.journal({ op: 'recv', id: message.messageId, n: message.receiveCount, first: message.firstReceiveAt });
    const receiptHandle = `${message.messageId}#${message.receiveCount}`;
    let failed: boolean;
    try {
      const res = await this.consumer({ Records: [this.toRecord(message, receiptHandle)] });
      failed = (res?.batchItemFailures ?? []).some((f) => f.itemIdentifier === message.messageId);
    } catch {
      failed = true;
    }
    const requested = this.requested.get(receiptHandle) ?? {};
    this.requested.delete(receiptHandle);
    if (this.scrubbed.delete(message.messageId)) return;
    if (requested.deadLetter || (failed && message.receiveCount >= this.options.maxReceiveCount)) {
      message.deadLetteredAt = Date.now();
      message.reason = requested.deadLetter ? 'dispatcher' : 'maxReceiveCount';
      this.journal({
        op: 'dlq',
        id: message.messageId,
        receiveCount: message.receiveCount,
        reason: message.reason,
        at: message.deadLetteredAt,
      });
      this.dead.push(message);
    } else if (!failed) {
      this.delivered++;
      this.journal({ op: 'done', id: message.messageId });
    } else {
      message.visibleAt = requested.visibleAt ?? Date.now() + (this.options.visibilityTimeoutMs ?? 30_000);
      this.journal({ op: 'later', id: message.messageId, at: message.visibleAt });
      this.ready.push(message);
    }
  }

  private toRecord(m: DeliveryMessage, receiptHandle: string): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'omnihub-local',
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.arn,
      awsRegion: 'local',
    };
  }

  private journal(record: JournalRecord): void {
    this.journalFile.append(record);
  }
}
