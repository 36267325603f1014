/**
 * The local stand-in for the sender's SQS delays and EventBridge Scheduler:
 * a `message.requested` to put back on the sender queue at a given time
 * (quiet hours over, a retry's backoff). Pending entries are kept in a JSON
 * file (written to a temporary file and renamed, mode 0600), so a deferred
 * message survives a restart of `npm start`; one past due on start is sent
 * at once. `due()` sends everything due by the hub's clock — tests drive an
 * injected clock with it instead of sleeping.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toEnvelope } from '../../events/envelope.js';
import { messageRequestedEntry, type MessageRequested } from '../../events/message-events.js';
import type { MessageScheduler } from '../../ports.js';

interface Entry {
  readonly at: number;
  readonly request: MessageRequested;
}

/** setTimeout's ceiling (~24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

export interface LocalMessageSchedulerOptions {
  /** Puts a message body on the sender queue. */
  readonly send: (body: string) => void;
  /** The hub's clock. @default the wall clock */
  readonly now?: () => Date;
  /** Journal file; omitted → memory only. */
  readonly journalPath?: string;
}

export class LocalMessageScheduler implements MessageScheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly options: LocalMessageSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    if (options.journalPath && existsSync(options.journalPath)) {
      const saved = JSON.parse(readFileSync(options.journalPath, 'utf8')) as Entry[];
      for (const e of saved) this.entries.set(`${e.request.messageId}@${e.at}`, e);
    }
    this.arm();
  }

  async schedule(request: MessageRequested, at: Date): Promise<void> {
    this.entries.set(`${request.messageId}@${at.getTime()}`, { at: at.getTime(), request });
    this.persist();
    this.arm();
  }

  /** Sends every entry due by the hub's clock; returns how many. */
  due(): number {
    const now = this.now().getTime();
    let sent = 0;
    for (const [key, entry] of [...this.entries].sort(([, a], [, b]) => a.at - b.at)) {
      if (entry.at > now) continue;
      this.entries.delete(key);
      this.options.send(JSON.stringify(toEnvelope(messageRequestedEntry(entry.request))));
      sent += 1;
    }
    if (sent) this.persist();
    this.arm();
    return sent;
  }

  /** What is waiting, soonest first (the CLI and tests read it). */
  pending(): { messageId: string; at: string; reason: string }[] {
    return [...this.entries.values()]
      .sort((a, b) => a.at - b.at)
      .map((e) => ({ messageId: e.request.messageId, at: new Date(e.at).toISOString(), reason: e.request.reason }));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.entries.size === 0) return;
    const next = Math.min(...[...this.entries.values()].map((e) => e.at));
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, next - this.now().getTime()));
    this.timer = setTimeout(() => this.due(), wait);
    this.timer.unref();
  }

  private persist(): void {
    const path = this.options.journalPath;
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.entries.values()]), { mode: 0o600 });
    renameSync(tmp, path);
  }
}
