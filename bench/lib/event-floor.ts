/**
 * The store floor of the e2e phase: DynamoDB Local driven directly with the
 * SDK, replaying the writes the profile writer made for each event of a
 * warm-up stream — every step of its plan as the store executed it, in order:
 * the returning customer's conditional put of the timeline entry and
 * version-conditioned put of the profile, the transaction of a new customer
 * or a merge (same items, same conditions), the outbox clean-up after a
 * merge — on fresh keys, at the consumer's parallelism. No reads, no identity
 * resolution, no profile fold, no HTTP front: what the store could do per
 * event if the hub cost nothing.
 *
 * Until store v2 every event was one `TransactWriteItems`, and the floor
 * replayed only the transactions (bench/lib/store-floor.ts, which the import
 * phase still uses); since v2 a returning customer's event is two single
 * conditional puts, so replaying transactions alone made every floor event a
 * transaction: heavier than what the hub writes, a floor too low.
 *
 * A conditional write that needs an item to exist (the profile's version
 * check, a link owned by a merged profile) gets that item seeded before the
 * timed part, so each condition passes as it did in the hub.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionExpression } from '../../functions/adapters/aws/dynamodb-item-store.js';
import { ensureHubTable } from '../../functions/adapters/local/dynamodb-local.js';
import type { ItemKey, Step, StoredItem, Write } from '../../functions/domain/store-model.js';
import type { ItemStore } from '../../functions/adapters/store/item-store.js';
import type { ProfileStore } from '../../functions/ports.js';
import { itemSize } from './dynamo-meter.js';
import type { FloorResult } from './store-floor.js';
import { summarize } from './stats.js';

/** The write steps the store executed for one event, in order. */
export type EventWrites = readonly Step[];

/**
 * Records, per event, the steps the store executed successfully for it: inside
 * `applyEvent`, and the outbox clean-up (`markNotified`) of the
 * notifications it caused. Wraps the instance only (no production change).
 */
export const captureEventWrites = (store: ProfileStore, { keep = 5000 }: { keep?: number } = {}) => {
  const items = (store as unknown as { items: ItemStore }).items;
  const current = new AsyncLocalStorage<Step[]>();
  const byEvent = new Map<string, Step[]>();
  const execute = items.execute.bind(items);
  // Only the steps that succeeded: a write whose condition failed (a conflict the store then retried, a link
  // already repointed) wrote nothing, and the floor replays what the hub wrote.
  items.execute = async (step) => {
    const steps = current.getStore();
    const result = await execute(step);
    if (steps && result.ok) steps.push(step);
    return result;
  };
  const stepsOf = (eventId: string): Step[] | undefined => {
    let steps = byEvent.get(eventId);
    if (!steps && byEvent.size < keep) byEvent.set(eventId, (steps = []));
    return steps;
  };
  const apply = store.applyEvent.bind(store);
  const markNotified = store.markNotified.bind(store);
  let on = true;
  store.applyEvent = (event) => {
    const steps = on ? stepsOf(event.id) : undefined;
    return steps ? current.run(steps, () => apply(event)) : apply(event);
  };
  store.markNotified = (notifications) => {
    const causedBy = (notifications[0]?.entry.detail as { causedBy?: unknown } | undefined)?.causedBy;
    const steps = on && typeof causedBy === 'string' ? byEvent.get(causedBy) : undefined;
    return steps ? current.run(steps, () => markNotified(notifications)) : markNotified(notifications);
  };
  return {
    /** The events recorded so far (those that wrote something), and forget them. */
    take: (): EventWrites[] => {
      const out = [...byEvent.values()].filter((s) => s.length > 0);
      byEvent.clear();
      return out;
    },
    /** Records nothing more (the wrappers then only pass calls on). */
    stop: () => {
      on = false;
    },
  };
};

/** The write on floor event `tag`'s own keys (same partition layout: items sharing a pk in the hub share one here). */
const rekey = (w: Write, tag: string): Write =>
  w.op === 'put'
    ? { ...w, item: { ...w.item, pk: `${w.item.pk}~${tag}` } }
    : { ...w, key: { pk: `${w.key.pk}~${tag}`, sk: w.key.sk } };

/** What must exist before `w` for its condition to pass as it did in the hub. */
const seedOf = (w: Write): StoredItem | undefined => {
  const key: ItemKey = w.op === 'put' ? { pk: w.item.pk, sk: w.item.sk } : w.key;
  const base = w.op === 'put' ? w.item : key;
  const c = w.condition;
  if (c?.kind === 'equals') return { ...base, [c.attribute]: c.value };
  if (c?.kind === 'oneOf') return { ...base, [c.attribute]: c.values[0] };
  // A delete removes an item that exists (the outbox entries a merge left).
  if (w.op === 'delete') return { ...key };
  return undefined;
};

