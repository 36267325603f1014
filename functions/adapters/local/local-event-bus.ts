/**
 * The local event bus: wraps events exactly as EventBridge does, archives
 * them, and routes each to the queue of every rule whose pattern matches,
 * using the same rule table (`events/rules.ts`) the CDK stack deploys and an
 * EventBridge-compatible pattern matcher.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HubEvent } from '../../events/hub-event.js';
import { toBusEntry, toEnvelope, type BusEntry, type EventBridgeEnvelope } from '../../events/envelope.js';
import { matchesPattern } from '../../events/pattern-matcher.js';
import type { EventPattern } from '../../events/rules.js';
import type { EventPublisher } from '../../ports.js';
import type { LocalQueue } from './local-queue.js';

export interface LocalRoute {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly queue: LocalQueue;
}

export class LocalEventBus implements EventPublisher {
  private readonly routes: LocalRoute[] = [];

  constructor(private readonly options: { archivePath?: string } = {}) {
    if (options.archivePath) mkdirSync(dirname(options.archivePath), { recursive: true });
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
    if (archive && this.options.archivePath) appendFileSync(this.options.archivePath, `${JSON.stringify(envelope)}\n`);
    const body = JSON.stringify(envelope);
    let matched = 0;
    for (const route of this.routes) {
      if (only && !only(route)) continue;
      if (!matchesPattern(route.pattern, envelope)) continue;
      route.queue.send(body);
      matched++;
    }
    return matched;
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
