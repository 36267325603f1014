/**
 * The store floor: raw DynamoDB Local throughput for the writes the hub
 * makes per event, issued directly with the SDK — the same
 * `TransactWriteItems` shape (item count and item sizes replayed from the
 * hub's own transactions, the dedupe and profile puts conditional as in the
 * store), on fresh keys, at a fixed concurrency. No reads, no identity
 * resolution, no profile fold: what the store could do if the hub cost
 * nothing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureHubTable } from '../../functions/adapters/local/dynamodb-local.js';
import { summarize, type Summary } from './stats.js';

/** A typical fresh-customer shape (dedupe, timeline, profile, two identity links, link log), bytes. */
export const DEFAULT_SHAPE: readonly number[] = [160, 1400, 1500, 200, 200, 300];

export interface FloorResult {
  readonly transactions: number;
  readonly concurrency: number;
  readonly itemsPerTransaction: number;
  readonly bytesPerTransaction: number;
  readonly seconds: number;
  /** Transactions (= events) per second. */
  readonly perSecond: number;
  readonly latencyMs: Summary;
  readonly errors: number;
}

const padTo = (item: Record<string, unknown>, bytes: number): Record<string, unknown> => {
  const base = Object.entries(item).reduce((s, [k, v]) => s + k.length + String(v).length, 0) + 3;
  return { ...item, d: 'x'.repeat(Math.max(1, bytes - base)) };
};

/** The items of floor transaction `k`: keys laid out as the store lays them out. */
export const floorItems = (tableName: string, run: string, k: number, shape: readonly number[]) =>
  shape.map((bytes, j) => {
    const id = `${run}-${k}`;
    if (j === 0)
      return {
        Put: {
          TableName: tableName,
          Item: padTo({ pk: `E#${id}`, sk: 'E' }, bytes),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    if (j === 1)
      return {
        Put: { TableName: tableName, Item: padTo({ pk: `C#${id}`, sk: `T#2026-01-01T00:00:00.000Z#${id}` }, bytes) },
      };
    if (j === 2)
      return {
        Put: {
          TableName: tableName,
          Item: padTo({ pk: `C#${id}`, sk: 'P' }, bytes),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    return {
      Put: {
        TableName: tableName,
        Item: padTo({ pk: `I#phone#${id}-${j}`, sk: 'I' }, bytes),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  });

export const runStoreFloor = async (
  client: DynamoDBClient,
  {
    tableName,
    run,
    transactions,
    concurrency,
    shapes,
  }: {
    tableName: string;
    run: string;
    transactions: number;
    concurrency: number;
    shapes: readonly (readonly number[])[];
  },
): Promise<FloorResult> => {
  await ensureHubTable(client, tableName);
  const doc = DynamoDBDocumentClient.from(client);
  const used = shapes.length ? shapes : [DEFAULT_SHAPE];
  const latencies: number[] = [];
  let errors = 0;
  let items = 0;
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < transactions) {
        const k = next++;
        const shape = used[k % used.length] as readonly number[];
        items += shape.length;
        bytes += shape.reduce((s, b) => s + b, 0);
        const t = performance.now();
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: floorItems(tableName, run, k, shape) }));
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    transactions,
    concurrency,
    itemsPerTransaction: items / transactions,
    bytesPerTransaction: bytes / transactions,
    seconds,
    perSecond: (transactions - errors) / seconds,
    latencyMs: summarize(latencies),
    errors,
  };
};
