/**
 * The whole hub on one machine: DynamoDB Local, the local bus and queues, and
 * the HTTP front, wired to the very same handler factories the Lambdas use.
 * Used by `npm start` (bin/local.ts), the integration tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HUB_RULES } from '../../events/rules.js';
import type { CountryCode } from '../../domain/identity.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/http.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createProfileWriterHandler } from '../../handlers/profile-writer.js';
import { createOutboxRelay } from '../../handlers/outbox-relay.js';
import { createHydratorHandler } from '../../handlers/hydrator.js';
import { DynamoProfileStore } from '../../adapters/aws/dynamodb-profile-store.js';
import { linkingPolicy, type LinkingPolicy } from '../../domain/linking.js';
import { readConfig } from '../../shared/config.js';
import { ensureHubTable, startDynamoDbLocal, type DynamoDbLocal } from '../../adapters/local/dynamodb-local.js';
import { EnvSecretStore } from '../../adapters/local/env-secret-store.js';
import { LocalEventBus } from '../../adapters/local/local-event-bus.js';
import { LocalQueue, type QueueConsumer } from '../../adapters/local/local-queue.js';
import { createLocalHttpServer } from '../../adapters/local/http-server.js';
import { startLocalSubscriptions, type LocalSubscriptions } from './local-subscriptions.js';
import type { SubscriptionInput } from '../../subscriptions/config.js';
import type { Context } from 'aws-lambda';

export interface LocalHubOptions {
  /** 0 → any free port. @default 3000 */
  readonly port?: number;
  readonly host?: string;
  /** Folder for DynamoDB data, queue journals and the archive; omitted → all in memory. */
  readonly dataDir?: string;
  /** Reuse a running DynamoDB Local (tests share one JVM across hubs). */
  readonly dynamo?: DynamoDbLocal;
  readonly tableName?: string;
  readonly apiToken?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly defaultCountry?: CountryCode;
  readonly maxBodyBytes?: number;
  readonly publicBaseUrl?: string;
  /** First retry delay of the local queues. @default 500 */
  readonly retryBaseMs?: number;
  /** Batches each rule's queue delivers at once. @default 4 */
  readonly queueConcurrency?: number;
  /** Identity guard rails; default from OMNIHUB_IGNORED_IDENTITIES / OMNIHUB_MAX_IDENTITIES_PER_TYPE. */
  readonly linking?: LinkingPolicy;
  /** Test hook: throw between the steps of a store write to prove retries end in the same state. */
  readonly faultInjector?: (step: string) => void;
  /** HTTP client the hydrator uses for vendor APIs (tests point it at a fake). */
  readonly fetch?: typeof fetch;
  /** Subscriptions (issue 5); omitted → `subscriptions.config.ts`. */
  readonly subscriptions?: readonly SubscriptionInput[];
  /** HTTP client of the subscription dispatcher. @default fetch */
  readonly subscriptionFetch?: typeof fetch;
}

export interface LocalHub {
  readonly url: string;
  readonly apiToken: string;
  readonly tableName: string;
  readonly bus: LocalEventBus;
  readonly store: DynamoProfileStore;
  readonly dynamoClient: DynamoDBClient;
  readonly dynamoEndpoint: string;
  /** Resolves when every queue has drained. */
  idle(): Promise<void>;
  stop(): Promise<void>;
  /** Subscription delivery: queues, secrets, delivery log, replay (issue 5). */
  readonly subscriptions: LocalSubscriptions;
}

const queueContext = (name: string): Context =>
  ({ functionName: `omnihub-local-${name}`, awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 }) as Context;

