/**
 * The local hub's HTTP front: the `ingest` and `api` handlers behind the
 * local server, wired the same way whether the front runs in the main thread
 * (tests) or in its own worker thread (`npm start`, see front-thread.ts).
 */
import type { Server } from 'node:http';
import type { LocalHttpLimits } from '../../adapters/local/http-server.js';
import { createLocalHttpServer } from '../../adapters/local/http-server.js';
import type { CountryCode } from '../../domain/identity.js';
import { createApiHandler } from '../../handlers/api/index.js';
import type { QueueRouteKey } from '../../handlers/api/queues.js';
import type { SubscriptionRouteKey } from '../../handlers/api/subscriptions.js';
import type { ApiRoutes } from '../../handlers/api/types.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import type { EventPublisher, ProfileStore, ReplayGuard, SecretStatusReader, SecretStore } from '../../ports.js';

export interface HubFrontDeps {
  readonly apiToken: string;
  readonly maxBodyBytes: number;
  readonly defaultCountry: CountryCode;
  readonly publicBaseUrl?: string | undefined;
  readonly traits: { readonly lifespanYears: number; readonly abandonedCartAfterHours: number };
  /** Where webhooks' events go: durable (journaled) before it resolves. */
  readonly publisher: EventPublisher;
  /** The customer view, for the read/admin API. */
  readonly store: ProfileStore;
  readonly secrets: SecretStore & SecretStatusReader;
  readonly replayGuard: ReplayGuard;
  readonly subscriptionRoutes: ApiRoutes<SubscriptionRouteKey>;
  readonly queueRoutes: ApiRoutes<QueueRouteKey>;
  /** True while the hub shuts down (writes get 503). */
  readonly draining: () => boolean;
  readonly limits?: Partial<LocalHttpLimits>;
}

export const createHubFront = (deps: HubFrontDeps): Server =>
  createLocalHttpServer({
    apiToken: deps.apiToken,
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
      }),
      api: createApiHandler({
        store: deps.store,
        secretStatus: deps.secrets,
        publisher: deps.publisher,
        defaultCountry: deps.defaultCountry,
        traits: deps.traits,
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
