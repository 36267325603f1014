/**
 * Two SQS batches processed at once (the local queues deliver up to four; on
 * AWS one container may be reused): each batch's failures must be reported in
 * that batch's own response, or a failed event is deleted from the queue and
 * lost. A shared BatchProcessor did exactly that (130 events in, 129 applied).
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { createProfileWriterHandler } from '../../../functions/handlers/profile-writer.js';
import type { ProfileStore } from '../../../functions/ports.js';

const event = (n: number): HubEvent =>
  ({
    schemaVersion: 1,
    id: `evt_${String(n).padStart(32, '0')}`,
    connector: 'whatsapp',
    providerEventId: `wamid.${n}`,
    type: 'message.received',
    channel: 'whatsapp',
    occurredAt: '2026-11-01T10:00:00.000Z',
    receivedAt: '2026-11-01T10:00:01.000Z',
    customer: { identities: [{ type: 'whatsapp', value: '380501112233' }], traits: {} },
    summary: `message ${n}`,
    data: { messageId: `wamid.${n}`, direction: 'inbound', contentType: 'text', text: 'hi' },
  }) as HubEvent;

const record = (n: number): SQSRecord =>
  ({ messageId: `m${n}`, body: JSON.stringify({ detail: event(n) }) }) as unknown as SQSRecord;

const context = { functionName: 'profile-writer', awsRequestId: 'test' } as Context;

describe('Profile writer: concurrent batches', () => {
  it('reports each batch its own failures when two run at once', async () => {
    // Prepare: event 1 fails (a conflicting writer), after the other batch has started.
    const store = {
      applyEvent: async (e: HubEvent) => {
        await new Promise((r) => setTimeout(r, e.providerEventId === 'wamid.1' ? 30 : 5));
        if (e.providerEventId === 'wamid.1') throw new Error('conflict');
        return { status: 'applied' as const, customerId: 'cus_x', notifications: [] };
      },
    } as unknown as ProfileStore;
    const handler = createProfileWriterHandler({
      store,
      publisher: { publish: async () => {}, putEntries: async () => {} },
    });

    // Act
    const [first, second] = await Promise.all([
      handler({ Records: [record(1), record(2)] } as SQSEvent, context),
      handler({ Records: [record(3)] } as SQSEvent, context),
    ]);

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(second.batchItemFailures).toEqual([]);
  });
});
