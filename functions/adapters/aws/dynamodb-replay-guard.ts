/**
 * `ReplayGuard` on the hub table: one item per one-time value,
 * `pk = REPLAY#<sha256>`, `sk = NONCE`, with `state` (`pending` while a
 * request holds it, `used` once acknowledged), the holder's random `owner`,
 * `expiresAtMs` (end of the lease, then of the vendor's signature window) and
 * `ttl` so DynamoDB deletes it afterwards. Claims are one conditional put —
 * two concurrent requests with the same value cannot both win — and an
 * expired item (TTL deletion lags by up to two days) counts as free.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ReplayClaim, ReplayGuard } from '../../ports.js';
import { REPLAY_SORT_KEY, replayPartitionKey } from '../../shared/ingest-keys.js';

export interface DynamoReplayGuardOptions {
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** DynamoDB deletes expired items within ~48 h; a day past expiry keeps the table tidy without racing the check. */
const TTL_MARGIN_SECONDS = 86_400;

const ttlOf = (expiresAtMs: number): string => String(Math.ceil(expiresAtMs / 1000) + TTL_MARGIN_SECONDS);

export class DynamoReplayGuard implements ReplayGuard {
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoReplayGuardOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async claim(key: string, { leaseSeconds }: { readonly leaseSeconds: number }): Promise<ReplayClaim> {
    const itemKey = { pk: { S: replayPartitionKey(key) }, sk: { S: REPLAY_SORT_KEY } };
    const owner = randomUUID();
    const now = this.now();
    const leaseEnd = now + leaseSeconds * 1000;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...itemKey,
            state: { S: 'pending' },
            owner: { S: owner },
            expiresAtMs: { N: String(leaseEnd) },
            ttl: { N: ttlOf(leaseEnd) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAtMs < :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Engines that do not return the old item on a failed condition are read once, strongly.
      const item =
        err.Item ??
        (
          await this.client.send(
            new GetItemCommand({ TableName: this.options.tableName, Key: itemKey, ConsistentRead: true }),
          )
        ).Item;
      return { status: item?.state?.S === 'used' ? 'used' : 'in-flight' };
    }
    const ownedBy = { ':owner': { S: owner } };
    return {
      status: 'first',
      commit: async (expiresAt) => {
        try {
          await this.client.send(
            new UpdateItemCommand({
              TableName: this.options.tableName,
              Key: itemKey,
              UpdateExpression: 'SET #state = :used, expiresAtMs = :exp, #ttl = :ttl',
              ConditionExpression: '#owner = :owner',
              ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl', '#owner': 'owner' },
              ExpressionAttributeValues: {
                ...ownedBy,
                ':used': { S: 'used' },
                ':exp': { N: String(expiresAt.getTime()) },
                ':ttl': { N: ttlOf(expiresAt.getTime()) },
              },
            }),
          );
        } catch (err) {
          // Our lease ran out and another request holds the value now: it commits for both.
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      },
      release: async () => {
        try {
          await this.client.send(
            new DeleteItemCommand({
              TableName: this.options.tableName,
              Key: itemKey,
              ConditionExpression: '#owner = :owner AND #state = :pending',
              ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state' },
              ExpressionAttributeValues: { ...ownedBy, ':pending': { S: 'pending' } },
            }),
          );
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      },
    };
  }
}
