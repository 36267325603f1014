/**
 * Outbound messages in the hub's table (DynamoDB Local in `npm start`):
 *
 *   C#<customerId> / M#<messageId>             the message record (in the customer's partition,
 *                                              so erasing the customer erases it)
 *   MSGKEY#<sha256(idempotencyKey)> / K        idempotency key → { customerId, messageId }
 *   MSGVID#<connector>#<vendorId> / V          vendor message id → { customerId, messageId } (receipts)
 *
 * Every item expires `retentionDays` after the message was created (TTL).
 * A record is bounded (text ≤ 50 000 characters, ≤ 20 attempts, ≤ 10
 * receipts), far below DynamoDB's 400 KB. Creation writes the key and the
 * record in one transaction; updates are conditional on the version; the
 * vendor link is a plain write before the update that sets the vendor id.
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { idempotencyKeyHash, type MessageRecord } from '../../outbound/message.js';
import type { MessageStore } from '../../ports.js';
import { NotFoundError } from '../../shared/errors.js';

export interface DynamoMessageStoreOptions {
  readonly tableName: string;
  /** Days a message (and its key and vendor link) is kept. @default 90 */
  readonly retentionDays?: number;
}

const messageKeys = {
  record: (customerId: string, messageId: string) => ({ pk: `C#${customerId}`, sk: `M#${messageId}` }),
  idempotency: (key: string) => ({ pk: `MSGKEY#${idempotencyKeyHash(key)}`, sk: 'K' }),
  vendor: (connector: string, vendorId: string) => ({ pk: `MSGVID#${connector}#${vendorId}`, sk: 'V' }),
};

type Item = Record<string, unknown>;

const toRecord = (item: Item | undefined): MessageRecord | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, ...record } = item;
  return record as unknown as MessageRecord;
};

/** Another transaction touched the same items at the same moment: try again. */
const isTransactionConflict = (err: unknown): boolean =>
  err instanceof TransactionCanceledException &&
  (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

const isConditionFailure = (err: unknown): boolean =>
  (err as Error).name === 'ConditionalCheckFailedException' ||
  (err instanceof TransactionCanceledException &&
    (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));

export class DynamoMessageStore implements MessageStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retentionSeconds: number;

  constructor(client: DynamoDBClient, options: DynamoMessageStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? 90) * 86_400;
  }

  private ttlOf(record: MessageRecord): number {
    return Math.floor(Date.parse(record.createdAt) / 1000) + this.retentionSeconds;
  }

  private recordItem(record: MessageRecord): Item {
    return { ...messageKeys.record(record.customerId, record.messageId), ...record, ttl: this.ttlOf(record) };
  }

  async create(record: MessageRecord, idempotencyKey: string): Promise<{ record: MessageRecord; created: boolean }> {
    const keyItem = {
      ...messageKeys.idempotency(idempotencyKey),
      customerId: record.customerId,
      messageId: record.messageId,
      ttl: this.ttlOf(record),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.table, Item: keyItem, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: {
                  TableName: this.table,
                  Item: this.recordItem(record),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return { record, created: true };
      } catch (err) {
        if (isConditionFailure(err)) break;
        if (!isTransactionConflict(err) || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
    const existing = await this.findByIdempotencyKey(idempotencyKey);
    if (!existing) throw new NotFoundError('The message of this idempotency key no longer exists');
    return { record: existing, created: false };
  }

  async get(customerId: string, messageId: string): Promise<MessageRecord | undefined> {
    return toRecord(await this.item(messageKeys.record(customerId, messageId)));
  }

  async findByIdempotencyKey(idempotencyKey: string): Promise<MessageRecord | undefined> {
    const pointer = await this.item(messageKeys.idempotency(idempotencyKey));
    return pointer ? this.get(String(pointer.customerId), String(pointer.messageId)) : undefined;
  }

  async update(next: MessageRecord, opts: { linkVendor?: boolean } = {}): Promise<'ok' | 'conflict' | 'missing'> {
    const put = {
      TableName: this.table,
      Item: this.recordItem(next),
      ConditionExpression: 'attribute_exists(pk) AND version = :prev',
      ExpressionAttributeValues: { ':prev': next.version - 1 },
    };
    const link = opts.linkVendor && next.connector && next.vendorMessageId;
    try {
      // The link first, then the record, as two plain writes (half the WCU of a transaction): a link
      // left alone by a failure in between names a record that does not carry that vendor id, and
      // receipts for it change nothing (`applyReceipt` compares the ids).
      if (link) {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...messageKeys.vendor(next.connector as string, next.vendorMessageId as string),
              customerId: next.customerId,
              messageId: next.messageId,
              ttl: this.ttlOf(next),
            },
          }),
        );
      }
      await this.doc.send(new PutCommand(put));
      return 'ok';
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return (await this.item(messageKeys.record(next.customerId, next.messageId))) ? 'conflict' : 'missing';
    }
  }

  async findByVendorId(connector: string, vendorMessageId: string): Promise<MessageRecord | undefined> {
    const pointer = await this.item(messageKeys.vendor(connector, vendorMessageId));
    return pointer ? this.get(String(pointer.customerId), String(pointer.messageId)) : undefined;
  }

  async listForCustomer(customerId: string, limit: number): Promise<MessageRecord[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':m': 'M#' },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []).map((i) => toRecord(i) as MessageRecord);
  }

  private async item(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return res.Item;
  }
}
