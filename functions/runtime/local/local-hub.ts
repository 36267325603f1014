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
import { createIngestHandler } from '../../handlers/ingest.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createProfileWriterHandler } from '../../handlers/profile-writer.js';
import { createHydratorHandler } from '../../handlers/hydrator.js';
import { DynamoProfileStore } from '../../adapters/aws/dynamodb-profile-store.js';
import { DynamoConnectorActivity } from '../../adapters/aws/dynamodb-connector-activity.js';
import { DynamoReplayGuard } from '../../adapters/aws/dynamodb-replay-guard.js';
import { linkingPolicy, type LinkingPolicy } from '../../domain/linking.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { ensureHubTable, startDynamoDbLocal, type DynamoDbLocal } from '../../adapters/local/dynamodb-local.js';
import { EnvSecretStore } from '../../adapters/local/env-secret-store.js';
import { ensurePrivateDir } from '../../adapters/local/private-files.js';
import { StoreUnavailableError } from '../../shared/store-availability.js';
import { LocalEventBus } from '../../adapters/local/local-event-bus.js';
import { LocalQueue, type QueueConsumer } from '../../adapters/local/local-queue.js';
import { createLocalHttpServer } from '../../adapters/local/http-server.js';
import { LocalAuth, parseConsoleUsers, type LocalAuthOptions } from '../../adapters/local/console-auth.js';
import { createConsoleFront } from '../../adapters/local/console-front.js';
import { buildConsole, type ConsoleAssets } from '../../../console/build.js';
import { startLocalSubscriptions, type LocalSubscriptions } from './local-subscriptions.js';
import type { SubscriptionInput } from '../../subscriptions/config.js';
import type { Context } from 'aws-lambda';
import { startLocalOutbound, type LocalOutbound } from './local-outbound.js';

export interface LocalHubOptions {
  /** 0 → any free port. @default PORT, else 3000 */
  readonly port?: number;
  /** @default HOST, else 127.0.0.1 */
  readonly host?: string;
  /** Folder for DynamoDB data, queue journals and the archive; omitted → all in memory. */
  readonly dataDir?: string;
  /** Reuse a running DynamoDB Local (tests share one JVM across hubs). */
  readonly dynamo?: DynamoDbLocal;
  readonly tableName?: string;
  readonly apiToken?: string;
  /** Where the configuration is read from (`FUNCTION_CONFIGS['local-hub']`); options below override it. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly defaultCountry?: CountryCode;
  readonly maxBodyBytes?: number;
  readonly publicBaseUrl?: string;
  readonly dedupeTtlDays?: number;
  /** First retry delay of the local queues. @default 500 */
  readonly retryBaseMs?: number;
  /** Batches each rule's queue delivers at once. @default 4 */
  readonly queueConcurrency?: number;
  /** Identity guard rails; default from OMNIHUB_IGNORED_IDENTITIES / OMNIHUB_MAX_IDENTITIES_PER_TYPE. */
  readonly linking?: LinkingPolicy;
  /**
   * Flush every journal and archive write to the disk before it returns (an
   * acknowledged webhook then survives a power loss, not only a crash);
   * default from OMNIHUB_FSYNC=1. @default false
   */
  readonly fsync?: boolean;
  /** Test hook: throw between the steps of a store write to prove retries end in the same state. */
  readonly faultInjector?: (step: string) => void;
  /** HTTP client the hydrator uses for vendor APIs (tests point it at a fake). */
  readonly fetch?: typeof fetch;
  /** Subscriptions; omitted → `subscriptions.config.ts`. */
  readonly subscriptions?: readonly SubscriptionInput[];
  /** HTTP client of the subscription dispatcher. @default fetch */
  readonly subscriptionFetch?: typeof fetch;
  /** The clock of the messages API and the sender (quiet hours, windows, retries); tests inject one. @default the wall clock */
  readonly now?: () => Date;
  /** Least time between two "last event" writes per connector (tests: 0). @default 60 000 */
  readonly connectorActivityIntervalMs?: number;
  /**
   * The console at `/`: logins (users default from OMNIHUB_CONSOLE_USERS),
   * session lifetimes, and the files (built from `console/src` on first
   * request by default). `false` serves no page; the API still checks roles.
   */
  readonly console?: false | (Partial<Omit<LocalAuthOptions, 'apiToken'>> & { readonly assets?: () => ConsoleAssets });
}

