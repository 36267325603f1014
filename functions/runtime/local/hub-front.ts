/**
 * The local hub's HTTP front: the `ingest` and `api` handlers behind the
 * local server, wired the same way whether the front runs in the main thread
 * (tests) or in its own worker thread (`npm start`, see front-thread.ts).
 */
import type { Server } from 'node:http';
import type { LocalAuth } from '../../adapters/local/console-auth.js';
import type { ConsoleFront } from '../../adapters/local/console-front.js';
import type { LocalHttpLimits } from '../../adapters/local/http-server.js';
import { createLocalHttpServer } from '../../adapters/local/http-server.js';
import type { CountryCode } from '../../domain/identity.js';
import { createApiHandler } from '../../handlers/api/index.js';
import { createCallerDirectory } from '../../handlers/api/lookup.js';
import type { QueueRouteKey } from '../../handlers/api/queues.js';
import type { SubscriptionRouteKey } from '../../handlers/api/subscriptions.js';
import type { ApiRoutes } from '../../handlers/api/types.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import type { OutboundSettings } from '../../outbound/settings.js';
import type { MetricsApiDeps } from '../../handlers/api/metrics.js';
import type {
  AnalyticsSink,
  ConnectorActivity,
  ErasureScrubber,
  EventPublisher,
  MessageStore,
  ProfileStore,
  ReplayGuard,
  SecretStatusReader,
  SecretStore,
} from '../../ports.js';

export interface HubFrontDeps {
  readonly apiToken: string;
  readonly maxBodyBytes: number;
  readonly defaultCountry: CountryCode;
  readonly publicBaseUrl?: string | undefined;
  readonly traits: { readonly lifespanYears: number; readonly abandonedCartAfterHours: number };
  /** The console's address for caller-recognition links (`GET /v1/lookup`, Binotel); undefined leaves them out. */
  readonly consoleUrl?: () => string | undefined;
  /** Where webhooks' events go: durable (journaled) before it resolves. */
  readonly publisher: EventPublisher;
  /** The customer view, for the read/admin API. */
  readonly store: ProfileStore;
  /** Copies of events outside the store an erasure scrubs (the local archive file). */
  readonly scrubber?: ErasureScrubber | undefined;
  /** Last event per connector (`GET /v1/connectors`). */
  readonly activity: ConnectorActivity;
  /** Outbound messages and what reachability is computed with. */
  readonly messages: MessageStore;
  readonly outbound: OutboundSettings;
  /** The clock of the messages API. @default the wall clock */
  readonly now?: (() => Date) | undefined;
  /** API token, console users and their sessions. */
  readonly auth: LocalAuth;
  /** The console at `/`; omitted → no page. */
  readonly console?: ConsoleFront | undefined;
  readonly secrets: SecretStore & SecretStatusReader;
  readonly replayGuard: ReplayGuard;
  readonly subscriptionRoutes: ApiRoutes<SubscriptionRouteKey>;
  readonly queueRoutes: ApiRoutes<QueueRouteKey>;
  /** The analytics lake (told of erasures and unmerges) and the metrics engine over it. */
  readonly lake: AnalyticsSink;
  readonly analytics: MetricsApiDeps;
  /** True while the hub shuts down (writes get 503). */
  readonly draining: () => boolean;
  readonly limits?: Partial<LocalHttpLimits>;
}

export const createHubFront = (deps: HubFrontDeps): Server =>
  createLocalHttpServer({
    apiToken: deps.apiToken,
    auth: deps.auth,
    ...(deps.console ? { console: deps.console } : {}),
    maxBodyBytes: deps.maxBodyBytes,
    draining: deps.draining,
    ...(deps.limits ? { limits: deps.limits } : {}),
    handlers: {
      ingest: createIngestHandler({
        publisher: deps.publisher,
        secrets: deps.secrets,
        replayGuard: deps.replayGuard,
        defaultCountry: deps.defaultCountry,
        maxBodyBytes: deps.maxBodyBytes,
        ...(deps.publicBaseUrl ? { publicBaseUrl: deps.publicBaseUrl } : {}),
        callers: createCallerDirectory({
          store: deps.store,
          traits: deps.traits,
          ...(deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {}),
        }),
      }),
      api: createApiHandler({
        lake: deps.lake,
        analytics: deps.analytics,
        store: deps.store,
        activity: deps.activity,
        secretStatus: deps.secrets,
        publisher: deps.publisher,
        ...(deps.scrubber ? { scrubber: deps.scrubber } : {}),
        defaultCountry: deps.defaultCountry,
        traits: deps.traits,
        ...(deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {}),
        messages: deps.messages,
        outbound: deps.outbound,
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.publicBaseUrl ? { publicBaseUrl: deps.publicBaseUrl } : {}),
        subscriptionRoutes: deps.subscriptionRoutes,
        queueRoutes: deps.queueRoutes,
      }),
    },
  });

/** Listens on `port` at `host`; resolves with the port (0 → the one chosen). */
export const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });

/** Stops accepting connections and closes the open ones (keep-alive included). */
export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
