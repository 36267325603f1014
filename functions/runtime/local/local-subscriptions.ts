/**
 * Subscriptions in the local runtime, with the topology the CDK stack
 * deploys, one per subscription:
 *
 *   local bus ─route "subscription:<name>" (its pattern)─▶ LocalQueue (the rule target)
 *      └─▶ LocalDeliveryQueue (queue + DLQ + event source mapping) ─▶ dispatcher ─▶ endpoint
 *
 * Webhooks and API destinations are delivered by the same dispatcher handler
 * the Lambda runs (same signing, retries, Retry-After, window, DLQ). Targets
 * AWS delivers natively (sqs, lambda, eventBus) have no local counterpart:
 * each matching event is recorded in the delivery log as `matched`.
 * Replays read the bus archive file (`archive.jsonl`) and re-deliver through
 * the subscription's own route only, marked with `replay-name`.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import type { EventBridgeEnvelope } from '../../events/envelope.js';
import type { SubscriptionInput } from '../../subscriptions/config.js';
import { validateSubscriptions } from '../../subscriptions/validate.js';
import { createDispatcherHandler } from '../../handlers/dispatcher.js';
import { createSubscriptionRoutes, type SubscriptionRouteKey } from '../../handlers/api/subscriptions.js';
import type { ApiRoutes } from '../../handlers/api/types.js';
import { isDispatched, type Subscription } from '../../subscriptions/config.js';
import { envelopeInfo } from '../../subscriptions/delivery.js';
import { replayName, subscriptionOfQueueArn, subscriptionPrefix } from '../../subscriptions/naming.js';
import type {
  CustomerResolver,
  DeliveryLog,
  DeliveryQueueControl,
  ErasureRegistry,
  SubscriptionOperations,
} from '../../ports.js';
import type { EnrichWait } from '../../subscriptions/enrich.js';
import { heldSubjectOfDetail } from '../../domain/erasure.js';
import { DynamoDeliveryLog } from '../../adapters/aws/dynamodb-delivery-log.js';
import { EnvSubscriptionSecrets } from '../../adapters/local/env-subscription-secrets.js';
import { LocalDeliveryQueue } from '../../adapters/local/local-delivery-queue.js';
import type { LocalEventBus } from '../../adapters/local/local-event-bus.js';
import { LocalQueue } from '../../adapters/local/local-queue.js';
import { writePrivateFileAtomic } from '../../adapters/local/private-files.js';
import type { LocalQueueGroup } from './local-queues.js';
import { isTransientStoreError, StoreUnavailableError } from '../../shared/store-availability.js';

/** Names as on AWS with the stage `local`. */
const QUEUE_PREFIX = subscriptionPrefix('omnihub-local');
const queueArn = (name: string): string => `arn:aws:sqs:local:000000000000:${QUEUE_PREFIX}${name}`;
/** File in the data folder holding the local API token, for the CLI. */
const API_TOKEN_FILE = 'api-token';
/** Route name on the local bus (the rule). */
const subscriptionRouteName = (name: string): string => `subscription:${name}`;

export interface LocalSubscriptionsOptions {
  /**
   * The subscriptions; omitted → `subscriptions.config.ts` at the repository
   * root (what `npm start` runs), with the start-up summary on the console.
   */
  readonly subscriptions?: readonly SubscriptionInput[];
  /** Instead of `subscriptions.config.ts`: a JSON file or module (`OMNIHUB_SUBSCRIPTIONS_FILE`). */
  readonly subscriptionsFile?: string;
  readonly bus: LocalEventBus;
  readonly dynamoClient: DynamoDBClient;
  readonly tableName: string;
  readonly env: NodeJS.ProcessEnv;
  /** Queue journals and generated secrets go here; omitted → memory only. */
  readonly dataDir?: string;
  /** The bus archive replays read. */
  readonly archivePath?: string;
  /** First retry delay of the rule-target queues (not of deliveries: those follow each subscription's retry policy). */
  readonly retryBaseMs?: number;
  /** Flush every journal write to the disk. @default false */
  readonly fsync?: boolean;
  /**
   * The hub's API token, written to `<dataDir>/api-token` (mode 600) so the
   * `omnihub` CLI can drive this hub (replay, redrive) without copying it.
   */
  readonly apiToken?: string;
  /** HTTP client of the dispatcher (tests may inject one). */
  readonly fetch?: typeof fetch;
  /** Start-up summary lines (targets, where each secret came from). @default console.log for the config file, silent otherwise */
  readonly print?: (line: string) => void;
  /** The erasure holds: the dispatcher and replays skip an erased customer's events. */
  readonly erasures?: ErasureRegistry;
  /** The customer view's reads for `enrich: 'customer'`; omitted → nothing is enriched. */
  readonly customers?: CustomerResolver;
  readonly enrichWait?: Partial<EnrichWait>;
  readonly lifespanYears?: number;
}

