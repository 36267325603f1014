/**
 * The delivery log in the hub's DynamoDB table (DynamoDB Local in
 * `npm start`), next to the customer view:
 *
 *   S#<subscription> / D#<time>#<eventId>#<attempt>   one attempt, expires after `ttlDays`
 *   S#<subscription> / STATS                           running counters
 *
 * Attempts are read newest first with one Query; the counters are atomic
 * `ADD`s, so concurrent dispatchers never lose a count.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../shared/errors.js';
import type { DeliveryAttempt, DeliveryLog, DeliveryPage, DeliveryStats } from '../../ports.js';
import { deliveryLogPartition } from '../../subscriptions/naming.js';

const deliveryKeys = {
  attempt: (a: Pick<DeliveryAttempt, 'subscription' | 'time' | 'eventId' | 'attempt'>) => ({
    pk: deliveryLogPartition(a.subscription),
    sk: `D#${a.time}#${a.eventId}#${a.attempt}`,
  }),
  stats: (subscription: string) => ({ pk: deliveryLogPartition(subscription), sk: 'STATS' }),
};

export interface DynamoDeliveryLogOptions {
  readonly tableName: string;
  /** Days an attempt is kept. @default 14 */
  readonly ttlDays?: number;
  readonly now?: () => Date;
}

const COUNTER: Record<DeliveryAttempt['outcome'], string[]> = {
  delivered: ['delivered'],
  retrying: ['failedAttempts'],
  'dead-lettered': ['failedAttempts', 'deadLettered'],
  matched: ['matched'],
  suppressed: ['suppressed'],
};

const encodeCursor = (sk: string): string => Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
const decodeCursor = (cursor: string): string => {
  try {
    const { sk } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof sk === 'string' && sk.startsWith('D#')) return sk;
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not one this API returned');
};

export class DynamoDeliveryLog implements DeliveryLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDeliveryLogOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async record(attempt: DeliveryAttempt): Promise<void> {
    const now = this.options.now?.() ?? new Date();
    const ttl = Math.floor(now.getTime() / 1000) + (this.options.ttlDays ?? 14) * 86_400;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':one': 1, ':t': attempt.time };
    const add = COUNTER[attempt.outcome].map((counter, i) => {
      names[`#c${i}`] = counter;
      return `#c${i} :one`;
    });
    const set = ['lastAttemptAt = :t'];
    if (attempt.outcome === 'delivered') set.push('lastDeliveredAt = :t');
    const remove: string[] = [];
    if (attempt.statusCode !== undefined) {
      set.push('lastStatusCode = :s');
      values[':s'] = attempt.statusCode;
    } else remove.push('lastStatusCode');
    if (attempt.error) {
      set.push('lastError = :e');
      values[':e'] = attempt.error.slice(0, 500);
    }
    await Promise.all([
      this.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...deliveryKeys.attempt(attempt), ...attempt, ttl },
        }),
      ),
      this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: deliveryKeys.stats(attempt.subscription),
          UpdateExpression: `ADD ${add.join(', ')} SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    ]);
  }

  async recent(subscription: string, opts: { limit: number; cursor?: string }): Promise<DeliveryPage> {
    const pk = deliveryKeys.stats(subscription).pk;
    const startSk = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
        ExpressionAttributeValues: { ':pk': pk, ':d': 'D#' },
        ScanIndexForward: false,
        Limit: opts.limit,
        ...(startSk ? { ExclusiveStartKey: { pk, sk: startSk } } : {}),
      }),
    );
    const items = (res.Items ?? []).map(({ pk: _pk, sk: _sk, ttl: _ttl, ...rest }) => rest as DeliveryAttempt);
    const last = res.LastEvaluatedKey?.sk as string | undefined;
    return last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async stats(subscription: string): Promise<DeliveryStats> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: deliveryKeys.stats(subscription) }),
    );
    const item = res.Item ?? {};
    return {
      delivered: Number(item.delivered ?? 0),
      failedAttempts: Number(item.failedAttempts ?? 0),
      deadLettered: Number(item.deadLettered ?? 0),
      matched: Number(item.matched ?? 0),
      suppressed: Number(item.suppressed ?? 0),
      ...(item.lastAttemptAt ? { lastAttemptAt: item.lastAttemptAt as string } : {}),
      ...(item.lastDeliveredAt ? { lastDeliveredAt: item.lastDeliveredAt as string } : {}),
      ...(item.lastStatusCode !== undefined ? { lastStatusCode: Number(item.lastStatusCode) } : {}),
      ...(item.lastError ? { lastError: item.lastError as string } : {}),
    };
  }
}