const writesOf = (step: Step): readonly Write[] => (step.kind === 'write' ? [step.write] : step.writes);

const rekeyStep = (step: Step, tag: string): Step =>
  step.kind === 'write'
    ? { ...step, write: rekey(step.write, tag) }
    : { ...step, writes: step.writes.map((w) => rekey(w, tag)) };

/** Runs `step` with the SDK as the store's DynamoDB executor would (dynamodb-item-store.ts). */
const send = async (doc: DynamoDBDocumentClient, table: string, step: Step): Promise<void> => {
  if (step.kind === 'write') {
    const w = step.write;
    const expression = conditionExpression(w.condition);
    const onFailure = w.condition ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {};
    if (w.op === 'put') await doc.send(new PutCommand({ TableName: table, Item: w.item, ...expression, ...onFailure }));
    else await doc.send(new DeleteCommand({ TableName: table, Key: w.key, ...expression, ...onFailure }));
    return;
  }
  if (step.kind === 'transaction') {
    if (!step.writes.length) return;
    await doc.send(
      new TransactWriteCommand({
        TransactItems: step.writes.map((w) =>
          w.op === 'put'
            ? { Put: { TableName: table, Item: w.item, ...conditionExpression(w.condition) } }
            : { Delete: { TableName: table, Key: w.key, ...conditionExpression(w.condition) } },
        ),
      }),
    );
    return;
  }
  const requests = step.writes.map((w) =>
    w.op === 'put' ? { PutRequest: { Item: w.item } } : { DeleteRequest: { Key: { pk: w.key.pk, sk: w.key.sk } } },
  );
  for (let i = 0; i < requests.length; i += 25)
    await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(i, i + 25) } }));
};

export interface EventFloorResult extends FloorResult {
  /** SDK calls per event, by kind of step. */
  readonly callsPerEvent: { readonly write: number; readonly transaction: number; readonly bulk: number };
  /** Items written per event, all steps. */
  readonly itemsPerEvent: number;
  /** The first few failed events: step name and error (a floor event must not fail). */
  readonly errorSamples: readonly string[];
}

/**
 * `events` floor events at `concurrency`, event k replaying `shapes[k % n]`
 * on its own keys; events per second is the floor.
 */
export const runEventFloor = async (
  client: DynamoDBClient,
  {
    tableName,
    run,
    events,
    concurrency,
    shapes,
  }: { tableName: string; run: string; events: number; concurrency: number; shapes: readonly EventWrites[] },
): Promise<EventFloorResult> => {
  if (!shapes.length) throw new Error('The event floor needs the writes of at least one event');
  await ensureHubTable(client, tableName);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const planned = Array.from({ length: events }, (_, k) =>
    (shapes[k % shapes.length] as EventWrites).map((s) => rekeyStep(s, `${run}${k}`)),
  );
  // Seeds, untimed.
  // One seed per item (a batch may not name an item twice): the state before its first write.
  const seedByKey = new Map<string, StoredItem>();
  for (const w of planned.flat().flatMap(writesOf)) {
    const seed = seedOf(w);
    if (seed && !seedByKey.has(`${seed.pk}\n${seed.sk}`)) seedByKey.set(`${seed.pk}\n${seed.sk}`, seed);
  }
  const seeds = [...seedByKey.values()];
  for (let i = 0; i < seeds.length; i += 25)
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: seeds.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  const calls = { write: 0, transaction: 0, bulk: 0 };
  let items = 0;
  let bytes = 0;
  for (const steps of planned)
    for (const s of steps) {
      calls[s.kind] += s.kind === 'bulk' ? Math.ceil(s.writes.length / 25) : 1;
      for (const w of writesOf(s)) {
        items++;
        bytes += itemSize(w.op === 'put' ? w.item : { pk: w.key.pk, sk: w.key.sk });
      }
    }
  const latencies: number[] = [];
  let errors = 0;
  const errorSamples: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events) {
        const steps = planned[next++] as Step[];
        const t = performance.now();
        let at = '';
        try {
          for (const s of steps) {
            at = s.name;
            await send(doc, tableName, s);
          }
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${at}: ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    transactions: events,
    concurrency,
    itemsPerTransaction: items / events,
    bytesPerTransaction: bytes / events,
    seconds,
    perSecond: (events - errors) / seconds,
    latencyMs: summarize(latencies),
    errors,
    callsPerEvent: {
      write: calls.write / events,
      transaction: calls.transaction / events,
      bulk: calls.bulk / events,
    },
    itemsPerEvent: items / events,
    errorSamples,
  };
};
