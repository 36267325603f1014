/**
 * The local event bus: wraps events exactly as EventBridge does, archives
 * them, and routes each to the queue of every rule whose pattern matches,
 * using the same rule table (`events/rules.ts`) the CDK stack deploys and an
 * EventBridge-compatible pattern matcher.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { HubEvent } from '../../events/hub-event.js';
import { toBusEntry, toEnvelope, type BusEntry, type EventBridgeEnvelope } from '../../events/envelope.js';
import { matchesPattern } from '../../events/pattern-matcher.js';
import type { EventPattern } from '../../events/rules.js';
import type { EventPublisher } from '../../ports.js';
import type { LocalQueue } from './local-queue.js';
import { PrivateAppendFile, writePrivateFileAtomic } from './private-files.js';

export interface LocalRoute {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly queue: LocalQueue;
}

export interface LocalEventBusOptions {
  /** The archive replays read (`archive.jsonl`, mode 0600); omitted → no archive. */
  readonly archivePath?: string;
  /** Flush every archive append to the disk. @default false */
  readonly fsync?: boolean;
}

export class LocalEventBus implements EventPublisher {
  private readonly routes: LocalRoute[] = [];
  private readonly archive: PrivateAppendFile | undefined;
  private readonly fsync: boolean;

  constructor(options: LocalEventBusOptions = {}) {
    this.fsync = options.fsync ?? false;
    this.archive = options.archivePath ? new PrivateAppendFile(options.archivePath, { fsync: this.fsync }) : undefined;
  }

  /** Adds a rule (the local `PutRule` + `PutTargets`). */
  addRoute(route: LocalRoute): void {
    this.routes.push(route);
  }

  async publish(events: readonly HubEvent[]): Promise<void> {
    for (const event of events) this.put(toBusEntry(event));
  }

  async putEntries(entries: readonly BusEntry[]): Promise<void> {
    for (const entry of entries) this.put(entry);
  }

  /** Puts one entry on the bus; returns the envelope as targets receive it. */
  put(entry: BusEntry): EventBridgeEnvelope {
    const envelope = toEnvelope(entry);
    this.deliver(envelope, true);
    return envelope;
  }

  /** Delivers an envelope (a new event or a replayed one) to matching rules. */
  deliver(envelope: EventBridgeEnvelope, archive: boolean, only?: (route: LocalRoute) => boolean): number {
    const body = JSON.stringify(envelope);
    if (archive) this.archive?.append(`${body}\n`);
    let matched = 0;
    for (const route of this.routes) {
      if (only && !only(route)) continue;
      if (!matchesPattern(route.pattern, envelope)) continue;
      route.queue.send(body);
      matched++;
    }
    return matched;
  }

  /**
   * Rewrites the archive keeping only the envelopes `keep` accepts (an
   * erasure scrubs a person from it), atomically (temporary file + rename);
   * later appends go to the new file. Returns how many envelopes were dropped.
   */
  rewriteArchive(keep: (envelope: EventBridgeEnvelope) => boolean): number {
    if (!this.archive || !existsSync(this.archive.path)) return 0;
    let dropped = 0;
    const kept: string[] = [];
    for (const line of readFileSync(this.archive.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let envelope: EventBridgeEnvelope;
      try {
        envelope = JSON.parse(line) as EventBridgeEnvelope;
      } catch {
        continue; // a torn line from a crash mid-write
      }
      if (keep(envelope)) kept.push(`${line}\n`);
      else dropped++;
    }
    this.archive.close();
    writePrivateFileAtomic(this.archive.path, kept.join(''), { fsync: this.fsync });
    return dropped;
  }

  queues(): LocalQueue[] {
    return this.routes.map((r) => r.queue);
  }

  /** Resolves once every queue has drained (tests and graceful shutdown). */
  async idle(): Promise<void> {
    // A consumer may publish follow-up events, so loop until all are quiet at once.
    for (;;) {
      await Promise.all(this.queues().map((q) => q.idle()));
      if (this.queues().every((q) => q.stats().pending === 0 && q.stats().inFlight === 0)) return;
    }
  }
}