export interface HubStopOptions {
  /** Longest wait for the queues to drain. @default 30000 */
  readonly drainTimeoutMs?: number;
  /** Stops waiting for the drain (a second Ctrl-C); the shutdown itself still runs in order. */
  readonly abort?: AbortSignal;
}

export interface HubStopResult {
  /** Every hub queue was empty when the queues stopped. */
  readonly drained: boolean;
  /** Messages left in the journals for the next start (pending and in retry, dead letters not counted). */
  readonly pending: number;
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
  /**
   * Graceful shutdown, in the order that loses nothing: webhooks and other
   * writes get 503 + Retry-After from now on; the queues drain against the
   * running store (up to `drainTimeoutMs`, or until `abort`); the queues stop
   * once their batches in flight are done; then the HTTP server and last the
   * store. Whatever did not drain stays in the journals for the next start.
   */
  shutdown(options?: HubStopOptions): Promise<HubStopResult>;
  /** `shutdown()` with the defaults. */
  stop(): Promise<void>;
  /** Subscription delivery: queues, secrets, delivery log, replay. */
  readonly subscriptions: LocalSubscriptions;
  /** Outbound messages: store, settings, the scheduler of deferred sends. */
  readonly outbound: LocalOutbound;
}

const queueContext = (name: string): Context =>
  ({ functionName: `omnihub-local-${name}`, awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 }) as Context;

