/** What the `api` function's routes need; the composition roots build it. */
import type { CountryCode } from '../../domain/identity.js';
import type { TraitOptions } from '../../domain/traits.js';
import type { OutboundSettings } from '../../outbound/settings.js';
import type {
  AnalyticsSink,
  ConnectorActivity,
  ErasureScrubber,
  EventPublisher,
  MessageStore,
  ProfileStore,
  SecretProblemLog,
  SecretStatusReader,
} from '../../ports.js';
import type { MetricsApiDeps } from './metrics.js';
import type { ApiRoutes } from './types.js';
import type { SubscriptionRouteKey } from './subscriptions.js';
import type { QueueRouteKey } from './queues.js';

export interface ApiDeps {
  readonly store: ProfileStore;
  /** Last event per connector for `GET /v1/connectors`; omitted → the field is left out. */
  readonly activity?: ConnectorActivity;
  /** Whether connector secrets are set (`GET /v1/connectors`); never their values. */
  readonly secretStatus: SecretStatusReader;
  /** Secret problems ingest saw (a value too short), where the status cannot tell (AWS). */
  readonly secretProblems?: SecretProblemLog;
  /** Publishes `customer.erased` / `customer.unmerged` so subscribers follow. */
  readonly publisher: EventPublisher;
  /** Copies of events outside the store an erasure scrubs (the local archive file); none on AWS. */
  readonly scrubber?: ErasureScrubber;
  readonly defaultCountry: CountryCode;
  /** Lifetime value and abandoned-cart settings. */
  readonly traits?: Omit<TraitOptions, 'now'>;
  readonly now?: () => Date;
  /** The console's address, for the console link of `GET /v1/lookup`; undefined leaves it out. */
  readonly consoleUrl?: () => string | undefined;
  /** Base URL shown in `GET /v1/connectors` webhook paths. */
  readonly publicBaseUrl?: string;
  /** Outbound messages (`/v1/customers/{id}/messages…`). */
  readonly messages: MessageStore;
  /** Which channels can send, quiet hours: what reachability is computed with. */
  readonly outbound: OutboundSettings;
  /** `/v1/subscriptions…`, built by the runtime from its subscription adapters (`createSubscriptionRoutes`). */
  readonly subscriptionRoutes: ApiRoutes<SubscriptionRouteKey>;
  /** `/v1/queues…`, built by the runtime from its queues (`createQueueRoutes`). */
  readonly queueRoutes: ApiRoutes<QueueRouteKey>;
  /** `GET /v1/metrics`: the runtime's engine (DuckDB locally, Athena on AWS); omitted → 503. */
  readonly analytics?: MetricsApiDeps;
  /** The analytics lake, told of erasures and unmerges (they change which customer events belong to). */
  readonly lake?: AnalyticsSink;
}
