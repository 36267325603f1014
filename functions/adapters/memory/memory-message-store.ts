/**
 * `MessageStore` in memory, for fast handler tests. It passes the same
 * contract suite as the DynamoDB store (`test/contract/message-store.ts`);
 * integration tests use DynamoDB Local.
 */
import { idempotencyKeyHash, type MessageRecord } from '../../outbound/message.js';
import type { MessageStore } from '../../ports.js';
import { NotFoundError } from '../../shared/errors.js';

const recordKey = (customerId: string, messageId: string) => `${customerId}|${messageId}`;

export class MemoryMessageStore implements MessageStore {
  private readonly records = new Map<string, MessageRecord>();
  private readonly keys = new Map<string, { customerId: string; messageId: string }>();
  private readonly vendorIds = new Map<string, { customerId: string; messageId: string }>();

  async create(record: MessageRecord, idempotencyKey: string): Promise<{ record: MessageRecord; created: boolean }> {
    const hash = idempotencyKeyHash(idempotencyKey);
    if (this.keys.has(hash)) {
      const existing = await this.findByIdempotencyKey(idempotencyKey);
      if (!existing) throw new NotFoundError('The message of this idempotency key no longer exists');
      return { record: existing, created: false };
    }
    this.keys.set(hash, { customerId: record.customerId, messageId: record.messageId });
    this.records.set(recordKey(record.customerId, record.messageId), structuredClone(record));
    return { record: structuredClone(record), created: true };
  }

  async get(customerId: string, messageId: string): Promise<MessageRecord | undefined> {
    const record = this.records.get(recordKey(customerId, messageId));
    return record ? structuredClone(record) : undefined;
  }

  async findByIdempotencyKey(idempotencyKey: string): Promise<MessageRecord | undefined> {
    const pointer = this.keys.get(idempotencyKeyHash(idempotencyKey));
    return pointer ? this.get(pointer.customerId, pointer.messageId) : undefined;
  }

  async update(next: MessageRecord, opts: { linkVendor?: boolean } = {}): Promise<'ok' | 'conflict' | 'missing'> {
    const key = recordKey(next.customerId, next.messageId);
    const current = this.records.get(key);
    if (!current) return 'missing';
    if (current.version !== next.version - 1) return 'conflict';
    this.records.set(key, structuredClone(next));
    if (opts.linkVendor && next.connector && next.vendorMessageId)
      this.vendorIds.set(`${next.connector}#${next.vendorMessageId}`, {
        customerId: next.customerId,
        messageId: next.messageId,
      });
    return 'ok';
  }

  async findByVendorId(connector: string, vendorMessageId: string): Promise<MessageRecord | undefined> {
    const pointer = this.vendorIds.get(`${connector}#${vendorMessageId}`);
    return pointer ? this.get(pointer.customerId, pointer.messageId) : undefined;
  }

  async listForCustomer(customerId: string, limit: number): Promise<MessageRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.customerId === customerId)
      .sort((a, b) => b.messageId.localeCompare(a.messageId))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  /** Test helper: forget a customer's messages as erasure does. */
  eraseCustomer(customerId: string): void {
    for (const [key, r] of this.records) if (r.customerId === customerId) this.records.delete(key);
  }
}
