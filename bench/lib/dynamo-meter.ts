/**
 * Measures DynamoDB capacity without touching production code: a middleware
 * on the client's stack (shared by the `DynamoDBDocumentClient` built on it)
 * optionally asks every request for `ReturnConsumedCapacity: 'TOTAL'`, sums
 * what DynamoDB Local reports, and — because DynamoDB Local does not bill
 * like AWS for transactions (it over-reports them) and for missing keys in
 * `BatchGetItem` (it reports 0; amazon-dynamodb-local-samples#7) — also
 * applies AWS's documented billing rules to the item sizes it sees in the
 * requests and responses.
 *
 * AWS rules applied (DynamoDB developer guide, "Item sizes and formats" and
 * "Read/write capacity mode"): a standard write is 1 unit per started KB of
 * the item (min 1); a transactional write is 2 units per started KB; a
 * strongly consistent read is 1 unit per started 4 KB (min 1, also for a
 * missing item), eventually consistent half of that; a Query is charged on
 * the sum of the returned item sizes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Plain = Record<string, unknown>;

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Bytes DynamoDB counts for a number: 1 per two significant digits, plus 1. */
export const numberSize = (text: string): number => {
  const mantissa = text.trim().replace(/^[-+]/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

const isAttributeValue = (v: unknown): v is Plain =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  ATTRIBUTE_TYPES.has(Object.keys(v)[0] as string);

/** True when `item` is in the wire form (`{ pk: { S: '…' } }`) rather than plain JavaScript values. */
export const isMarshalled = (item: Plain): boolean => {
  const values = Object.values(item);
  return values.length > 0 && values.every(isAttributeValue);
};

const attributeValueSize = (v: Plain): number => {
  const [type, value] = Object.entries(v)[0] as [string, unknown];
  switch (type) {
    case 'S':
      return utf8(value as string);
    case 'N':
      return numberSize(value as string);
    case 'B':
      return (value as Uint8Array).byteLength;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (value as string[]).reduce((s, x) => s + utf8(x), 0);
    case 'NS':
      return (value as string[]).reduce((s, x) => s + numberSize(x), 0);
    case 'BS':
      return (value as Uint8Array[]).reduce((s, x) => s + x.byteLength, 0);
    case 'L':
      return 3 + (value as Plain[]).reduce((s, x) => s + attributeValueSize(x) + 1, 0);
    case 'M':
      return (
        3 +
        Object.entries(value as Record<string, Plain>).reduce((s, [k, x]) => s + utf8(k) + attributeValueSize(x) + 1, 0)
      );
    default:
      return 0;
  }
};

/** Size of a plain value as the document client would marshal it (`removeUndefinedValues`). */
const plainValueSize = (v: unknown): number => {
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number' || typeof v === 'bigint') return numberSize(String(v));
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce((s: number, x) => s + plainValueSize(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce((s: number, x) => s + (x === undefined ? 0 : plainValueSize(x) + 1), 0);
  if (typeof v === 'object') {
    return (
      3 +
      Object.entries(v as Plain).reduce((s, [k, x]) => s + (x === undefined ? 0 : utf8(k) + plainValueSize(x) + 1), 0)
    );
  }
  return 0;
};

/** DynamoDB item size in bytes: attribute names plus values, per the developer guide's rules. */
export const itemSize = (item: Plain): number => {
  const marshalled = isMarshalled(item);
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8(name) + (marshalled ? attributeValueSize(value as Plain) : plainValueSize(value));
  }
  return size;
};

/** Standard write units of one item write (1 per started KB, min 1). */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
/** Read units of one item read (1 per started 4 KB, min 1 even for a missing item); half when eventually consistent. */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** Commands that accept `ReturnConsumedCapacity`. */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);
const READ_COMMANDS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

export interface AwsUnits {
  readonly read: number;
  readonly write: number;
}

/**
 * AWS-rule capacity of one successful call from its input and output, or
 * undefined when the sizes needed are not visible (Update/Delete: the meter
 * then uses the reported figure, which DynamoDB Local gets right for
 * single-item writes).
 */
export const awsUnitsOf = (command: string, input: Plain, output: Plain): AwsUnits | undefined => {
  switch (command) {
    case 'GetItemCommand': {
      const item = output.Item as Plain | undefined;
      return { read: readUnits(item ? itemSize(item) : 0, input.ConsistentRead === true), write: 0 };
    }
    case 'BatchGetItemCommand': {
      let read = 0;
      const requests = (input.RequestItems ?? {}) as Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }>;
      const responses = (output.Responses ?? {}) as Record<string, Plain[]>;
      const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys?: unknown[] }>;
      for (const [table, request] of Object.entries(requests)) {
        const consistent = request.ConsistentRead === true;
        const found = responses[table] ?? [];
        const asked = (request.Keys?.length ?? 0) - (unprocessed[table]?.Keys?.length ?? 0);
        for (const item of found) read += readUnits(itemSize(item), consistent);
        read += Math.max(0, asked - found.length) * readUnits(0, consistent);
      }
      return { read, write: 0 };
    }
    case 'QueryCommand': {
      const bytes = ((output.Items ?? []) as Plain[]).reduce((s, item) => s + itemSize(item), 0);
      return { read: readUnits(bytes, input.ConsistentRead === true), write: 0 };
    }
    case 'PutItemCommand':
      return { read: 0, write: writeUnits(itemSize(input.Item as Plain)) };
    case 'TransactWriteItemsCommand': {
      let write = 0;
      for (const entry of (input.TransactItems ?? []) as Plain[]) {
        const put = entry.Put as { Item?: Plain } | undefined;
        // Update/Delete/ConditionCheck sizes are not visible here; the hub's are single small items.
        write += 2 * (put?.Item ? writeUnits(itemSize(put.Item)) : 1);
      }
      return { read: 0, write };
    }
    case 'BatchWriteItemCommand': {
      let write = 0;
      for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, Plain[]>)) {
        for (const request of requests) {
          const put = request.PutRequest as { Item?: Plain } | undefined;
          write += put?.Item ? writeUnits(itemSize(put.Item)) : 1;
        }
      }
      return { read: 0, write };
    }
    default:
      return undefined;
  }
};