export const startLocalHub = async (options: LocalHubOptions = {}): Promise<LocalHub> => {
  const env = options.env ?? process.env;
  // Validated before anything starts: a bad variable stops the hub with its name.
  const config = readFunctionConfig(FUNCTION_CONFIGS['local-hub'], env);
  // Journals, archive and secrets hold personal data: the folder is the user's alone.
  if (options.dataDir) ensurePrivateDir(options.dataDir);
  const fsync = options.fsync ?? config.fsync;
  const ownsDynamo = !options.dynamo;
  const dynamo =
    options.dynamo ?? (await startDynamoDbLocal(options.dataDir ? { dbPath: join(options.dataDir, 'dynamodb') } : {}));
  const dynamoClient = dynamo.client();
  const tableName = options.tableName ?? 'omnihub-local';
  await ensureHubTable(dynamoClient, tableName);
  // A restarted in-memory instance is empty; on a data folder this finds the table and does nothing.
  dynamo.onRestart?.(() => ensureHubTable(dynamoClient, tableName));

  const defaultCountry = options.defaultCountry ?? (config.defaultCountry as CountryCode);
  const maxBodyBytes = options.maxBodyBytes ?? config.maxBodyBytes;
  const publicBaseUrl = options.publicBaseUrl ?? config.publicBaseUrl;
  const store = new DynamoProfileStore(dynamoClient, {
    tableName,
    dedupeTtlDays: options.dedupeTtlDays ?? config.dedupeTtlDays,
    linking: options.linking ?? linkingPolicy(config.ignoredIdentities, config.maxIdentitiesPerType, defaultCountry),
    ...(options.faultInjector ? { faultInjector: options.faultInjector } : {}),
  });
  const secrets = new EnvSecretStore(env);
  const activity = new DynamoConnectorActivity(dynamoClient, {
    tableName,
    ...(options.connectorActivityIntervalMs !== undefined
      ? { minIntervalMs: options.connectorActivityIntervalMs }
      : {}),
  });
  const bus = new LocalEventBus({
    fsync,
    ...(options.dataDir ? { archivePath: join(options.dataDir, 'archive.jsonl') } : {}),
  });

  // ---- Outbound: messages API, sender, receipts → status.
  const outbound = await startLocalOutbound({
    dynamoClient,
    tableName,
    env,
    config,
    secrets,
    store,
    publisher: bus,
    defaultCountry,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  // ---- end of outbound
  const consumers: Record<(typeof HUB_RULES)[number]['consumer'], QueueConsumer> = {
    'profile-writer': (() => {
      const handler = createProfileWriterHandler({ store, publisher: bus, activity });
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
    sender: (event) => outbound.sender(event, queueContext('sender')),
    'message-status': (event) => outbound.messageStatus(event, queueContext('message-status')),
  };
  for (const rule of HUB_RULES) {
    const queue = new LocalQueue(rule.name, consumers[rule.consumer], {
      retryBaseMs: options.retryBaseMs ?? 500,
      // Several batches in flight, as SQS runs several Lambda invocations (10 on AWS): the
      // writer mostly waits on DynamoDB round trips, and conflicting writes retry safely.
      concurrency: options.queueConcurrency ?? 4,
      fsync,
      // The store down is not the messages' fault: wait for it without counting receives.
      isUnavailable: (err) => err instanceof StoreUnavailableError,
      ...(options.dataDir ? { journalPath: join(options.dataDir, 'queues', `${rule.name}.jsonl`) } : {}),
    });
    bus.addRoute({ name: rule.name, pattern: rule.pattern, queue });
    if (rule.consumer === 'sender') outbound.attachSenderQueue(queue);
  }

  const apiToken = options.apiToken ?? config.apiToken ?? randomBytes(24).toString('base64url');

  // ---- Subscriptions: rule → queue → dispatcher per subscription, served under /v1/subscriptions.
  const subscriptions = await startLocalSubscriptions({
    ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}),
    bus,
    dynamoClient,
    tableName,
    env,
    retryBaseMs: options.retryBaseMs ?? 500,
    fsync,
    ...(options.dataDir
      ? { dataDir: options.dataDir, archivePath: join(options.dataDir, 'archive.jsonl'), apiToken }
      : {}),
    ...(options.subscriptionFetch ? { fetch: options.subscriptionFetch } : {}),
  });
  // ---- end of subscriptions
  const consoleOptions = options.console === false ? {} : (options.console ?? {});
  const auth = new LocalAuth({
    ...consoleOptions,
    apiToken,
    users: consoleOptions.users ?? parseConsoleUsers(config.consoleUsers, apiToken),
  });
  let draining = false;
  const server = createLocalHttpServer({
    apiToken,
    auth,
    ...(options.console === false
      ? {}
      : { console: createConsoleFront({ auth, assets: consoleOptions.assets ?? (() => buildConsole()) }) }),
    maxBodyBytes,
    draining: () => draining,
    handlers: {
      ingest: createIngestHandler({
        publisher: bus,
        secrets,
        replayGuard: new DynamoReplayGuard(dynamoClient, { tableName }),
        defaultCountry,
        maxBodyBytes,
        ...(publicBaseUrl ? { publicBaseUrl } : {}),
      }),
      api: createApiHandler({
        store,
        activity,
        secretStatus: secrets,
        publisher: bus,
        defaultCountry,
        traits: { lifespanYears: config.lifespanYears, abandonedCartAfterHours: config.abandonedCartHours },
        messages: outbound.messages,
        outbound: outbound.settings,
        ...(options.now ? { now: options.now } : {}),
        ...(publicBaseUrl ? { publicBaseUrl } : {}),
        subscriptionRoutes: subscriptions.routes,
      }),
    },
  });
  const host = options.host ?? config.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const shutdown = async ({ drainTimeoutMs = 30_000, abort }: HubStopOptions = {}): Promise<HubStopResult> => {
    draining = true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      bus.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs);
        abort?.addEventListener('abort', () => resolve(false), { once: true });
      }),
    ]);
    clearTimeout(timer);
    await Promise.all([...bus.queues().map((q) => q.stop()), subscriptions.stop()]);
    // Deferred sends stay in their journal for the next start.
    outbound.stop();
    const pending = bus.queues().reduce((n, q) => n + q.stats().pending + q.stats().inFlight, 0);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    dynamoClient.destroy();
    if (ownsDynamo) await dynamo.stop();
    return { drained, pending };
  };

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
    outbound,
    stop: async () => {
      await shutdown();
    },
    shutdown,
  };
};
