/**
 * `ItemStore` on one DynamoDB table (DynamoDB Local in `npm start` and the
 * tests): items through the document client, plan steps as conditional
 * `PutItem`/`DeleteItem`, `TransactWriteItems` and `BatchWriteItem`.
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  keyOfWrite,
  keyString,
  type Condition,
  type ItemKey,
  type Step,
  type StoredItem,
  type Write,
} from '../../domain/store-model.js';
import type { ItemPage, ItemQuery, ItemStore, StepResult } from '../store/item-store.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

interface Expression {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** A plan condition as a DynamoDB condition expression (also used by the benchmark's store floor). */
export const conditionExpression = (condition: Condition | undefined): Expression => {
  if (!condition) return {};
  switch (condition.kind) {
    case 'absent':
      return { ConditionExpression: 'attribute_not_exists(pk)' };
    case 'equals':
      return {
        ConditionExpression: '#c = :c',
        ExpressionAttributeNames: { '#c': condition.attribute },
        ExpressionAttributeValues: { ':c': condition.value },
      };
    case 'oneOf':
      return {
        ConditionExpression: `#c IN (${condition.values.map((_, i) => `:c${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#c': condition.attribute },
        ExpressionAttributeValues: Object.fromEntries(condition.values.map((v, i) => [`:c${i}`, v])),
      };
    case 'supersedes':
      return {
        ConditionExpression: 'attribute_not_exists(pk) OR #c <> :c OR #v < :v',
        ExpressionAttributeNames: { '#c': 'customerId', '#v': 'version' },
        ExpressionAttributeValues: { ':c': condition.customerId, ':v': condition.version },
      };
  }
};

const isConflict = (err: unknown): boolean =>
  err instanceof TransactionCanceledException &&
  (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');

export class DynamoItemStore implements ItemStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(key: ItemKey, consistent: boolean): Promise<StoredItem | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: consistent }));
    return res.Item as StoredItem | undefined;
  }

  async batchGet(keys: readonly ItemKey[], consistent: boolean): Promise<StoredItem[]> {
    const unique = [...new Map(keys.map((k) => [keyString(k), { pk: k.pk, sk: k.sk }])).values()];
    const found: StoredItem[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: ItemKey[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: unique.slice(i, i + 100), ConsistentRead: consistent },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        found.push(...((res.Responses?.[this.table] ?? []) as StoredItem[]));
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  async query(q: ItemQuery): Promise<ItemPage> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': q.pk };
    let keyCondition = 'pk = :pk';
    if (q.between) {
      keyCondition += ' AND sk BETWEEN :lo AND :hi';
      values[':lo'] = q.between[0];
      values[':hi'] = q.between[1];
    } else if (q.beginsWith) {
      keyCondition += ' AND begins_with(sk, :p)';
      values[':p'] = q.beginsWith;
    }
    const filters = (q.filter ?? []).map((f, j) => {
      names[`#f${j}`] = f.attribute;
      f.oneOf.forEach((v, i) => {
        values[`:f${j}_${i}`] = v;
      });
      return `#f${j} IN (${f.oneOf.map((_, i) => `:f${j}_${i}`).join(', ')})`;
    });
    const input: QueryCommandInput = {
      TableName: this.table,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeValues: values,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ...(q.descending ? { ScanIndexForward: false } : {}),
      ...(q.limit ? { Limit: q.limit } : {}),
      ...(q.startAfter ? { ExclusiveStartKey: { pk: q.startAfter.pk, sk: q.startAfter.sk } } : {}),
      ...(q.consistent ? { ConsistentRead: true } : {}),
    };
    const res = await this.doc.send(new QueryCommand(input));
    const next = res.LastEvaluatedKey as ItemKey | undefined;
    return { items: (res.Items ?? []) as StoredItem[], ...(next ? { next: { pk: next.pk, sk: next.sk } } : {}) };
  }

  async execute(step: Step): Promise<StepResult> {
    switch (step.kind) {
      case 'write':
        return this.single(step.write);
      case 'transaction':
        if (!step.writes.length) return { ok: true };
        try {
          await this.doc.send(
            new TransactWriteCommand({ TransactItems: step.writes.map((w) => this.transactItem(w)) }),
          );
          return { ok: true };
        } catch (err) {
          if (isConflict(err)) return { ok: false };
          throw err;
        }
      case 'bulk':
        await this.bulk(step.writes);
        return { ok: true };
    }
  }

  private transactItem(w: Write): TransactItem {
    const expression = conditionExpression(w.condition);
    return w.op === 'put'
      ? { Put: { TableName: this.table, Item: w.item, ...expression } }
      : { Delete: { TableName: this.table, Key: w.key, ...expression } };
  }

  private async single(w: Write): Promise<StepResult> {
    const expression = conditionExpression(w.condition);
    const onFailure = w.condition ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {};
    try {
      if (w.op === 'put')
        await this.doc.send(new PutCommand({ TableName: this.table, Item: w.item, ...expression, ...onFailure }));
      else await this.doc.send(new DeleteCommand({ TableName: this.table, Key: w.key, ...expression, ...onFailure }));
      return { ok: true };
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      // The document client does not unmarshal the item an exception carries.
      const item = (err as { Item?: Parameters<typeof unmarshall>[0] }).Item;
      return item ? { ok: false, existing: unmarshall(item) as StoredItem } : { ok: false };
    }
  }

  private async bulk(writes: readonly Write[]): Promise<void> {
    // One request per item: a batch may not name an item twice, and the last write of an item wins.
    const byKey = new Map(writes.map((w) => [keyString(keyOfWrite(w)), w]));
    const requests = [...byKey.values()].map((w) =>
      w.op === 'put' ? { PutRequest: { Item: w.item } } : { DeleteRequest: { Key: { pk: w.key.pk, sk: w.key.sk } } },
    );
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Record<string, Record<string, unknown>[]> | undefined = { [this.table]: requests.slice(i, i + 25) };
      for (let attempt = 0; pending && Object.keys(pending).length; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 6)));
        const res = await this.doc.send(new BatchWriteCommand({ RequestItems: pending as never }));
        pending = res.UnprocessedItems as typeof pending;
      }
    }
  }
}
