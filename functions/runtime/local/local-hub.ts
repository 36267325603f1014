/**
 * The whole hub on one machine: DynamoDB Local, the local bus and queues, and
 * the HTTP front, wired to the very same handler factories the Lambdas use.
 * Used by `npm start` (bin/local.ts), the integration tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HUB_RULES, PROFILE_WRITER_RULE } from '../../events/rules.js';
import { logger } from '../../shared/logger.js';
import type { CountryCode } from '../../domain/identity.js';
import { createQueueRoutes } from '../../handlers/api/queues.js';
import { createProfileWriterHandler } from '../../handlers/profile-writer.js';
import { createOutboxRelay } from '../../handlers/outbox-relay.js';
import { createHydratorHandler } from '../../handlers/hydrator.js';
import { DynamoProfileStore } from '../../adapters/aws/dynamodb-profile-store.js';
import { DynamoItemStore } from '../../adapters/aws/dynamodb-item-store.js';
import { AppliedCustomers } from '../../adapters/store/applied-customers.js';
import type { EnrichWait } from '../../subscriptions/enrich.js';
import { DynamoConnectorActivity } from '../../adapters/aws/dynamodb-connector-activity.js';
import { DynamoReplayGuard } from '../../adapters/aws/dynamodb-replay-guard.js';
import { linkingPolicy, type LinkingPolicy } from '../../domain/linking.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { ensureHubTable, startDynamoDbLocal, type DynamoDbLocal } from '../../adapters/local/dynamodb-local.js';
import { EnvSecretStore } from '../../adapters/local/env-secret-store.js';
import { ensurePrivateDir } from '../../adapters/local/private-files.js';
import { StoreUnavailableError } from '../../shared/store-availability.js';
import { LocalEventBus } from '../../adapters/local/local-event-bus.js';
import { LocalArchiveScrubber } from '../../adapters/local/archive-scrubber.js';
import { JournalLock } from '../../adapters/local/journal-lock.js';
import { allScrubbers, LocalQueueScrubber, type ScrubbableQueue } from '../../adapters/local/queue-scrubber.js';
import { LocalQueue, type QueueConsumer } from '../../adapters/local/local-queue.js';
import { LocalLake } from '../../adapters/local/local-lake.js';
import { DuckDbMetricsEngine } from '../../adapters/local/duckdb-metrics-engine.js';
import type { MetricOptions } from '../../analytics/metrics.js';
import { LocalAuth, parseConsoleUsers, type LocalAuthOptions } from '../../adapters/local/console-auth.js';
import { createConsoleFront } from '../../adapters/local/console-front.js';
import { buildConsole, type ConsoleAssets } from '../../../console/build.js';
import {
  loadConfiguredSubscriptions,
  startLocalSubscriptions,
  type LocalSubscriptions,
} from './local-subscriptions.js';
import { localSecretProblems, WeakSecretsError } from './local-secrets.js';
import { outboundFetch } from '../../shared/outbound-fetch.js';
import { OUTBOUND_AWS, OUTBOUND_LOCAL } from '../../shared/outbound-url.js';
import { localHubQueues } from './local-queues.js';
import { groupCommitSink } from './group-commit-sink.js';
import { startFrontThread, type FrontThread } from './front-thread.js';
import { closeServer, createHubFront, listen } from './hub-front.js';
import type { SubscriptionInput } from '../../subscriptions/config.js';
import { validateSubscriptions } from '../../subscriptions/validate.js';
import type { Context } from 'aws-lambda';
import { startLocalOutbound, type LocalOutbound } from './local-outbound.js';
import { startLocalAutomations, type LocalAutomations } from './local-automations.js';
import type { AutomationsFileInput } from '../../automations/config.js';

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
  /** First retry delay of the local queues. @default 500 */
  readonly retryBaseMs?: number;
  /** Batches each rule's queue delivers at once. @default HUB_QUEUE_BATCHES (4) */
  readonly queueConcurrency?: number;
  /** Identity guard rails; default from OMNIHUB_IGNORED_IDENTITIES / OMNIHUB_MAX_IDENTITIES_PER_TYPE. */
  readonly linking?: LinkingPolicy;
  /**
   * Flush every journal and archive write to the disk before it returns (an
   * acknowledged webhook then survives a power loss, not only a crash);
   * default from OMNIHUB_FSYNC=1. @default false
   */
  readonly fsync?: boolean;
  /**
   * Run the HTTP front (ingest and API) in its own worker thread, so that
   * acknowledgements never wait behind the consumers (`npm start` and the
   * benchmark do). Tests keep the default: they inject functions (fake
   * vendors, fault injectors) that cannot cross a thread. @default false
   */
  readonly frontThread?: boolean;
  /** Test hook: throw between the steps of a store write to prove retries end in the same state. */
  readonly faultInjector?: (step: string) => void;
  /** HTTP client the hydrator uses for vendor APIs (tests point it at a fake). */
  readonly fetch?: typeof fetch;
  /** Subscriptions; omitted → `subscriptions.config.ts`. */
  readonly subscriptions?: readonly SubscriptionInput[];
  /** Automations; omitted → `automations.config.ts`. */
  readonly automations?: AutomationsFileInput;
  /** Waits of the time-based events (tests: short); default from OMNIHUB_ABANDONED_CART_HOURS / OMNIHUB_LEAD_UNANSWERED_MINUTES. */
  readonly timeBased?: {
    readonly abandonedCartHours?: number;
    readonly leadUnansweredMinutes?: number;
    readonly inactiveDays?: number;
    readonly birthdayTime?: string;
  };
  /** HTTP client of the subscription dispatcher. @default fetch */
  readonly subscriptionFetch?: typeof fetch;
  /** How long deliveries with `enrich: 'customer'` wait for the profile writer (tests: short). */
  readonly enrichWait?: Partial<EnrichWait>;
  /** Analytics: settings of the metrics; the lake lives in `<dataDir>/lake` (in memory without a data dir). */
  readonly analytics?: Partial<MetricOptions>;
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
  /** The analytics lake (DuckDB + Parquet) behind `GET /v1/metrics`. */
  readonly lake: LocalLake;
  /** Outbound messages: store, settings, the scheduler of deferred sends. */
  readonly outbound: LocalOutbound;
  /** Automations: the validated file, the runner's queue and its timers. */
  readonly automations: LocalAutomations;
}

