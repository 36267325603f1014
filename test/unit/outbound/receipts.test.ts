/**
 * Receipts → message status, fast (memory store): forward only whatever the
 * arrival order, duplicates ignored, receipts of a superseded attempt
 * ignored, Messenger watermarks, and a permanent asynchronous failure
 * sending a service message on to the next channel.
 */
import { describe, expect, it } from 'vitest';
import { MemoryMessageStore } from '../../../functions/adapters/memory/memory-message-store.js';
import type { BusEntry } from '../../../functions/events/envelope.js';
import { hubEventId } from '../../../functions/events/event-id.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { markSent, type MessageRecord } from '../../../functions/outbound/message.js';
import { applyDeliveryReceipt, type ReceiptDeps } from '../../../functions/outbound/receipts.js';
import { sampleRecord } from '../../contract/message-store.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');

const receipt = (
  type: 'message.sent' | 'message.delivered' | 'message.read' | 'message.failed',
  vendorId: string,
  at: string,
  opts: {
    connector?: string;
    error?: { code: string; message: string; unreachable?: boolean };
    hub?: boolean;
    n?: string;
  } = {},
): HubEvent =>
  ({
    schemaVersion: 1,
    id: hubEventId(opts.connector ?? 'whatsapp', `${vendorId}:${type}:${opts.n ?? ''}`),
    connector: opts.connector ?? 'whatsapp',
    providerEventId: `${vendorId}:${type}`,
    type,
    channel: 'whatsapp',
    occurredAt: at,
    receivedAt: at,
    customer: { identities: [{ type: 'whatsapp', value: '380501112233' }], traits: {} },
    summary: 'Status',
    data: {
      messageId: vendorId,
      direction: 'outbound',
      contentType: 'other',
      ...(opts.error ? { error: opts.error } : {}),
      ...(opts.hub ? { hubMessageId: 'msg_x' } : {}),
    },
  }) as HubEvent;

const sent = async (store: MemoryMessageStore, over: Partial<MessageRecord> = {}, vendorId = 'wamid.1') => {
  const record = sampleRecord({ channel: 'whatsapp', connector: 'whatsapp', customerId: 'cus_r', ...over });
  await store.create(record, `key-${record.messageId}`);
  const next = markSent(record, vendorId, new Date('2026-11-23T11:00:00.000Z'));
  await store.update(next, { linkVendor: true });
  return next;
};

const deps = (store: MemoryMessageStore, entries: BusEntry[] = []): ReceiptDeps => ({
  messages: store,
  profiles: { findByIdentity: async () => ({ customerId: 'cus_r' }) as never },
  publisher: { publish: async () => undefined, putEntries: async (e) => void entries.push(...e) },
  now: () => NOW,
});

describe('Receipts: applyDeliveryReceipt', () => {
  it('moves sent → delivered → read; a late delivered and a duplicate read change nothing', async () => {
    const store = new MemoryMessageStore();
    const record = await sent(store);
    const d = deps(store);
    expect(await applyDeliveryReceipt(d, receipt('message.delivered', 'wamid.1', '2026-11-23T11:01:00.000Z'))).toBe(
      'updated',
    );
    const read = receipt('message.read', 'wamid.1', '2026-11-23T11:02:00.000Z');
    expect(await applyDeliveryReceipt(d, read)).toBe('updated');
    expect(
      await applyDeliveryReceipt(d, receipt('message.delivered', 'wamid.1', '2026-11-23T11:03:00.000Z', { n: '2' })),
    ).toBe('unchanged');
    expect(await applyDeliveryReceipt(d, read)).toBe('unchanged');
    expect(await store.get('cus_r', record.messageId)).toMatchObject({
      status: 'read',
      deliveredAt: '2026-11-23T11:01:00.000Z',
      readAt: '2026-11-23T11:02:00.000Z',
    });
  });

  it('read arriving before delivered: read stands, delivered time taken from it', async () => {
    const store = new MemoryMessageStore();
    const record = await sent(store);
    await applyDeliveryReceipt(deps(store), receipt('message.read', 'wamid.1', '2026-11-23T11:05:00.000Z'));
    await applyDeliveryReceipt(deps(store), receipt('message.delivered', 'wamid.1', '2026-11-23T11:04:00.000Z'));
    expect(await store.get('cus_r', record.messageId)).toMatchObject({
      status: 'read',
      deliveredAt: '2026-11-23T11:05:00.000Z',
    });
  });

  it("ignores the hub's own events, inbound messages and ids the hub never sent", async () => {
    const store = new MemoryMessageStore();
    await sent(store);
    expect(
      await applyDeliveryReceipt(deps(store), receipt('message.sent', 'wamid.1', NOW.toISOString(), { hub: true })),
    ).toBe('ignored');
    expect(
      await applyDeliveryReceipt(deps(store), receipt('message.delivered', 'wamid.other', NOW.toISOString())),
    ).toBe('unknown');
    expect(
      await applyDeliveryReceipt(
        deps(store),
        receipt('message.delivered', 'wamid.1', NOW.toISOString(), { connector: 'viber' }),
      ),
    ).toBe('unknown');
  });

  it('a permanent asynchronous failure of a service message sends it on to the next channel', async () => {
    const store = new MemoryMessageStore();
    const entries: BusEntry[] = [];
    const record = await sent(store, { purpose: 'service' });
    const failed = receipt('message.failed', 'wamid.1', NOW.toISOString(), {
      error: { code: '131026', message: 'undeliverable', unreachable: true },
    });
    expect(await applyDeliveryReceipt(deps(store, entries), failed)).toBe('updated');
    expect(await store.get('cus_r', record.messageId)).toMatchObject({ status: 'queued', tried: ['whatsapp'] });
    expect(entries.map((e) => [e.detailType, (e.detail as { reason: string }).reason])).toEqual([
      ['message.requested', 'fallback'],
    ]);
    // A late receipt of the old attempt no longer moves the re-queued message.
    expect(await applyDeliveryReceipt(deps(store), receipt('message.delivered', 'wamid.1', NOW.toISOString()))).toBe(
      'unchanged',
    );
  });

  it('a failed marketing message just fails', async () => {
    const store = new MemoryMessageStore();
    const entries: BusEntry[] = [];
    const record = await sent(store, { purpose: 'marketing' });
    const failed = receipt('message.failed', 'wamid.1', NOW.toISOString(), {
      error: { code: '131026', message: 'undeliverable', unreachable: true },
    });
    await applyDeliveryReceipt(deps(store, entries), failed);
    expect(await store.get('cus_r', record.messageId)).toMatchObject({ status: 'failed', error: { code: '131026' } });
    expect(entries).toEqual([]);
  });

  it('Messenger watermarks mark every message sent to her on that channel up to the watermark', async () => {
    const store = new MemoryMessageStore();
    const early = await sent(store, { channel: 'messenger', connector: 'messenger' }, 'm_1');
    const late = sampleRecord({ channel: 'messenger', connector: 'messenger', customerId: 'cus_r' });
    await store.create(late, `key-${late.messageId}`);
    await store.update(markSent(late, 'm_2', new Date('2026-11-23T11:30:00.000Z')), { linkVendor: true });
    const watermark = Date.parse('2026-11-23T11:10:00.000Z');
    const event = receipt('message.read', `watermark:${watermark}`, NOW.toISOString(), { connector: 'messenger' });
    expect(await applyDeliveryReceipt(deps(store), event)).toBe('updated');
    expect((await store.get('cus_r', early.messageId))?.status).toBe('read');
    expect((await store.get('cus_r', late.messageId))?.status).toBe('sent');
  });
});
