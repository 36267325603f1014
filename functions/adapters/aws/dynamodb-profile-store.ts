/**
 * The single customer view in one DynamoDB table (the same code runs against
 * DynamoDB Local in `npm start` and the tests).
 *
 * Items (pk / sk):
 *   C#<customerId> / P                         profile, or a tombstone `{ mergedInto }` / `{ erasedAt }`
 *   C#<customerId> / T#<occurredAt>#<eventId>  timeline entry (the whole event)
 *   C#<customerId> / L#<at>#<n>                identity log: links, merges, unmerges (append-only)
 *   I#<type>#<value> / I                       identity → customerId
 *   E#<eventId> / E                            dedupe record (+ outbox of notifications), expires
 *   O#<connector>:<orderId> / O                an order already counted (placed and paid count once)
 *
 * Each event is applied in ONE transaction: dedupe record, timeline entry,
 * the profile (optimistic version check), new identity links, the order
 * marker, and — when its identities resolve to several profiles — the merge
 * (survivor updated, the others turned into tombstones). A conflicting writer
 * cancels the whole transaction and the event is resolved again from fresh
 * reads, so concurrency, redelivery and a crash at any point end in the same
 * state. Merges are O(1): a merged profile's timeline stays in its partition
 * and is read as part of the survivor's (`mergedIds`), so a customer with
 * 10 000 timeline entries merges in one transaction.
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import type { HubEvent, Identity } from '../../events/hub-event.js';
import type { BusEntry } from '../../events/envelope.js';
import { customerEvent } from '../../events/customer-events.js';
import {
  applyEvent,
  combineProfiles,
  emptyProfile,
  foldEvents,
  fromTimelineItem,
  orderKey,
  ORDER_TYPES,
  toTimelineItem,
  withWarnings,
  type Profile,
  type TimelineItem,
} from '../../domain/profile.js';
import { identityKey } from '../../domain/identity.js';
import { decideLinks, linkingPolicy, mergeExceedsCap, withinCap, type LinkingPolicy } from '../../domain/linking.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type {
  ApplyOutcome,
  CustomerExport,
  ProfileStore,
  TimelinePage,
  TimelineQuery,
  UnmergeResult,
} from '../../ports.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

export interface DynamoProfileStoreOptions {
  readonly tableName: string;
  /** Days a processed event id is remembered (≥ 7: WhatsApp redelivers for 7 days). */
  readonly dedupeTtlDays: number;
  /** Identity guard rails. @default no ignored values, 10 per type */
  readonly linking?: LinkingPolicy;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
  /** Attempts when concurrent writers conflict. */
  readonly maxAttempts?: number;
  /** Test hook to inject a crash between two steps of a write (`after-commit`, `after-repoint`). */
  readonly faultInjector?: (step: string) => void;
}

export const keys = {
  profile: (customerId: string) => ({ pk: `C#${customerId}`, sk: 'P' }),
  timeline: (customerId: string, occurredAt: string, eventId: string) => ({
    pk: `C#${customerId}`,
    sk: `T#${occurredAt}#${eventId}`,
  }),
  log: (customerId: string, at: string, n: string) => ({ pk: `C#${customerId}`, sk: `L#${at}#${n}` }),
  identity: (identity: Pick<Identity, 'type' | 'value'>) => ({ pk: `I#${identity.type}#${identity.value}`, sk: 'I' }),
  dedupe: (eventId: string) => ({ pk: `E#${eventId}`, sk: 'E' }),
  order: (key: string) => ({ pk: `O#${key}`, sk: 'O' }),
};

const hash = (...parts: string[]): string => createHash('sha256').update(parts.join('\n')).digest('hex');

/** A new customer's id, derived from the first event so a retried first write picks the same id. */
const newCustomerId = (eventId: string): string => `cus_${hash('customer', eventId).slice(0, 24)}`;

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

const stripKeys = <T>(item: Item): T => {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as T;
};

/** Old items written before a field existed read as its empty value. */
const upgradeProfile = (p: Profile): Profile => ({
  ...p,
  inbound: p.inbound ?? {},
  consent: p.consent ?? {},
  orders: p.orders ?? { count: 0, revenue: {}, refunded: {} },
  promoCodes: p.promoCodes ?? [],
  mergedIds: p.mergedIds ?? [],
  warnings: p.warnings ?? [],
});