/**
 * How far back events are applied again after DynamoDB Local died: it
 * acknowledges some writes before they reach the disk. Measured on this
 * repository's DynamoDB Local: over 16 SIGKILLs under load, 4 of ~390
 * acknowledged transactions were gone after the restart, each among the last
 * acknowledged (the one timed: 38 ms before the kill). 10 s is far beyond that.
 */
const STORE_LOSS_WINDOW_MS = 10_000;

/** Batches each hub rule's queue delivers at once by default (`queueConcurrency`). */
export const HUB_QUEUE_BATCHES = 4;
/**
 * Records per batch, SQS's default: the profile writer applies a batch's
 * records in parallel, so it has up to `HUB_QUEUE_BATCHES × HUB_QUEUE_BATCH_SIZE`
 * events in flight (the parallelism the e2e benchmark's store floor runs at).
 */
export const HUB_QUEUE_BATCH_SIZE = 10;

const queueContext = (name: string): Context =>
  ({ functionName: `omnihub-local-${name}`, awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 }) as Context;

export const startLocalHub = async (options: LocalHubOptions = {}): Promise<LocalHub> => {
  const env = options.env ?? process.env;
  // Validated before anything starts: a bad variable stops the hub with its name.
  const config = readFunctionConfig(FUNCTION_CONFIGS['local-hub'], env);
  const apiToken = options.apiToken ?? config.apiToken ?? randomBytes(24).toString('base64url');
  // So does a weak secret: each is named, never shown.
  const problems = localSecretProblems({
    env,
    apiToken: { value: apiToken, source: options.apiToken ? 'the apiToken option' : 'OMNIHUB_API_TOKEN' },
    subscriptions: validateSubscriptions(
      options.subscriptions ?? (await loadConfiguredSubscriptions(config.subscriptionsFile)),
    ),
  });
  if (problems.length) throw new WeakSecretsError(problems);
  // Journals, archive and secrets hold personal data: the folder is the user's alone.
  if (options.dataDir) ensurePrivateDir(options.dataDir);
  const fsync = options.fsync ?? config.fsync;
  // Outbound requests (vendor APIs, subscriptions): this machine is reachable only when allowed (the local default).
  const guardedFetch = outboundFetch({ policy: config.allowLocalUrls ? OUTBOUND_LOCAL : OUTBOUND_AWS });
  const ownsDynamo = !options.dynamo;
  const dynamo =
    options.dynamo ?? (await startDynamoDbLocal(options.dataDir ? { dbPath: join(options.dataDir, 'dynamodb') } : {}));
  const dynamoClient = dynamo.client();
  const tableName = options.tableName ?? 'omnihub-local';
  await ensureHubTable(dynamoClient, tableName);

  const defaultCountry = options.defaultCountry ?? (config.defaultCountry as CountryCode);
  const maxBodyBytes = options.maxBodyBytes ?? config.maxBodyBytes;
  const publicBaseUrl = options.publicBaseUrl ?? config.publicBaseUrl;
  const linking =
    options.linking ?? linkingPolicy(config.ignoredIdentities, config.maxIdentitiesPerType, defaultCountry);
  const store = new DynamoProfileStore(dynamoClient, {
    tableName,
    linking,
    archiveRetentionDays: config.archiveRetentionDays,
    changes: { lifespanYears: config.lifespanYears, lifetimeValueThresholds: config.lifetimeValueThresholds },
    ...(options.faultInjector ? { faultInjector: options.faultInjector } : {}),
  });
  const secrets = new EnvSecretStore(env);
  // ---- Analytics: the lake the profile writer and the privacy routes feed, DuckDB over it.
  const lake = await LocalLake.open(options.dataDir ? { dir: join(options.dataDir, 'lake') } : {});
  const activity = new DynamoConnectorActivity(dynamoClient, {
    tableName,
    ...(options.connectorActivityIntervalMs !== undefined
      ? { minIntervalMs: options.connectorActivityIntervalMs }
      : {}),
  });
  const archivePath = options.dataDir ? join(options.dataDir, 'archive.jsonl') : undefined;
  const bus = new LocalEventBus({ fsync, ...(archivePath ? { archivePath } : {}) });
  // The archive keeps events as long as the AWS one would (OMNIHUB_ARCHIVE_RETENTION_DAYS), not forever.
  const archiveCutoff = Date.now() - config.archiveRetentionDays * 86_400_000;
  bus.rewriteArchive((envelope) => Date.parse(envelope.time) >= archiveCutoff);
  // An erasure scrubs the archive and every queue journal (the queues are created below; read when it runs).
  const scrubbedQueues = (): ScrubbableQueue[] => [
    ...bus.queues(),
    ...subscriptions.queueGroups().flatMap((g) => g.queues),
  ];
  const queueScrubber = new LocalQueueScrubber(scrubbedQueues, store.holds);
  const scrubber = allScrubbers(
    archivePath ? new LocalArchiveScrubber(bus, archivePath, store.holds) : undefined,
    queueScrubber,
  );

  // ---- Outbound: messages API, sender, receipts → status.
  const outbound = await startLocalOutbound({
    dynamoClient,
    fetch: guardedFetch,
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
      const handler = createProfileWriterHandler({
        store,
        publisher: bus,
        // One DuckDB commit for the records of every batch in flight, not one per event (group-commit-sink.ts).
        lake: groupCommitSink(lake),
        activity,
        ...(scrubber ? { scrubber } : {}),
      });
      return (event) => handler(event, queueContext('profile-writer'));
    })(),
    hydrator: (() => {
      const handler = createHydratorHandler({
        publisher: bus,
        secrets,
        defaultCountry,
        fetch: options.fetch ?? guardedFetch,
      });
      return (event) => handler(event, queueContext('hydrator'));
    })(),
    sender: (event) => outbound.sender(event, queueContext('sender')),
    'message-status': (event) => outbound.messageStatus(event, queueContext('message-status')),
  };
  const ruleQueues = new Map<string, LocalQueue>();
  for (const rule of HUB_RULES) {
    const queue = new LocalQueue(rule.name, consumers[rule.consumer], {
      retryBaseMs: options.retryBaseMs ?? 500,
      // Several batches in flight, as SQS runs several Lambda invocations (10 on AWS): the
      // writer mostly waits on DynamoDB round trips, and conflicting writes retry safely.
      concurrency: options.queueConcurrency ?? HUB_QUEUE_BATCHES,
      batchSize: HUB_QUEUE_BATCH_SIZE,
      fsync,
      // The store down is not the messages' fault: wait for it without counting receives.
      isUnavailable: (err) => err instanceof StoreUnavailableError,
      ...(rule.consumer === 'profile-writer' ? { keepCompletedMs: STORE_LOSS_WINDOW_MS } : {}),
      ...(options.dataDir ? { journalPath: join(options.dataDir, 'queues', `${rule.name}.jsonl`) } : {}),
    });
    bus.addRoute({ name: rule.name, pattern: rule.pattern, queue });
    ruleQueues.set(rule.name, queue);
    if (rule.consumer === 'sender') outbound.attachSenderQueue(queue);
  }

  // ---- Automations: rule → queue → runner, timers journaled beside the queues.
  const automations = await startLocalAutomations({
    ...(options.automations ? { automations: options.automations } : {}),
    timeBased: {
      abandonedCartHours: options.timeBased?.abandonedCartHours ?? config.abandonedCartHours,
      leadUnansweredMinutes: options.timeBased?.leadUnansweredMinutes ?? config.leadUnansweredMinutes,
      inactiveDays: options.timeBased?.inactiveDays ?? config.inactiveDays,
      birthdayTime: options.timeBased?.birthdayTime ?? config.birthdayTime,
      birthdayTrait: config.birthdayTrait,
    },
    bus,
    store,
    messages: outbound.messages,
    settings: outbound.settings,
    defaultCountry,
    retryBaseMs: options.retryBaseMs ?? 500,
    fsync,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  // ---- end of automations

  dynamo.onRestart?.(async ({ exitedAt }) => {
    // A restarted in-memory instance is empty; on a data folder this finds the table and does nothing.
    await ensureHubTable(dynamoClient, tableName);
    // DynamoDB Local acknowledges some writes before they are on disk: what it acknowledged in its last
    // moments may be gone. Apply those events again (a duplicate where the write survived).
    const again = ruleQueues.get(PROFILE_WRITER_RULE.name)?.redeliverCompletedSince(exitedAt - STORE_LOSS_WINDOW_MS);
    if (again) logger.warn('re-applying the events of the store’s last seconds', { events: again });
  });

  // ---- Subscriptions: rule → queue → dispatcher per subscription, served under /v1/subscriptions.
  const subscriptions = await startLocalSubscriptions({
    ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}),
    ...(config.subscriptionsFile ? { subscriptionsFile: config.subscriptionsFile } : {}),
    bus,
    dynamoClient,
    tableName,
    env,
    retryBaseMs: options.retryBaseMs ?? 500,
    fsync,
    erasures: store.holds,
    customers: new AppliedCustomers(new DynamoItemStore(dynamoClient, tableName)),
    lifespanYears: config.lifespanYears,
    ...(options.enrichWait ? { enrichWait: options.enrichWait } : {}),
    ...(options.dataDir && archivePath ? { dataDir: options.dataDir, archivePath, apiToken } : {}),
    fetch: options.subscriptionFetch ?? guardedFetch,
  });
  // ---- end of subscriptions
  const traits = { lifespanYears: config.lifespanYears, abandonedCartAfterHours: config.abandonedCartHours };
  const hubQueues = localHubQueues(() => [
    ...HUB_RULES.map((rule) => ({
      name: rule.name,
      kind: 'hub' as const,
      queues: [ruleQueues.get(rule.name) as LocalQueue],
    })),
    ...subscriptions.queueGroups(),
  ]);
  const consoleOptions = options.console === false ? {} : (options.console ?? {});
  // Functions cannot cross into the front thread: the console's clock and files stay with the main-thread front.
  const { assets, now: authNow, ...authOptions } = consoleOptions;
  const users = authOptions.users ?? parseConsoleUsers(config.consoleUsers, apiToken);
  // Notifications a crash left in the outbox (an erase whose publish failed, a writer killed mid-way), now that
  // every route, subscriptions included, is in place.
  await createOutboxRelay({ store, publisher: bus }).sweep({ graceMs: 0 });
  const metrics = new DuckDbMetricsEngine(lake);
  const analyticsOptions = { lifespanYears: config.lifespanYears, ...options.analytics };
  const host = options.host ?? config.host;
  let draining = false;
  let front: FrontThread | undefined;
  // The console is served by the hub itself: caller-recognition links point here unless an address is configured.
  let ownUrl: string | undefined;
  let server: Server | undefined;
  let port: number;
  if (options.frontThread) {
    const routes = new Map(bus.routeList().map((r) => [r.name, r.queue]));
    // The front appends to these journals while an erasure here may rewrite them: both take this lock.
    const journalLock = new JournalLock();
    for (const queue of routes.values()) queue.shareJournal(journalLock);
    front = await startFrontThread({
      workerData: {
        port: options.port ?? config.port,
        host,
        apiToken,
        maxBodyBytes,
        defaultCountry,
        publicBaseUrl,
        traits,
        consoleUrl: config.consoleUrl ?? publicBaseUrl,
        dynamoEndpoint: dynamo.endpoint,
        tableName,
        archiveRetentionDays: config.archiveRetentionDays,
        linking,
        env: { ...env },
        fsync,
        journalLock: journalLock.buffer,
        ...(options.dataDir ? { archivePath: join(options.dataDir, 'archive.jsonl') } : {}),
        routes: bus.routeList().map((r) => ({
          name: r.name,
          pattern: r.pattern,
          ...(r.queue.journalPath ? { journalPath: r.queue.journalPath } : {}),
        })),
        subscriptions: subscriptions.configured,
        outbound: config,
        auth: { ...authOptions, apiToken, users },
        console: options.console !== false,
        analytics: analyticsOptions,
      },
      adopt: (message) => routes.get(message.route)?.adopt(message),
      queues: hubQueues,
      subscriptions: subscriptions.operations,
      lake,
      metrics,
      // An erasure through the front scrubs the archive there and the queue journals here.
      erasure: queueScrubber,
    });
    port = front.port;
  } else {
    const auth = new LocalAuth({ ...authOptions, apiToken, users, ...(authNow ? { now: authNow } : {}) });
    server = createHubFront({
      consoleUrl: () => config.consoleUrl ?? publicBaseUrl ?? ownUrl,
      apiToken,
      auth,
      ...(options.console === false
        ? {}
        : { console: createConsoleFront({ auth, assets: assets ?? (() => buildConsole()) }) }),
      activity,
      messages: outbound.messages,
      outbound: outbound.settings,
      now: options.now,
      maxBodyBytes,
      defaultCountry,
      publicBaseUrl,
      traits,
      publisher: bus,
      store,
      ...(scrubber ? { scrubber } : {}),
      secrets,
      replayGuard: new DynamoReplayGuard(dynamoClient, { tableName }),
      subscriptionRoutes: subscriptions.routes,
      queueRoutes: createQueueRoutes(hubQueues),
      lake,
      analytics: { engine: metrics, options: analyticsOptions },
      draining: () => draining,
    });
    port = await listen(server, options.port ?? config.port, host);
    ownUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  }
  /** Every queue drained, hand-offs from the front thread in transit included. */
  const idle = async () => {
    await front?.flush();
    await bus.idle();
  };

  const shutdown = async ({ drainTimeoutMs = 30_000, abort }: HubStopOptions = {}): Promise<HubStopResult> => {
    draining = true;
    front?.drain();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs);
        abort?.addEventListener('abort', () => resolve(false), { once: true });
      }),
    ]);
    clearTimeout(timer);
    await Promise.all([...bus.queues().map((q) => q.stop()), subscriptions.stop()]);
    // Deferred sends stay in their journal for the next start.
    outbound.stop();
    automations.stop();
    const pending = bus.queues().reduce((n, q) => n + q.stats().pending + q.stats().inFlight, 0);
    if (server) await closeServer(server);
    await front?.close();
    // The lake last among the hub's parts: the profile writer may write to it until the queues stop.
    await lake.close();
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
    idle,
    subscriptions,
    lake,
    outbound,
    automations,
    stop: async () => {
      await shutdown();
    },
    shutdown,
  };
};
