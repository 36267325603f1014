/**
 * The `MessageStore` contract: one suite, run against the DynamoDB store
 * (on DynamoDB Local) and the memory store, so the fast handler tests
 * stand on the same behaviour as production.
 */
import { describe, expect, it } from 'vitest';
import { markSent, newMessageId, type MessageRecord } from '../../functions/outbound/message.js';
import type { MessageStore } from '../../functions/ports.js';

let n = 0;
export const sampleRecord = (over: Partial<MessageRecord> = {}): MessageRecord => {
  n += 1;
  const now = new Date(Date.UTC(2026, 10, 23, 12, 0, 0, n));
  return {
    messageId: newMessageId(now),
    customerId: 'cus_contract',
    fingerprint: 'f'.repeat(64),
    purpose: 'service',
    text: 'Your order has shipped',
    status: 'queued',
    channel: 'telegram',
    mode: 'text',
    plan: [
      { channel: 'telegram', allowed: true, mode: 'text', reasons: ['preferred_channel', 'no_window'], message: 'ok' },
    ],
    tried: [],
    attempts: [],
    receipts: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
    ...over,
  };
};

export const describeMessageStoreContract = (name: string, makeStore: () => Promise<MessageStore>) => {
  describe(`MessageStore contract: ${name}`, () => {
    it('creates a message and reads it back by customer and id', async () => {
      const store = await makeStore();
      const record = sampleRecord();
      expect(await store.create(record, `key-${record.messageId}`)).toEqual({ record, created: true });
      expect(await store.get(record.customerId, record.messageId)).toEqual(record);
      expect(await store.get('cus_other', record.messageId)).toBeUndefined();
    });

    it('the same idempotency key twice returns the first message and writes nothing', async () => {
      const store = await makeStore();
      const first = sampleRecord();
      const second = sampleRecord({ text: 'something else' });
      await store.create(first, 'same-key');
      const again = await store.create(second, 'same-key');
      expect(again).toEqual({ record: first, created: false });
      expect(await store.get(second.customerId, second.messageId)).toBeUndefined();
      expect((await store.findByIdempotencyKey('same-key'))?.messageId).toBe(first.messageId);
    });

    it('concurrent creates with one key: exactly one is created, all answer its id', async () => {
      const store = await makeStore();
      const records = Array.from({ length: 6 }, () => sampleRecord());
      const results = await Promise.all(records.map((r) => store.create(r, 'racing-key')));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.record.messageId)).size).toBe(1);
    });

    it('updates are optimistic on the version; a gone record is missing', async () => {
      const store = await makeStore();
      const record = sampleRecord();
      await store.create(record, `key-${record.messageId}`);
      const next = { ...record, status: 'sent' as const, version: 2 };
      expect(await store.update(next)).toBe('ok');
      expect(await store.update({ ...record, version: 2, text: 'stale writer' })).toBe('conflict');
      expect((await store.get(record.customerId, record.messageId))?.status).toBe('sent');
      expect(await store.update(sampleRecord({ version: 5 }))).toBe('missing');
    });

    it('links the vendor id only when asked, and finds the message by it', async () => {
      const store = await makeStore();
      const record = sampleRecord();
      await store.create(record, `key-${record.messageId}`);
      const sent = markSent({ ...record, connector: 'telegram' }, '1001:42', new Date('2026-11-23T12:01:00Z'));
      expect(await store.update(sent)).toBe('ok');
      expect(await store.findByVendorId('telegram', '1001:42')).toBeUndefined();
      const again = { ...sent, version: sent.version + 1 };
      expect(await store.update(again, { linkVendor: true })).toBe('ok');
      expect((await store.findByVendorId('telegram', '1001:42'))?.messageId).toBe(record.messageId);
      expect(await store.findByVendorId('whatsapp', '1001:42')).toBeUndefined();
    });

    it("lists a customer's messages newest first, bounded", async () => {
      const store = await makeStore();
      const customerId = `cus_list_${Math.random().toString(16).slice(2)}`;
      const records = [sampleRecord({ customerId }), sampleRecord({ customerId }), sampleRecord({ customerId })];
      for (const r of records) await store.create(r, `key-${r.messageId}`);
      await store.create(sampleRecord({ customerId: 'cus_someone_else' }), `key-other-${customerId}`);
      const listed = await store.listForCustomer(customerId, 2);
      expect(listed.map((r) => r.messageId)).toEqual([records[2]?.messageId, records[1]?.messageId]);
    });
  });
};
