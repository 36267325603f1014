/**
 * The append-only journal behind the local queues: every send, receive,
 * rescheduling, completion and dead-lettering is written before the call
 * returns, so messages a vendor was told were accepted survive a crash of
 * `npm start`, and so do their receive counts, first-receive times and retry
 * times (a subscription's `maxAttempts` and retry window hold across
 * restarts, as SQS's `ApproximateReceiveCount` does).
 *
 * On start the journal is replayed, then compacted into a temporary file
 * that is renamed over it: a crash mid-compaction leaves the old journal
 * whole. See `private-files.ts` for what survives a power loss (`fsync`).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { JournalLock } from './journal-lock.js';
import { PrivateAppendFile, writePrivateFileAtomic } from './private-files.js';

export type JournalRecord =
  /** A message enters the queue; a compacted journal carries its receive state along (`n`, `first`, `visibleAt`). */
  | { op: 'send'; id: string; body: string; at: number; n?: number; first?: number; visibleAt?: number }
  /** A receive started (`n` = the receive count now, absolute; a receive given back writes the lower count). */
  | { op: 'recv'; id: string; n: number; first?: number }
  /** The message is invisible until `at` (a retry backoff, a Retry-After). */
  | { op: 'later'; id: string; at: number }
  | { op: 'done'; id: string }
  | { op: 'dlq'; id: string; receiveCount?: number; reason?: string; at?: number };

export interface JournaledMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** Receives so far (of a dead letter: before it was dead-lettered). */
  readonly receiveCount: number;
  /** First receive since it was sent or redriven. */
  readonly firstReceiveAt?: number;
  /** Epoch ms before which it is not delivered again. */
  readonly visibleAt?: number;
  /** Dead letters: when and why. */
  readonly deadLetteredAt?: number;
  readonly reason?: string;
}

