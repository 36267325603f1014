/**
 * The single customer view in one DynamoDB table (the same code runs against
 * DynamoDB Local in `npm start` and the tests).
 *
 * Items (pk / sk):
 *   C#<customerId> / P                         profile
 *   C#<customerId> / T#<occurredAt>#<eventId>  timeline entry (full event data)
 *   I#<type>#<value> / I                       identity → customerId lookup
 *   E#<eventId> / E                            dedupe record, expires after `dedupeTtlDays`
 *
 * Each event is applied in one transaction that also writes its dedupe record
 * under `attribute_not_exists`, and the profile under an optimistic version
 * check, so a redelivery, a retry after a crash or a concurrent writer can
 * never apply an event twice or lose an update: a conflicting transaction is
 * cancelled as a whole and the event is resolved again from fresh reads.
 */
import {
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { applyEvent, emptyProfile, toTimelineItem, type Profile, type TimelineItem } from '../../domain/profile.js';
import { identityKey } from '../../domain/identity.js';
import { ValidationError } from '../../shared/errors.js';
import type { ApplyOutcome, ProfileStore, TimelinePage } from '../ports.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface DynamoProfileStoreOptions {
  readonly tableName: string;
  /** Days a processed event id is remembered (≥ 7: WhatsApp redelivers for 7 days). */
  readonly dedupeTtlDays: number;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
  /** Attempts when concurrent writers conflict. */
  readonly maxAttempts?: number;
}

export const keys = {
  profile: (customerId: string) => ({ pk: `C#${customerId}`, sk: 'P' }),
  timeline: (customerId: string, occurredAt: string, eventId: string) => ({ pk: `C#${customerId}`, sk: `T#${occurredAt}#${eventId}` }),
  identity: (identity: Pick<Identity, 'type' | 'value'>) => ({ pk: `I#${identity.type}#${identity.value}`, sk: 'I' }),
  dedupe: (eventId: string) => ({ pk: `E#${eventId}`, sk: 'E' }),
};

/** A new customer's id, derived from the first event so a retried first write picks the same id. */
export const newCustomerId = (eventId: string): string =>
  `cus_${createHash('sha256').update(`customer\n${eventId}`).digest('hex').slice(0, 24)}`;

const encodeCursor = (sk: string): string => Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
const decodeCursor = (cursor: string): string => {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof parsed.sk === 'string' && parsed.sk.startsWith('T#')) return parsed.sk;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('The cursor is not one this API returned');
};

const stripKeys = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as T;
};

export class DynamoProfileStore implements ProfileStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoProfileStoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.now = options.now ?? (() => new Date());
  }

  async applyEvent(event: HubEvent): Promise<ApplyOutcome> {
    const attempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.tryApply(event);
      if (outcome !== 'conflict') return outcome;
      if (attempt >= attempts) throw new Error(`Gave up applying event ${event.id} after ${attempts} conflicting attempts`);
      // Jittered backoff so racing writers don't collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }

  private async tryApply(event: HubEvent): Promise<ApplyOutcome | 'conflict'> {
    const { tableName } = this.options;
    const dedupe = await this.doc.send(new GetCommand({ TableName: tableName, Key: keys.dedupe(event.id), ConsistentRead: true }));
    if (dedupe.Item) return { status: 'duplicate', customerId: dedupe.Item.customerId as string };

    const links = await this.resolveIdentities(event.customer.identities);
    const linked = [...new Set(links.values())];
    const profiles = (await Promise.all(linked.map((id) => this.getProfile(id)))).filter((p): p is Profile => p !== undefined);
    // Several profiles share this event's identities: attach to the oldest.
    // Merging them into one is the identity-resolution issue's job.
    profiles.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.customerId.localeCompare(b.customerId));
    const current = profiles[0];
    const customerId = current?.customerId ?? newCustomerId(event.id);

    const nowIso = this.now().toISOString();
    const next = applyEvent(current ?? emptyProfile(customerId, event, nowIso), event, nowIso);
    const timeline = toTimelineItem(event, customerId);
    const ttl = Math.floor(this.now().getTime() / 1000) + this.options.dedupeTtlDays * 86_400;

    const newIdentities = event.customer.identities.filter((i) => !links.has(identityKey(i)));
    const items: TransactItem[] = [
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.dedupe(event.id), customerId, ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: tableName, Item: { ...keys.timeline(customerId, event.occurredAt, event.id), ...timeline } } },
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.profile(customerId), ...next },
          ...(current
            ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': current.version } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      ...newIdentities.map(
        (identity): TransactItem => ({
          Put: {
            TableName: tableName,
            Item: { ...keys.identity(identity), customerId, type: identity.type, value: identity.value, linkedAt: nowIso },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        }),
      ),
    ];

    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { status: 'applied', customerId };
    } catch (err) {
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
        return 'conflict';
      }
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')) {
        return 'conflict';
      }
      throw err;
    }
  }

  /** identityKey → customerId for the identities that are already linked. */
  private async resolveIdentities(identities: readonly Identity[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (identities.length === 0) return found;
    const { tableName } = this.options;
    for (let i = 0; i < identities.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
        [tableName]: { Keys: identities.slice(i, i + 100).map(keys.identity), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[tableName] ?? []) {
          found.set(identityKey({ type: item.type, value: item.value }), item.customerId as string);
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  async getProfile(customerId: string): Promise<Profile | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.profile(customerId), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<Profile>(res.Item) : undefined;
  }

  async findByIdentity(identity: Pick<Identity, 'type' | 'value'>): Promise<Profile | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: keys.identity(identity) }));
    return res.Item ? this.getProfile(res.Item.customerId as string) : undefined;
  }

  async getTimeline(customerId: string, opts: { limit: number; cursor?: string }): Promise<TimelinePage> {
    const startSk = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :t)',
        ExpressionAttributeValues: { ':pk': keys.profile(customerId).pk, ':t': 'T#' },
        ScanIndexForward: false,
        Limit: opts.limit,
        ...(startSk ? { ExclusiveStartKey: { pk: keys.profile(customerId).pk, sk: startSk } } : {}),
      }),
    );
    const items = (res.Items ?? []).map((item) => stripKeys<TimelineItem>(item));
    const last = res.LastEvaluatedKey?.sk as string | undefined;
    return last ? { items, nextCursor: encodeCursor(last) } : { items };
  }
}