export interface LocalSubscriptions {
  readonly subscriptions: readonly Subscription[];
  /** As configured, disabled ones included (what `/v1/subscriptions` lists). */
  readonly configured: readonly Subscription[];
  /** Routes for the api handler (`ApiDeps.extraRoutes`). */
  readonly routes: ApiRoutes<SubscriptionRouteKey>;
  readonly operations: SubscriptionOperations;
  readonly log: DeliveryLog;
  /** The signing secret (webhooks) or credential (API destinations) of a subscription. */
  secret(name: string): string | undefined;
  /** The delivery queue of a dispatched subscription. */
  queue(name: string): LocalDeliveryQueue | undefined;
  /** Per subscription, its rule-target and delivery queues as `sub-<name>` (for `/v1/queues`). */
  queueGroups(): LocalQueueGroup[];
  /** Resolves when every rule-target and delivery queue has drained (retries included). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const context = (name: string): Context =>
  ({
    functionName: `omnihub-local-dispatcher-${name}`,
    awsRequestId: 'local',
    getRemainingTimeInMillis: () => 60_000,
  }) as Context;

/** Reads the archive line by line: `from <= time < to`. */
async function* archivedEnvelopes(path: string, from: Date, to: Date): AsyncGenerator<EventBridgeEnvelope> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let envelope: EventBridgeEnvelope;
    try {
      envelope = JSON.parse(line) as EventBridgeEnvelope;
    } catch {
      continue; // a torn last line from a crash mid-write
    }
    const time = Date.parse(envelope.time);
    if (time >= from.getTime() && time < to.getTime()) yield envelope;
  }
}

/**
 * The user's `subscriptions.config.ts`, or `file` instead: a JSON array of
 * subscriptions or a module exporting `subscriptions`. Validated, patterns
 * included (the local bus compiles them, as cdk synth would refuse them): a
 * bad field fails the start, naming it.
 */
export const loadConfiguredSubscriptions = async (file?: string): Promise<unknown> => {
  if (!file) return (await import('../../../subscriptions.config.js')).subscriptions;
  const path = resolve(file);
  if (path.endsWith('.json')) return JSON.parse(readFileSync(path, 'utf8'));
  return (await import(pathToFileURL(path).href)).subscriptions;
};