const isConflict = (err: unknown): boolean =>
  err instanceof TransactionCanceledException &&
  (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');

export class DynamoProfileStore implements ProfileStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly now: () => Date;
  private readonly policy: LinkingPolicy;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoProfileStoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.now = options.now ?? (() => new Date());
    this.policy = options.linking ?? linkingPolicy();
  }

  private get table(): string {
    return this.options.tableName;
  }

  private fault(step: string): void {
    this.options.faultInjector?.(step);
  }

  // ------------------------------------------------------------------ writes

  async applyEvent(event: HubEvent): Promise<ApplyOutcome> {
    const attempts = this.options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      // The first attempt reads eventually consistent (half the read cost): every
      // decision it takes is re-checked by a transaction condition, and a stale
      // read only cancels the transaction, after which reads are strongly consistent.
      const outcome = await this.tryApply(event, attempt > 1);
      if (outcome !== 'conflict') return outcome;
      if (attempt >= attempts)
        throw new Error(`Gave up applying event ${event.id} after ${attempts} conflicting attempts`);
      // Jittered backoff so racing writers don't collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 25 * attempt));
    }
  }

  /** Clears an event's outbox once its notifications were published. */
  async markNotified(eventId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.dedupe(eventId),
          UpdateExpression: 'REMOVE notifications',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
      .catch((err: Error) => {
        if (err.name !== 'ConditionalCheckFailedException') throw err;
      });
  }

  private async tryApply(event: HubEvent, consistent: boolean): Promise<ApplyOutcome | 'conflict'> {
    const dedupe = await this.get(keys.dedupe(event.id), consistent);
    if (dedupe) {
      // Already applied; hand back notifications a crash kept from being published.
      return {
        status: 'duplicate',
        customerId: dedupe.customerId as string,
        notifications: (dedupe.notifications as BusEntry[] | undefined) ?? [],
      };
    }

    const { linkable, warnings } = decideLinks(event.customer.identities, this.policy);
    const links = await this.resolveIdentities(linkable, consistent);
    const { profiles, missing } = await this.liveProfiles([...new Set(links.values())], consistent);
    // A link whose profile a stale read can't see yet (just created) must not start a second profile.
    if (!consistent && missing > 0) return 'conflict';
    // The oldest profile survives a merge: its id is the one other systems have known longest.
    profiles.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.customerId.localeCompare(b.customerId));
    const survivor = profiles[0];
    let losers = profiles.slice(1);
    const nowIso = this.now().toISOString();

    const exceeded = mergeExceedsCap([...profiles.map((p) => p.identities), linkable], this.policy);
    if (exceeded && losers.length > 0) {
      warnings.push(
        `merge with ${losers.map((l) => l.customerId).join(', ')} refused: it would exceed ${this.policy.maxPerType} ${exceeded} identities`,
      );
      losers = [];
    }

    const customerId = survivor?.customerId ?? newCustomerId(event.id);
    let base = survivor ?? emptyProfile(customerId, event.occurredAt, nowIso);
    for (const loser of losers) base = combineProfiles(base, loser, nowIso);
    if (losers.length) base = { ...base, version: (survivor as Profile).version };

    // Identities already linked to a profile that is not being merged here stay where they are.
    const mergedSet = new Set([customerId, ...losers.map((l) => l.customerId)]);
    const ownLinks = linkable.filter(
      (i) => !links.has(identityKey(i)) || mergedSet.has(links.get(identityKey(i)) as string),
    );
    const capped = withinCap(base.identities, ownLinks, this.policy);
    const applied = { ...event, customer: { ...event.customer, identities: capped.linkable } } as HubEvent;

    const key = orderKey(event);
    const orderIsNew =
      key !== undefined && ORDER_TYPES.has(event.type) ? !(await this.get(keys.order(key), consistent)) : undefined;
    let next = applyEvent(base, applied, nowIso, orderIsNew === undefined ? {} : { newOrder: orderIsNew });
    next = withWarnings(next, [...warnings, ...capped.warnings]);

    const newIdentities = capped.linkable.filter((i) => !links.has(identityKey(i)));
    const notifications: BusEntry[] = losers.length
      ? [
          customerEvent('customer.merged', {
            occurredAt: nowIso,
            customerId,
            relatedIds: losers.map((l) => l.customerId),
            causedBy: event.id,
          }),
        ]
      : [];
    const ttl = Math.floor(this.now().getTime() / 1000) + this.options.dedupeTtlDays * 86_400;

    const items: TransactItem[] = [
      this.put(
        { ...keys.dedupe(event.id), customerId, ttl, ...(notifications.length ? { notifications } : {}) },
        'attribute_not_exists(pk)',
      ),
      this.put({ ...keys.timeline(customerId, event.occurredAt, event.id), ...toTimelineItem(event, customerId) }),
      survivor
        ? this.put({ ...keys.profile(customerId), ...next }, 'version = :v', { ':v': survivor.version })
        : this.put({ ...keys.profile(customerId), ...next }, 'attribute_not_exists(pk)'),
      ...losers.map((loser) =>
        this.put(
          { ...keys.profile(loser.customerId), customerId: loser.customerId, mergedInto: customerId, mergedAt: nowIso },
          'version = :v',
          { ':v': loser.version },
        ),
      ),
      ...newIdentities.map((identity) =>
        this.put(
          { ...keys.identity(identity), customerId, type: identity.type, value: identity.value, linkedAt: nowIso },
          'attribute_not_exists(pk)',
        ),
      ),
      ...(key && orderIsNew
        ? [this.put({ ...keys.order(key), customerId, eventId: event.id }, 'attribute_not_exists(pk)')]
        : []),
      ...(newIdentities.length || losers.length
        ? [
            this.put({
              ...keys.log(customerId, nowIso, event.id),
              action: losers.length ? 'merge' : 'link',
              eventId: event.id,
              identities: newIdentities.map(identityKey),
              ...(losers.length
                ? {
                    merged: losers.map((l) => ({
                      customerId: l.customerId,
                      identities: l.identities.map(identityKey),
                    })),
                  }
                : {}),
            }),
          ]
        : []),
    ];

    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (isConflict(err)) return 'conflict';
      throw err;
    }
    this.fault('after-commit');
    // Identity links of merged profiles still name them; resolution follows the tombstone, and this repoints them.
    for (const loser of losers) await this.repoint(loser.identities, loser.customerId, customerId);
    this.fault('after-repoint');
    return { status: 'applied', customerId, notifications };
  }

  private put(item: Item, condition?: string, values?: Record<string, unknown>): TransactItem {
    return {
      Put: {
        TableName: this.table,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  /** Points identity links from one profile to another (idempotent; only links still naming `from`). */
  private async repoint(identities: readonly Identity[], from: string, to: string): Promise<void> {
    for (const identity of identities) {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.identity(identity),
            UpdateExpression: 'SET customerId = :to',
            ConditionExpression: 'customerId = :from',
            ExpressionAttributeValues: { ':to': to, ':from': from },
          }),
        )
        .catch((err: Error) => {
          if (err.name !== 'ConditionalCheckFailedException') throw err;
        });
    }
  }

  // ------------------------------------------------------------------ reads

  private async get(key: { pk: string; sk: string }, consistent = false): Promise<Item | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: consistent }));
    return res.Item;
  }

  /** identityKey → customerId for the identities that are linked already. */
  private async resolveIdentities(identities: readonly Identity[], consistent = true): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < identities.length; i += 100) {
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: identities.slice(i, i + 100).map(keys.identity), ConsistentRead: consistent },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.table] ?? [])
          found.set(identityKey({ type: item.type, value: item.value }), item.customerId as string);
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  /** The live profiles behind these ids (tombstones followed, duplicates and erased ones dropped). */
  private async liveProfiles(
    customerIds: readonly string[],
    consistent = true,
  ): Promise<{ profiles: Profile[]; missing: number }> {
    const byId = new Map<string, Profile>();
    let missing = 0;
    for (const id of customerIds) {
      const profile = await this.getProfile(id, consistent);
      if (profile) byId.set(profile.customerId, profile);
      else missing++;
    }
    return { profiles: [...byId.values()], missing };
  }

  /** The profile, following merge tombstones to the survivor; undefined when unknown or erased. */
  async getProfile(customerId: string, consistent = true): Promise<Profile | undefined> {
    let id = customerId;
    for (let hops = 0; hops < 20; hops++) {
      const item = await this.get(keys.profile(id), consistent);
      if (!item || item.erasedAt) return undefined;
      if (typeof item.mergedInto === 'string') {
        id = item.mergedInto;
        continue;
      }
      return upgradeProfile(stripKeys<Profile>(item));
    }
    throw new Error(`Merge chain from ${customerId} is longer than 20 hops`);
  }

  async findByIdentity(identity: Pick<Identity, 'type' | 'value'>): Promise<Profile | undefined> {
    const item = await this.get(keys.identity(identity));
    return item ? this.getProfile(item.customerId as string) : undefined;
  }

  /**
   * Newest-first timeline across the profile's own partition and those of
   * every profile merged into it, optionally filtered by channel and type.
   */
  async getTimeline(customerId: string, query: TimelineQuery): Promise<TimelinePage> {
    const profile = await this.getProfile(customerId);
    if (!profile) throw new NotFoundError(`No customer with id "${customerId}"`);
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const { items, more } = await this.mergedTimeline(
      [profile.customerId, ...profile.mergedIds],
      query.limit,
      before,
      query,
    );
    const last = items[items.length - 1];
    const page = items.map((i) => stripKeys<TimelineItem>(i));
    return more && last ? { items: page, nextCursor: encodeCursor(last.sk as string) } : { items: page };
  }

  /** k-way merge of per-partition descending queries, `limit` items strictly older than `before`. */
  private async mergedTimeline(
    partitions: readonly string[],
    limit: number,
    before: string | undefined,
    filter: Pick<TimelineQuery, 'channels' | 'types'> = {},
  ): Promise<{ items: Item[]; more: boolean }> {
    const streams = partitions.map((id) => this.timelineStream(id, before, filter));
    const heads = await Promise.all(streams.map((s) => s.next()));
    const items: Item[] = [];
    while (items.length < limit) {
      let best = -1;
      heads.forEach((h, i) => {
        if (
          !h.done &&
          (best < 0 || (h.value.sk as string) > ((heads[best] as IteratorYieldResult<Item>).value.sk as string))
        )
          best = i;
      });
      if (best < 0) return { items, more: false };
      items.push((heads[best] as IteratorYieldResult<Item>).value);
      heads[best] = await (streams[best] as AsyncGenerator<Item>).next();
    }
    return { items, more: heads.some((h) => !h.done) };
  }

  private async *timelineStream(
    customerId: string,
    before: string | undefined,
    filter: Pick<TimelineQuery, 'channels' | 'types'>,
  ): AsyncGenerator<Item> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': keys.profile(customerId).pk, ':lo': 'T#', ':hi': before ?? 'T$' };
    const conditions: string[] = [];
    if (filter.channels?.length) {
      names['#channel'] = 'channel';
      filter.channels.forEach((c, i) => {
        values[`:c${i}`] = c;
      });
      conditions.push(`#channel IN (${filter.channels.map((_, i) => `:c${i}`).join(', ')})`);
    }
    if (filter.types?.length) {
      names['#type'] = 'type';
      filter.types.forEach((t, i) => {
        values[`:t${i}`] = t;
      });
      conditions.push(`#type IN (${filter.types.map((_, i) => `:t${i}`).join(', ')})`);
    }
    let startKey: Item | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: values,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
        ScanIndexForward: false,
        Limit: 100,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      };
      const res = await this.doc.send(new QueryCommand(input));
      for (const item of res.Items ?? []) if (item.sk !== before) yield item;
      startKey = res.LastEvaluatedKey;
    } while (startKey);
  }

  /** Every timeline item of a profile (all partitions), oldest first. */
  private async allTimeline(profile: Profile): Promise<Item[]> {
    const { items } = await this.mergedTimeline(
      [profile.customerId, ...profile.mergedIds],
      Number.MAX_SAFE_INTEGER,
      undefined,
    );
    return items.reverse();
  }

  private async partitionItems(customerId: string, prefix: string): Promise<Item[]> {
    const out: Item[] = [];
    let startKey: Item | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          ...(prefix
            ? {
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
                ExpressionAttributeValues: { ':pk': keys.profile(customerId).pk, ':p': prefix },
              }
            : {
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': keys.profile(customerId).pk },
              }),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      out.push(...(res.Items ?? []));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  // ------------------------------------------------------------------ privacy

  async exportCustomer(customerId: string): Promise<CustomerExport | undefined> {
    const profile = await this.getProfile(customerId);
    if (!profile) return undefined;
    const partitions = [profile.customerId, ...profile.mergedIds];
    const log = (await Promise.all(partitions.map((id) => this.partitionItems(id, 'L#')))).flat();
    return {
      exportedAt: this.now().toISOString(),
      profile,
      timeline: (await this.allTimeline(profile)).map((i) => stripKeys<TimelineItem>(i)),
      identityLog: log.map((i) => stripKeys<Item>(i)),
    };
  }

  /**
   * Deletes everything held about the customer: profile and merged
   * tombstones, timeline and log in every partition, identity links, dedupe
   * records and order markers of their events. Leaves only an
   * `{ erasedAt }` marker without personal data, so the id reads as gone.
   */
  async eraseCustomer(
    customerId: string,
  ): Promise<{ customerId: string; deletedItems: number; notifications: BusEntry[] } | undefined> {
    const profile = await this.getProfile(customerId);
    if (!profile) return undefined;
    const partitions = [profile.customerId, ...profile.mergedIds];
    const partitionItems = (await Promise.all(partitions.map((id) => this.partitionItems(id, '')))).flat();
    const timeline = partitionItems.filter((i) => String(i.sk).startsWith('T#')).map((i) => stripKeys<TimelineItem>(i));
    const deleteKeys: { pk: string; sk: string }[] = [
      ...partitionItems.map((i) => ({ pk: i.pk as string, sk: i.sk as string })),
      ...profile.identities.map(keys.identity),
      ...timeline.flatMap((t) => t.identities.map(keys.identity)),
      ...timeline.map((t) => keys.dedupe(t.eventId)),
      ...timeline.flatMap((t) => {
        const key = orderKey(fromTimelineItem(t));
        return key ? [keys.order(key)] : [];
      }),
    ];
    const unique = [...new Map(deleteKeys.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    // Identity links are deleted only where they still name this customer (a shared value may belong to someone else now).
    const identityKeys = unique.filter((k) => k.pk.startsWith('I#'));
    const others = unique.filter((k) => !k.pk.startsWith('I#'));
    for (const k of identityKeys) {
      await this.doc
        .send(
          new DeleteCommand({
            TableName: this.table,
            Key: k,
            ConditionExpression: `customerId IN (${partitions.map((_, i) => `:c${i}`).join(', ')})`,
            ExpressionAttributeValues: Object.fromEntries(partitions.map((id, i) => [`:c${i}`, id])),
          }),
        )
        .catch((err: Error) => {
          if (err.name !== 'ConditionalCheckFailedException') throw err;
        });
    }
    await this.batchDelete(others);
    const erasedAt = this.now().toISOString();
    await this.batchPut(partitions.map((id) => ({ ...keys.profile(id), erasedAt })));
    return {
      customerId: profile.customerId,
      deletedItems: unique.length,
      notifications: [
        customerEvent('customer.erased', {
          occurredAt: erasedAt,
          customerId: profile.customerId,
          relatedIds: profile.mergedIds,
        }),
      ],
    };
  }

  private async batchDelete(items: readonly { pk: string; sk: string }[]): Promise<void> {
    await this.batchWrite(items.map((Key) => ({ DeleteRequest: { Key } })));
  }

  private async batchPut(items: readonly Item[]): Promise<void> {
    await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
  }

  private async batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Record<string, Record<string, unknown>[]> | undefined = { [this.table]: requests.slice(i, i + 25) };
      for (let attempt = 0; pending && Object.keys(pending).length; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 6)));
        const res = await this.doc.send(new BatchWriteCommand({ RequestItems: pending as never }));
        pending = res.UnprocessedItems as typeof pending;
      }
    }
  }

  // ------------------------------------------------------------------ unmerge

  /**
   * Splits `identityKeys` and the events they brought into a profile of
   * their own again, recomputes both profiles from their timelines, and
   * returns a `customer.unmerged` notification. Idempotent: the new id is
   * derived from the request, so a retry finishes the same split.
   */
  async unmerge(customerId: string, identityKeys: readonly string[]): Promise<UnmergeResult> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.tryUnmerge(customerId, identityKeys);
      if (result !== 'conflict') return result;
      if (attempt >= (this.options.maxAttempts ?? 10))
        throw new Error(`Gave up unmerging ${customerId} after ${attempt} conflicting attempts`);
      await new Promise((r) => setTimeout(r, Math.random() * 25 * attempt));
    }
  }

  private async tryUnmerge(customerId: string, identityKeys: readonly string[]): Promise<UnmergeResult | 'conflict'> {
    const profile = await this.getProfile(customerId);
    if (!profile) throw new NotFoundError(`No customer with id "${customerId}"`);
    const split = new Set(identityKeys);
    const owned = new Set(profile.identities.map(identityKey));
    const foreign = identityKeys.filter((k) => !owned.has(k));
    const newId = `cus_${hash('unmerge', profile.customerId, [...split].sort().join(',')).slice(0, 24)}`;
    const nowIso = this.now().toISOString();
    const done = foreign.length === split.size ? await this.getProfile(newId) : undefined;
    if (done) {
      // A retry of a split that already happened: same answer, nothing written twice.
      return {
        customer: profile,
        split: done,
        notifications: [
          customerEvent('customer.unmerged', {
            occurredAt: done.createdAt,
            customerId: profile.customerId,
            relatedIds: [newId],
            identities: [...split].sort(),
          }),
        ],
      };
    }
    if (foreign.length) throw new ValidationError(`Not identities of ${profile.customerId}: ${foreign.join(', ')}`);
    if (split.size === 0 || split.size === owned.size)
      throw new ValidationError("Give some, but not all, of the customer's identities to split off");

    const timeline = await this.allTimeline(profile);
    const events = timeline.map((i) => fromTimelineItem(stripKeys<TimelineItem>(i)));
    // An event goes with the split only when every identity it carried is being split off.
    const moves = (e: HubEvent) =>
      e.customer.identities.length > 0 && e.customer.identities.every((i) => split.has(identityKey(i)));
    const only = (e: HubEvent, keep: (k: string) => boolean) =>
      ({
        ...e,
        customer: { ...e.customer, identities: e.customer.identities.filter((i) => keep(identityKey(i))) },
      }) as HubEvent;
    const movedEvents = events.filter(moves);
    const keptEvents = events.filter((e) => !moves(e));

    const splitIdentities = profile.identities.filter((i) => split.has(identityKey(i)));
    const keptIdentities = profile.identities.filter((i) => !split.has(identityKey(i)));
    const firstOf = (es: HubEvent[]) =>
      es.reduce((min, e) => (e.occurredAt < min ? e.occurredAt : min), es[0]?.occurredAt ?? nowIso);
    let splitProfile = foldEvents(
      emptyProfile(newId, firstOf(movedEvents), nowIso),
      movedEvents.map((e) => only(e, (k) => split.has(k))),
      nowIso,
    );
    splitProfile = { ...splitProfile, identities: splitIdentities, createdAt: nowIso, version: 1 };
    let kept = foldEvents(
      emptyProfile(profile.customerId, firstOf(keptEvents), profile.createdAt),
      keptEvents.map((e) => only(e, (k) => !split.has(k))),
      nowIso,
    );
    kept = {
      ...kept,
      identities: keptIdentities,
      mergedIds: profile.mergedIds,
      warnings: profile.warnings,
      createdAt: profile.createdAt,
      updatedAt: nowIso,
      version: profile.version + 1,
    };

    // 1. The new profile and its history (idempotent puts).
    const movedItems = timeline.filter((i) => moves(fromTimelineItem(stripKeys<TimelineItem>(i))));
    await this.batchPut(
      movedItems.map((i) => ({
        ...i,
        ...keys.timeline(newId, i.occurredAt as string, i.eventId as string),
        customerId: newId,
      })),
    );
    await this.batchPut([{ ...keys.profile(newId), ...splitProfile }]);
    // 2. The kept profile, only if nobody wrote it meanwhile (else start over with fresh reads).
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            this.put({ ...keys.profile(profile.customerId), ...kept }, 'version = :v', { ':v': profile.version }),
            this.put({
              ...keys.log(profile.customerId, nowIso, `unmerge-${newId}`),
              action: 'unmerge',
              identities: [...split],
              into: newId,
              events: movedEvents.map((e) => e.id),
            }),
            this.put({
              ...keys.log(newId, nowIso, `unmerge-${profile.customerId}`),
              action: 'unmerge',
              identities: [...split],
              from: profile.customerId,
            }),
          ],
        }),
      );
    } catch (err) {
      if (isConflict(err)) return 'conflict';
      throw err;
    }
    // 3. Links and old copies follow; a crash here is finished by a retry of the same request.
    for (const identity of splitIdentities) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.identity(identity),
          UpdateExpression: 'SET customerId = :to',
          ExpressionAttributeValues: { ':to': newId },
        }),
      );
    }
    await this.batchDelete(
      movedItems
        .filter((i) => i.pk !== keys.profile(newId).pk)
        .map((i) => ({ pk: i.pk as string, sk: i.sk as string })),
    );
    return {
      customer: kept,
      split: splitProfile,
      notifications: [
        customerEvent('customer.unmerged', {
          occurredAt: nowIso,
          customerId: profile.customerId,
          relatedIds: [newId],
          identities: [...split].sort(),
        }),
      ],
    };
  }
}
