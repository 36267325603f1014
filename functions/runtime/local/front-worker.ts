/**
 * Entry of the local hub's HTTP front thread (see front-thread.ts): the same
 * `ingest` and `api` handlers as in the main thread, with their own DynamoDB
 * client for reads, a bus whose routes journal each event into its queue's
 * journal before the webhook is acknowledged, and the queue and subscription
 * operations called in the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildConsole } from '../../../console/build.js';
import { DynamoConnectorActivity } from '../../adapters/aws/dynamodb-connector-activity.js';
import { DynamoDeliveryLog } from '../../adapters/aws/dynamodb-delivery-log.js';
import { DynamoMessageStore } from '../../adapters/aws/dynamodb-message-store.js';
import { DynamoProfileStore } from '../../adapters/aws/dynamodb-profile-store.js';
import { DynamoReplayGuard } from '../../adapters/aws/dynamodb-replay-guard.js';
import { LocalAuth } from '../../adapters/local/console-auth.js';
import { createConsoleFront } from '../../adapters/local/console-front.js';
import { localClient } from '../../adapters/local/dynamodb-local.js';
import { EnvSecretStore } from '../../adapters/local/env-secret-store.js';
import { JournaledHandOff } from '../../adapters/local/journaled-hand-off.js';
import { LocalEventBus } from '../../adapters/local/local-event-bus.js';
import { LocalArchiveScrubber } from '../../adapters/local/archive-scrubber.js';
import { createQueueRoutes } from '../../handlers/api/queues.js';
import { createSubscriptionRoutes } from '../../handlers/api/subscriptions.js';
import type { AnalyticsSink, HubQueueOperations, MetricsEngine, SubscriptionOperations } from '../../ports.js';
import { HubError } from '../../shared/errors.js';
import type { CallTarget, FrontToMain, FrontWorkerData, MainToFront } from './front-protocol.js';
import { closeServer, createHubFront, listen } from './hub-front.js';
import { localOutboundSettings } from './local-outbound.js';

const port = parentPort;
if (!port) throw new Error('front-worker.ts runs as a worker thread of the local hub');
const data = workerData as FrontWorkerData;
const post = (message: FrontToMain) => port.postMessage(message);

// ---- Calls into the main thread.
let nextCall = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const call = <T>(target: CallTarget, method: string, ...args: unknown[]): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const id = nextCall++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'call', id, target, method, args });
  });
const queues: HubQueueOperations = {
  list: () => call('queues', 'list'),
  describe: (name) => call('queues', 'describe', name),
  redrive: (name) => call('queues', 'redrive', name),
};
const subscriptionOperations: SubscriptionOperations = {
  queueDepth: (name) => call('subscriptions', 'queueDepth', name),
  redrive: (name) => call('subscriptions', 'redrive', name),
  replay: (name, window) => call('subscriptions', 'replay', name, window),
};
const lake: AnalyticsSink = { record: (rows) => call('lake', 'record', rows) };
const metrics: MetricsEngine = { run: (metric, params) => call('metrics', 'run', metric, params) };

// ---- The front.
const client = localClient(data.dynamoEndpoint);
const bus = new LocalEventBus<JournaledHandOff>({
  fsync: data.fsync,
  ...(data.archivePath ? { archivePath: data.archivePath } : {}),
});
for (const route of data.routes)
  bus.addRoute({
    name: route.name,
    pattern: route.pattern,
    queue: new JournaledHandOff(route.name, route.journalPath, { fsync: data.fsync }, (message) =>
      post({ type: 'hand-off', message }),
    ),
  });
let draining = false;
const secrets = new EnvSecretStore({ ...data.env } as NodeJS.ProcessEnv);
const outbound = await localOutboundSettings(data.outbound, secrets);
const auth = new LocalAuth(data.auth);
const store = new DynamoProfileStore(client, {
  tableName: data.tableName,
  linking: data.linking,
  archiveRetentionDays: data.archiveRetentionDays,
});
// An erasure through the API scrubs the archive file this thread's bus appends to.
const scrubber = data.archivePath ? new LocalArchiveScrubber(bus, data.archivePath, store.holds) : undefined;
// The console is served by this front: its links point here unless an address is configured.
let ownUrl: string | undefined;
const server = createHubFront({
  consoleUrl: () => data.consoleUrl ?? ownUrl,
  apiToken: data.apiToken,
  maxBodyBytes: data.maxBodyBytes,
  defaultCountry: data.defaultCountry,
  publicBaseUrl: data.publicBaseUrl,
  traits: data.traits,
  publisher: bus,
  store,
  ...(scrubber ? { scrubber } : {}),
  activity: new DynamoConnectorActivity(client, { tableName: data.tableName }),
  messages: new DynamoMessageStore(client, { tableName: data.tableName, retentionDays: outbound.retentionDays }),
  outbound,
  auth,
  ...(data.console ? { console: createConsoleFront({ auth, assets: () => buildConsole() }) } : {}),
  secrets,
  replayGuard: new DynamoReplayGuard(client, { tableName: data.tableName }),
  subscriptionRoutes: createSubscriptionRoutes({
    subscriptions: data.subscriptions,
    log: new DynamoDeliveryLog(client, { tableName: data.tableName }),
    operations: subscriptionOperations,
    runtime: 'local',
  }),
  queueRoutes: createQueueRoutes(queues),
  lake,
  analytics: { engine: metrics, options: data.analytics },
  draining: () => draining,
  ...(data.limits ? { limits: data.limits } : {}),
});

port.on('message', (message: MainToFront) => {
  switch (message.type) {
    case 'result':
    case 'error': {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'result') waiter?.resolve(message.value);
      else {
        const { name, message: text, statusCode, code } = message.error;
        const err = statusCode && code ? new HubError(text, statusCode, code) : new Error(text);
        err.name = name;
        waiter?.reject(err);
      }
      return;
    }
    case 'flush':
      // Every hand-off of the requests answered so far was posted before this reply (one ordered port).
      post({ type: 'flushed', id: message.id });
      return;
    case 'drain':
      draining = true;
      return;
    case 'close':
      void closeServer(server).then(() => {
        for (const route of bus.routeList()) route.queue.close();
        bus.close();
        client.destroy();
        post({ type: 'closed' });
      });
      return;
  }
});

const listening = await listen(server, data.port, data.host);
ownUrl = `http://${data.host === '0.0.0.0' ? '127.0.0.1' : data.host}:${listening}`;
post({ type: 'listening', port: listening });
