/**
 * The local stand-in for EventBridge Scheduler's one-time schedules (and the
 * sender's SQS delays): named timers whose bus entry is put on a queue, as an
 * EventBridge envelope, when due. Pending timers are kept in a JSON journal
 * (written to a temporary file and renamed, mode 0600), so a timer survives
 * a restart of `npm start`; one that fell due while the hub was down fires
 * at start. `due()` fires everything due by the hub's clock — tests drive an
 * injected clock with it instead of sleeping.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BusEntry, toEnvelope } from '../../events/envelope.js';
import type { TimerSpec, Timers } from '../../ports.js';

interface Entry {
  readonly name: string;
  readonly at: number;
  readonly entry: BusEntry;
}

/** setTimeout's ceiling (~24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

export interface LocalTimersOptions {
  /** Puts a message body (an EventBridge envelope) on the timers' queue. */
  readonly send: (body: string) => void;
  /** The hub's clock. @default the wall clock */
  readonly now?: () => Date;
  /** Journal file; omitted → memory only. */
  readonly journalPath?: string;
  /** Reads a journal entry of an older format (`undefined`: not one). */
  readonly migrate?: (saved: unknown) => Entry | undefined;
}

export class LocalTimers implements Timers {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly options: LocalTimersOptions) {
    this.now = options.now ?? (() => new Date());
    if (options.journalPath && existsSync(options.journalPath)) {
      const saved = JSON.parse(readFileSync(options.journalPath, 'utf8')) as unknown[];
      for (const raw of saved) {
        const e = isEntry(raw) ? raw : options.migrate?.(raw);
        if (e) this.entries.set(e.name, e);
      }
    }
    this.arm();
  }

  async set(timer: TimerSpec): Promise<void> {
    this.entries.set(timer.name, { name: timer.name, at: timer.at.getTime(), entry: timer.entry });
    this.persist();
    this.arm();
  }

  async ensure(timer: TimerSpec): Promise<boolean> {
    if (this.entries.has(timer.name)) return false;
    await this.set(timer);
    return true;
  }

  async cancel(name: string): Promise<boolean> {
    if (!this.entries.delete(name)) return false;
    this.persist();
    this.arm();
    return true;
  }

  /** Fires every timer due by the hub's clock, soonest first; returns how many. */
  due(): number {
    const now = this.now().getTime();
    const due = [...this.entries.values()].filter((e) => e.at <= now).sort((a, b) => a.at - b.at);
    for (const e of due) {
      this.entries.delete(e.name);
      this.options.send(JSON.stringify(toEnvelope(e.entry, { time: new Date(e.at) })));
    }
    // Removed from the journal only after each went on its queue (which journals it first).
    if (due.length) this.persist();
    this.arm();
    return due.length;
  }

  /** What is waiting, soonest first (the CLI and tests read it). */
  pending(): { name: string; at: string; detailType: string; detail: unknown }[] {
    return [...this.entries.values()]
      .sort((a, b) => a.at - b.at)
      .map((e) => ({
        name: e.name,
        at: new Date(e.at).toISOString(),
        detailType: e.entry.detailType,
        detail: e.entry.detail,
      }));
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

const isEntry = (raw: unknown): raw is Entry => {
  const e = raw as Partial<Entry> | null;
  return typeof e?.name === 'string' && typeof e.at === 'number' && typeof e.entry?.detailType === 'string';
};
