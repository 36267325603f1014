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

/** Where a route puts what matches: a `LocalQueue`, or (in the HTTP front's thread) a journaled hand-off to it. */
export interface QueueSink {
  /** Durable (journaled) before it returns; returns the message id. */
  send(body: string): string;
}

export interface LocalRoute<Q extends QueueSink = LocalQueue> {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly queue: Q;
}

export interface LocalEventBusOptions {
  /** The archive replays read (`archive.jsonl`, mode 0600); omitted → no archive. */
  readonly archivePath?: string;
  /** Flush every archive append to the disk. @default false */
  readonly fsync?: boolean;
}

export class LocalEventBus<Q extends QueueSink = LocalQueue> implements EventPublisher {
  private readonly routes: LocalRoute<Q>[] = [];
  private readonly archive: PrivateAppendFile | undefined;
  private readonly fsync: boolean;

  constructor(options: LocalEventBusOptions = {}) {
    this.fsync = options.fsync ?? false;
    this.archive = options.archivePath ? new PrivateAppendFile(options.archivePath, { fsync: this.fsync }) : undefined;
  }

  /** Adds a rule (the local `PutRule` + `PutTargets`). */
  addRoute(route: LocalRoute<Q>): void {
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
  deliver(envelope: EventBridgeEnvelope, archive: boolean, only?: (route: LocalRoute<Q>) => boolean): number {
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

  /** Closes the archive file (a later publication reopens it). */
  close(): void {
    this.archive?.close();
  }

  queues(): Q[] {
    return this.routes.map((r) => r.queue);
  }

  /** Routes by name, with their patterns (the HTTP front's thread builds its hand-offs from them). */
  routeList(): readonly LocalRoute<Q>[] {
    return this.routes;
  }

  /** Resolves once every queue has drained (tests and graceful shutdown). */
  async idle(this: LocalEventBus<LocalQueue>): Promise<void> {
    // A consumer may publish follow-up events, so loop until all are quiet at once.
    for (;;) {
      await Promise.all(this.queues().map((q) => q.idle()));
      if (this.queues().every((q) => q.stats().pending === 0 && q.stats().inFlight === 0)) return;
    }
  }
}
