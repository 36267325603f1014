/**
 * The local stand-in for the sender's SQS delays and EventBridge Scheduler:
 * a `message.requested` put back on the sender queue at a given time (quiet
 * hours over, a retry's backoff), on the hub's one timer mechanism
 * (`LocalTimers`: journaled, survives a restart, `due()` for tests). Journals
 * written before the timers were shared (`{ at, request }` entries) are read.
 */
import { messageRequestedEntry, type MessageRequested } from '../../events/message-events.js';
import type { MessageScheduler } from '../../ports.js';
import { LocalTimers } from './local-timers.js';

export interface LocalMessageSchedulerOptions {
  /** Puts a message body on the sender queue. */
  readonly send: (body: string) => void;
  /** The hub's clock. @default the wall clock */
  readonly now?: () => Date;
  /** Journal file; omitted → memory only. */
  readonly journalPath?: string;
}

const timerName = (request: MessageRequested, at: number): string => `${request.messageId}@${at}`;

export class LocalMessageScheduler implements MessageScheduler {
  private readonly timers: LocalTimers;

  constructor(options: LocalMessageSchedulerOptions) {
    this.timers = new LocalTimers({
      ...options,
      migrate: (saved) => {
        const old = saved as { at?: unknown; request?: MessageRequested } | null;
        if (typeof old?.at !== 'number' || !old.request) return undefined;
        return { name: timerName(old.request, old.at), at: old.at, entry: messageRequestedEntry(old.request) };
      },
    });
  }

  async schedule(request: MessageRequested, at: Date): Promise<void> {
    await this.timers.set({ name: timerName(request, at.getTime()), at, entry: messageRequestedEntry(request) });
  }

  /** Sends every entry due by the hub's clock; returns how many. */
  due(): number {
    return this.timers.due();
  }

  /** What is waiting, soonest first (the CLI and tests read it). */
  pending(): { messageId: string; at: string; reason: string }[] {
    return this.timers.pending().map((t) => {
      const request = t.detail as MessageRequested;
      return { messageId: request.messageId, at: t.at, reason: request.reason };
    });
  }

  stop(): void {
    this.timers.stop();
  }
}