export const startLocalHub = async (options: LocalHubOptions = {}): Promise<LocalHub> => {
  const env = options.env ?? process.env;
  const ownsDynamo = !options.dynamo;
  const dynamo =
    options.dynamo ?? (await startDynamoDbLocal(options.dataDir ? { dbPath: join(options.dataDir, 'dynamodb') } : {}));
  const dynamoClient = dynamo.client();
  const tableName = options.tableName ?? 'omnihub-local';
  await ensureHubTable(dynamoClient, tableName);

  const defaultCountry = options.defaultCountry ?? ((env.OMNIHUB_DEFAULT_COUNTRY as CountryCode | undefined) || 'UA');
  const maxBodyBytes = options.maxBodyBytes ?? (Number(env.OMNIHUB_MAX_BODY_BYTES) || DEFAULT_MAX_BODY_BYTES);
  const publicBaseUrl = options.publicBaseUrl ?? (env.OMNIHUB_PUBLIC_BASE_URL || undefined);
  const config = readConfig(env, { tableName, eventBusName: 'omnihub-local' });
  const store = new DynamoProfileStore(dynamoClient, {
    tableName,
    linking: options.linking ?? linkingPolicy(config.ignoredIdentities, config.maxIdentitiesPerType, defaultCountry),
    ...(options.faultInjector ? { faultInjector: options.faultInjector } : {}),
  });
  const secrets = new EnvSecretStore(env);
  const bus = new LocalEventBus(options.dataDir ? { archivePath: join(options.dataDir, 'archive.jsonl') } : {});

  const consumers: Record<(typeof HUB_RULES)[number]['consumer'], QueueConsumer> = {
    'profile-writer': (() => {
      const handler = createProfileWriterHandler({ store, publisher: bus });
      return (event) => handler(event, queueContext('profile-writer'));
    })(),
    hydrator: (() => {
      const handler = createHydratorHandler({
        publisher: bus,
        secrets,
        defaultCountry,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      return (event) => handler(event, queueContext('hydrator'));
    })(),
  };
  for (const rule of HUB_RULES) {
    const queue = new LocalQueue(rule.name, consumers[rule.consumer], {
      retryBaseMs: options.retryBaseMs ?? 500,
      // Several batches in flight, as SQS runs several Lambda invocations (10 on AWS): the
      // writer mostly waits on DynamoDB round trips, and conflicting writes retry safely.
      concurrency: options.queueConcurrency ?? 4,
      ...(options.dataDir ? { journalPath: join(options.dataDir, 'queues', `${rule.name}.jsonl`) } : {}),
    });
    bus.addRoute({ name: rule.name, pattern: rule.pattern, queue });
  }

  const apiToken = options.apiToken ?? (env.OMNIHUB_API_TOKEN || randomBytes(24).toString('base64url'));

  // ---- Subscriptions (issue 5): rule → queue → dispatcher per subscription, served under /v1/subscriptions.
  const subscriptions = await startLocalSubscriptions({
    ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}),
    bus,
    dynamoClient,
    tableName,
    env,
    retryBaseMs: options.retryBaseMs ?? 500,
    ...(options.dataDir
      ? { dataDir: options.dataDir, archivePath: join(options.dataDir, 'archive.jsonl'), apiToken }
      : {}),
    ...(options.subscriptionFetch ? { fetch: options.subscriptionFetch } : {}),
  });
  // ---- end of subscriptions
  const server = createLocalHttpServer({
    apiToken,
    maxBodyBytes,
    handlers: {
      ingest: createIngestHandler({
        publisher: bus,
        secrets,
        defaultCountry,
        maxBodyBytes,
        ...(publicBaseUrl ? { publicBaseUrl } : {}),
      }),
      api: createApiHandler({
        store,
        secrets,
        publisher: bus,
        defaultCountry,
        traits: { lifespanYears: config.lifespanYears, abandonedCartAfterHours: config.abandonedCartHours },
        ...(publicBaseUrl ? { publicBaseUrl } : {}),
        subscriptionRoutes: subscriptions.routes,
      }),
    },
  });
  // Notifications a crash left in the outbox (an erase whose publish failed, a writer killed mid-way), now that
  // every route, subscriptions included, is in place.
  await createOutboxRelay({ store, publisher: bus }).sweep({ graceMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    apiToken,
    tableName,
    bus,
    store,
    dynamoClient,
    dynamoEndpoint: dynamo.endpoint,
    idle: () => bus.idle(),
    subscriptions,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await bus.idle();
      await subscriptions.stop();
      for (const q of bus.queues()) q.stop();
      dynamoClient.destroy();
      if (ownsDynamo) await dynamo.stop();
    },
  };
};
