/**
 * The append-only journal behind the local queues: every send, completion
 * and dead-lettering is written before the call returns, so messages a vendor
 * was told were accepted survive a crash of `npm start`. On start the journal
 * is replayed into pending messages and dead letters, then compacted.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type JournalRecord =
  | { op: 'send'; id: string; body: string; at: number }
  | { op: 'done'; id: string }
  | { op: 'dlq'; id: string; receiveCount?: number; reason?: string };

export interface JournaledMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** Receives before it was dead-lettered (0 for pending messages). */
  readonly receiveCount: number;
}

export class QueueJournal {
  /** `path` undefined → a journal that remembers nothing (in-memory queues). */
  constructor(private readonly path?: string) {}

  append(record: JournalRecord): void {
    if (this.path) appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /** Replays the journal into pending messages and dead letters, and rewrites it compacted. */
  recover(): { pending: JournaledMessage[]; dead: JournaledMessage[] } {
    if (!this.path) return { pending: [], dead: [] };
    mkdirSync(dirname(this.path), { recursive: true });
    if (!existsSync(this.path)) return { pending: [], dead: [] };
    const pending = new Map<string, JournaledMessage>();
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
        pending.set(rec.id, { messageId: rec.id, body: rec.body, sentAt: rec.at, receiveCount: 0 });
      } else if (rec.op === 'done') pending.delete(rec.id);
      else {
        const m = pending.get(rec.id);
        pending.delete(rec.id);
        if (m) dead.set(rec.id, { ...m, receiveCount: rec.receiveCount ?? 0 });
      }
    }
    const lines = [...pending.values(), ...dead.values()].map((m) =>
      JSON.stringify({ op: 'send', id: m.messageId, body: m.body, at: m.sentAt }),
    );
    for (const m of dead.values())
      lines.push(JSON.stringify({ op: 'dlq', id: m.messageId, receiveCount: m.receiveCount }));
    writeFileSync(this.path, lines.length ? `${lines.join('\n')}\n` : '');
    return { pending: [...pending.values()], dead: [...dead.values()] };
  }
}