export const startLocalSubscriptions = async (options: LocalSubscriptionsOptions): Promise<LocalSubscriptions> => {
  const { bus, env } = options;
  const configured = validateSubscriptions(
    options.subscriptions ?? (await loadConfiguredSubscriptions(options.subscriptionsFile)),
  );
  const print = options.print ?? (options.subscriptions ? undefined : (line: string) => console.log(line));
  const subscriptions = configured.filter((s) => s.enabled);
  const log = new DynamoDeliveryLog(options.dynamoClient, { tableName: options.tableName });
  const secretsPath = options.dataDir ? join(options.dataDir, 'subscription-secrets.json') : undefined;
  const secrets = new EnvSubscriptionSecrets(configured, env, secretsPath);
  if (options.dataDir && options.apiToken)
    writePrivateFileAtomic(join(options.dataDir, API_TOKEN_FILE), `${options.apiToken}\n`);
  const fsync = options.fsync ?? false;
  const journal = (file: string) =>
    options.dataDir ? { fsync, journalPath: join(options.dataDir, 'queues', file) } : { fsync };

  const deliveryQueues = new Map<string, LocalDeliveryQueue>();
  const control: DeliveryQueueControl = {
    retryLater: async (record: SQSRecord, delayMs: number) =>
      queueOf(record).changeVisibility(record.receiptHandle, delayMs),
    deadLetter: async (record: SQSRecord) => queueOf(record).deadLetter(record.receiptHandle),
  };
  const queueOf = (record: SQSRecord): LocalDeliveryQueue => {
    const queue = deliveryQueues.get(subscriptionOfQueueArn(record.eventSourceARN, QUEUE_PREFIX) ?? '');
    if (!queue) throw new Error(`No local delivery queue for ${record.eventSourceARN}`);
    return queue;
  };
  const dispatch = createDispatcherHandler({
    subscriptions,
    queueNamePrefix: QUEUE_PREFIX,
    secrets,
    queue: control,
    log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.erasures ? { erasures: options.erasures } : {}),
    ...(options.customers ? { customers: options.customers } : {}),
    ...(options.enrichWait ? { enrichWait: options.enrichWait } : {}),
    ...(options.lifespanYears ? { lifespanYears: options.lifespanYears } : {}),
  });

  const targetQueues: LocalQueue[] = [];
  const groups: LocalQueueGroup[] = [];
  for (const s of subscriptions) {
    let forward: (record: SQSRecord) => Promise<void>;
    if (isDispatched(s, 'local')) {
      const queue = new LocalDeliveryQueue(`${QUEUE_PREFIX}${s.name}`, (event) => dispatch(event, context(s.name)), {
        concurrency: s.target.type === 'webhook' ? s.target.maxConcurrency : 10,
        // The dispatcher dead-letters at maxAttempts; this only catches a crash loop.
        maxReceiveCount: s.retry.maxAttempts + 3,
        arn: queueArn(s.name),
        ...journal(`subscription-${s.name}.deliveries.jsonl`),
      });
      deliveryQueues.set(s.name, queue);
      forward = async (record) => void queue.send(record.body);
    } else {
      forward = async (record) => {
        const envelope = JSON.parse(record.body) as EventBridgeEnvelope;
        const { eventId, replayName: replay } = envelopeInfo(envelope);
        await log.record({
          subscription: s.name,
          eventId,
          attempt: 1,
          time: new Date().toISOString(),
          outcome: 'matched',
          ...(replay ? { replayName: replay } : {}),
        });
      };
    }
    const target = new LocalQueue(
      subscriptionRouteName(s.name),
      async (event) => {
        try {
          for (const record of event.Records) await forward(record);
        } catch (err) {
          // Recording a match writes the delivery log: a store outage is waited out, not counted.
          throw isTransientStoreError(err) ? new StoreUnavailableError({ cause: err }) : err;
        }
      },
      {
        retryBaseMs: options.retryBaseMs ?? 500,
        isUnavailable: (err) => err instanceof StoreUnavailableError,
        ...journal(`subscription-${s.name}.jsonl`),
      },
    );
    targetQueues.push(target);
    const delivery = deliveryQueues.get(s.name);
    groups.push({ name: `sub-${s.name}`, kind: 'subscription', queues: delivery ? [target, delivery] : [target] });
    bus.addRoute({ name: subscriptionRouteName(s.name), pattern: s.pattern, queue: target });
  }

  const find = (name: string): Subscription => {
    const s = subscriptions.find((x) => x.name === name);
    if (!s) throw new Error(`No enabled subscription named ${name}`);
    return s;
  };

  const operations: SubscriptionOperations = {
    queueDepth: async (name) => {
      const queue = deliveryQueues.get(name);
      if (!queue) return undefined;
      const { pending, inFlight, deadLettered } = queue.stats();
      return { pending, inFlight, deadLettered };
    },
    redrive: async (name) => {
      const queue = deliveryQueues.get(find(name).name);
      return { moved: queue ? queue.redrive() : 0 };
    },
    replay: async (name, { from, to }) => {
      const s = find(name);
      const marker = replayName('local', s.name, new Date());
      let replayed = 0;
      if (options.archivePath) {
        for await (const envelope of archivedEnvelopes(options.archivePath, from, to)) {
          // An erased customer's event is not replayed (her events are scrubbed from the archive too).
          const held = heldSubjectOfDetail(envelope.detail);
          if (held && options.erasures && (await options.erasures.isErased(held))) continue;
          // Through the subscription's own route: its pattern decides, no other subscription sees it.
          replayed += bus.deliver(
            { ...envelope, 'replay-name': marker },
            false,
            (route) => route.name === subscriptionRouteName(s.name),
          );
        }
      }
      return { replayName: marker, state: 'COMPLETED', replayed };
    },
  };

  if (print && subscriptions.length > 0) {
    print(`Subscriptions (${options.subscriptionsFile ?? 'subscriptions.config.ts'}):`);
    for (const s of subscriptions) {
      const where =
        'url' in s.target
          ? s.target.url
          : s.target.type === 'sqs'
            ? s.target.queueArn
            : s.target.type === 'lambda'
              ? s.target.functionArn
              : s.target.eventBusArn;
      const how = isDispatched(s, 'local') ? '' : '   (AWS-native target: matches are only recorded locally)';
      print(`  ${s.name.padEnd(22)} ${s.target.type} → ${where}${how}`);
    }
    for (const r of secrets.resolved) {
      const kept = secretsPath ? `kept in ${secretsPath}; ` : '';
      if (r.source === 'generated')
        print(`  ${r.subscription}: generated signing secret ${r.value}  (${kept}set ${r.env} to choose one)`);
      else if (r.source === 'saved')
        print(`  ${r.subscription}: signing secret ${r.value}  (${kept}${r.env} overrides)`);
      else if (r.source === 'missing') print(`  ${r.subscription}: no credential; set ${r.env}`);
    }
  }

  return {
    subscriptions,
    configured,
    routes: createSubscriptionRoutes({ subscriptions: configured, log, operations, runtime: 'local' }),
    operations,
    log,
    secret: (name) => secrets.value(name),
    queue: (name) => deliveryQueues.get(name),
    queueGroups: () => groups,
    idle: async () => {
      for (;;) {
        await Promise.all([...targetQueues.map((q) => q.idle()), ...[...deliveryQueues.values()].map((q) => q.idle())]);
        const busy =
          targetQueues.some((q) => q.stats().pending + q.stats().inFlight > 0) ||
          [...deliveryQueues.values()].some((q) => q.stats().pending + q.stats().inFlight > 0);
        if (!busy) return;
      }
    },
    stop: async () => {
      await Promise.all([...deliveryQueues.values()].map((q) => q.stop()));
    },
  };
};
