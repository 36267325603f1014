/**
 * Publishes hub events to the EventBridge bus. PutEvents can accept a batch
 * in part: failed entries are retried with backoff, and if any still fail the
 * call throws, so the ingest handler answers 5xx and the vendor redelivers
 * (deterministic event ids make the redelivery harmless).
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { HubEvent } from '../../events/hub-event.js';
import { toBusEntry, type BusEntry } from '../../events/envelope.js';
import type { EventPublisher } from '../../ports.js';

const BATCH = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly maxAttempts = 3,
  ) {}

  publish(events: readonly HubEvent[]): Promise<void> {
    return this.putEntries(events.map(toBusEntry));
  }

  async putEntries(busEntries: readonly BusEntry[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = busEntries.map((entry) => ({
      EventBusName: this.eventBusName,
      Source: entry.source,
      DetailType: entry.detailType,
      Detail: JSON.stringify(entry.detail),
    }));
    for (let i = 0; i < entries.length; i += BATCH) await this.putBatch(entries.slice(i, i + BATCH));
  }

  private async putBatch(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const res = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!res.FailedEntryCount) return;
      const failed = pending.filter((_, idx) => res.Entries?.[idx]?.ErrorCode);
      if (attempt >= this.maxAttempts) {
        const codes = [...new Set(res.Entries?.map((e) => e.ErrorCode).filter(Boolean))].join(', ');
        throw new Error(
          `EventBridge rejected ${failed.length} of ${batch.length} events after ${attempt} attempts (${codes})`,
        );
      }
      pending = failed;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt + Math.random() * 100));
    }
  }
}