/** Sum of `CapacityUnits` in a `ConsumedCapacity` (object or array). */
export const reportedUnits = (consumed: unknown): number => {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((s: number, c) => s + (Number((c as { CapacityUnits?: number }).CapacityUnits) || 0), 0);
};

export interface CommandStats {
  calls: number;
  errors: number;
  /** Wall time inside the SDK call, ms (includes DynamoDB Local's time). */
  ms: number;
}

export interface MeterTally {
  /** As reported by DynamoDB Local (`ReturnConsumedCapacity`), when requested. */
  reportedRead: number;
  reportedWrite: number;
  /** AWS billing rules applied to the observed item sizes. */
  awsRead: number;
  awsWrite: number;
  commands: Record<string, CommandStats>;
  /** Cancelled transactions (conflicts); AWS returns no capacity for them. */
  cancelledTransactions: number;
}

export interface DynamoMeterOptions {
  /** Add `ReturnConsumedCapacity: 'TOTAL'` to every request that takes it. @default true */
  readonly requestCapacity?: boolean;
  /** Keep the item sizes of up to this many successful transactions (the floor replays their shape). @default 0 */
  readonly keepTransactionShapes?: number;
}

const emptyTally = (): MeterTally => ({
  reportedRead: 0,
  reportedWrite: 0,
  awsRead: 0,
  awsWrite: 0,
  commands: {},
  cancelledTransactions: 0,
});

/**
 * A capacity meter attached to one client. `snapshot()` returns the totals
 * since the last `reset()`.
 */
export class DynamoMeter {
  private tally = emptyTally();
  /** Item sizes (bytes) of each observed successful transaction. */
  readonly transactionShapes: number[][] = [];

  constructor(private readonly options: DynamoMeterOptions = {}) {}

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context as { commandName?: string }).commandName ?? 'unknown';
        const input = args.input as Plain;
        if (this.options.requestCapacity !== false && CAPACITY_COMMANDS.has(command))
          input.ReturnConsumedCapacity = 'TOTAL';
        const stats = (this.tally.commands[command] ??= { calls: 0, errors: 0, ms: 0 });
        const started = performance.now();
        try {
          const result = await next(args);
          stats.calls++;
          stats.ms += performance.now() - started;
          this.record(command, input, result.output as unknown as Plain);
          return result;
        } catch (err) {
          stats.calls++;
          stats.errors++;
          stats.ms += performance.now() - started;
          const name = (err as Error).name;
          if (name === 'TransactionCanceledException') this.tally.cancelledTransactions++;
          // A failed conditional single-item write is still billed (1 unit for the hub's small items).
          else if (name === 'ConditionalCheckFailedException') this.tally.awsWrite += 1;
          throw err;
        }
      },
      { step: 'serialize', priority: 'high', name: 'omnihubBenchDynamoMeter' },
    );
    return this;
  }

  private record(command: string, input: Plain, output: Plain): void {
    const reported = reportedUnits(output.ConsumedCapacity);
    if (READ_COMMANDS.has(command)) this.tally.reportedRead += reported;
    else this.tally.reportedWrite += reported;
    const aws = awsUnitsOf(command, input, output);
    if (aws) {
      this.tally.awsRead += aws.read;
      this.tally.awsWrite += aws.write;
    } else if (READ_COMMANDS.has(command)) this.tally.awsRead += reported;
    else this.tally.awsWrite += reported;
    const keep = this.options.keepTransactionShapes ?? 0;
    if (command === 'TransactWriteItemsCommand' && this.transactionShapes.length < keep) {
      const sizes = ((input.TransactItems ?? []) as Plain[]).map((e) => {
        const item = (e.Put as { Item?: Plain } | undefined)?.Item;
        return item ? itemSize(item) : 0;
      });
      this.transactionShapes.push(sizes);
    }
  }

  reset(): void {
    this.tally = emptyTally();
  }

  snapshot(): MeterTally {
    return structuredClone(this.tally);
  }
}

/** Difference of two snapshots (`after - before`). */
export const diffTally = (after: MeterTally, before: MeterTally): MeterTally => {
  const commands: Record<string, CommandStats> = {};
  for (const [name, a] of Object.entries(after.commands)) {
    const b = before.commands[name] ?? { calls: 0, errors: 0, ms: 0 };
    if (a.calls - b.calls > 0)
      commands[name] = { calls: a.calls - b.calls, errors: a.errors - b.errors, ms: a.ms - b.ms };
  }
  return {
    reportedRead: after.reportedRead - before.reportedRead,
    reportedWrite: after.reportedWrite - before.reportedWrite,
    awsRead: after.awsRead - before.awsRead,
    awsWrite: after.awsWrite - before.awsWrite,
    commands,
    cancelledTransactions: after.cancelledTransactions - before.cancelledTransactions,
  };
};