export interface QueueJournalOptions {
  /** Flush every append to the disk before returning (survives a power loss). @default false */
  readonly fsync?: boolean;
  /** Shared with the threads that append to the same file while another may rewrite it (`rewrite`). */
  readonly lock?: JournalLock;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class QueueJournal {
  private readonly file: PrivateAppendFile | undefined;
  /** The lock's generation (rewrites of any journal so far) when the append handle was opened. */
  private generation: number;
  private lock: JournalLock | undefined;

  /** `path` undefined → a journal that remembers nothing (in-memory queues). */
  constructor(
    private readonly path?: string,
    private readonly options: QueueJournalOptions = {},
  ) {
    this.file = path ? new PrivateAppendFile(path, options) : undefined;
    this.lock = options.lock;
    this.generation = options.lock?.generation() ?? 0;
  }

  /** From now on, appends and rewrites take `lock` (another thread appends to this file too). */
  share(lock: JournalLock): void {
    this.lock = lock;
    this.generation = lock.generation();
  }

  append(record: JournalRecord): void {
    this.write(`${JSON.stringify(record)}\n`);
  }

  /** Several records in one write (a batch's receives). */
  appendAll(records: readonly JournalRecord[]): void {
    if (records.length) this.write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  private write(text: string): void {
    const { file } = this;
    if (!file) return;
    const { lock } = this;
    if (!lock) return file.append(text);
    lock.run(() => {
      // Another thread renamed a rewritten journal over the file this handle has open.
      if (lock.generation() !== this.generation) {
        file.close();
        this.generation = lock.generation();
      }
      file.append(text);
    });
  }

  /**
   * The messages the journal holds now (pending, in flight and dead), read
   * from the file, so it includes what another thread appended.
   */
  messages(): { pending: JournaledMessage[]; dead: JournaledMessage[] } {
    return this.replay();
  }

  /**
   * Replaces the journal with its compacted form minus the messages `drop`
   * picks (completed ones go too: a compacted journal keeps only what is
   * pending or dead), atomically (temporary file + rename, mode 0600), holding
   * the lock so no other thread's append falls between the read and the
   * rename. Returns the ids dropped.
   */
  rewrite(drop: (message: JournaledMessage) => boolean): Set<string> {
    const dropped = new Set<string>();
    if (!this.path || !existsSync(this.path)) return dropped;
    const go = () => {
      const { pending, dead } = this.replay();
      const keep = (m: JournaledMessage) => {
        if (!drop(m)) return true;
        dropped.add(m.messageId);
        return false;
      };
      this.compact(pending.filter(keep), dead.filter(keep));
      this.lock?.bump();
      this.generation = this.lock?.generation() ?? 0;
    };
    if (this.lock) this.lock.run(go);
    else go();
    return dropped;
  }

  close(): void {
    this.file?.close();
  }

  /** Replays the journal into pending messages and dead letters, and replaces it with its compacted form. */
  recover(): { pending: JournaledMessage[]; dead: JournaledMessage[] } {
    if (!this.path || !existsSync(this.path)) return { pending: [], dead: [] };
    const { pending, dead } = this.replay();
    this.compact(pending, dead);
    return { pending, dead };
  }

  private replay(): { pending: JournaledMessage[]; dead: JournaledMessage[] } {
    if (!this.path || !existsSync(this.path)) return { pending: [], dead: [] };
    const pending = new Map<string, Mutable<JournaledMessage>>();
    const dead = new Map<string, JournaledMessage>();
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // a torn last line from a crash mid-write
      }
      if (rec.op === 'send') {
        dead.delete(rec.id);
        pending.set(rec.id, {
          messageId: rec.id,
          body: rec.body,
          sentAt: rec.at,
          receiveCount: rec.n ?? 0,
          ...(rec.first !== undefined ? { firstReceiveAt: rec.first } : {}),
          ...(rec.visibleAt !== undefined ? { visibleAt: rec.visibleAt } : {}),
        });
      } else if (rec.op === 'recv') {
        const m = pending.get(rec.id);
        if (m) {
          m.receiveCount = rec.n;
          if (rec.first !== undefined) m.firstReceiveAt = rec.first;
        }
      } else if (rec.op === 'later') {
        const m = pending.get(rec.id);
        if (m) m.visibleAt = rec.at;
      } else if (rec.op === 'done') pending.delete(rec.id);
      else {
        const m = pending.get(rec.id);
        pending.delete(rec.id);
        if (m)
          dead.set(rec.id, {
            messageId: m.messageId,
            body: m.body,
            sentAt: m.sentAt,
            receiveCount: rec.receiveCount ?? m.receiveCount,
            ...(rec.at !== undefined ? { deadLetteredAt: rec.at } : {}),
            ...(rec.reason ? { reason: rec.reason } : {}),
          });
      }
    }
    return { pending: [...pending.values()], dead: [...dead.values()] };
  }

  /** Writes the journal as one `send` per pending message and a `send` + `dlq` per dead letter. */
  private compact(pending: readonly JournaledMessage[], dead: readonly JournaledMessage[]): void {
    if (!this.path) return;
    const records: JournalRecord[] = [];
    for (const m of pending)
      records.push({
        op: 'send',
        id: m.messageId,
        body: m.body,
        at: m.sentAt,
        ...(m.receiveCount ? { n: m.receiveCount } : {}),
        ...(m.firstReceiveAt !== undefined ? { first: m.firstReceiveAt } : {}),
        ...(m.visibleAt !== undefined ? { visibleAt: m.visibleAt } : {}),
      });
    for (const m of dead) {
      records.push({ op: 'send', id: m.messageId, body: m.body, at: m.sentAt });
      records.push({
        op: 'dlq',
        id: m.messageId,
        receiveCount: m.receiveCount,
        ...(m.deadLetteredAt !== undefined ? { at: m.deadLetteredAt } : {}),
        ...(m.reason ? { reason: m.reason } : {}),
      });
    }
    // The append handle (if any) points at the old file; the rename replaces it.
    this.file?.close();
    writePrivateFileAtomic(this.path, records.map((r) => `${JSON.stringify(r)}\n`).join(''), {
      fsync: this.options.fsync ?? false,
    });
  }
}
