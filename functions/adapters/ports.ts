/**
 * Ports: the small interfaces the handlers depend on. Each has an AWS
 * implementation (`adapters/aws`) and a local one (`adapters/local`); the
 * DynamoDB store is one implementation for both, pointed at DynamoDB Local
 * when running locally.
 */
import type { Channel, HubEvent, HubEventType, Identity } from '../events/hub-event.js';
import type { BusEntry } from '../events/envelope.js';
import type { ConnectorSecrets } from '../connectors/types.js';
import type { Profile, TimelineItem } from '../domain/profile.js';

/** Publishes to the bus. Resolves only when every entry was accepted. */
export interface EventPublisher {
  publish(events: readonly HubEvent[]): Promise<void>;
  /** Entries that are not touchpoints: hydration requests, `customer.merged`, … */
  putEntries(entries: readonly BusEntry[]): Promise<void>;
}

/** Connector secrets (Secrets Manager on AWS, env locally). Missing → `{}`. */
export interface SecretStore {
  get(connector: string): Promise<ConnectorSecrets>;
}

export interface ApplyOutcome {
  readonly status: 'applied' | 'duplicate';
  readonly customerId: string;
  /**
   * Bus entries to publish because of this write (`customer.merged`), kept in
   * the event's dedupe record until `markNotified` — an outbox, so a crash
   * between the write and the publish loses nothing.
   */
  readonly notifications: BusEntry[];
}

export interface TimelineQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly channels?: readonly Channel[];
  readonly types?: readonly HubEventType[];
}

export interface CustomerExport {
  readonly exportedAt: string;
  readonly profile: Profile;
  readonly timeline: TimelineItem[];
  readonly identityLog: Record<string, unknown>[];
}

export interface UnmergeResult {
  readonly customer: Profile;
  readonly split: Profile;
  readonly notifications: BusEntry[];
}

export interface TimelinePage {
  readonly items: TimelineItem[];
  /** Opaque; pass back as `cursor` for the next (older) page. */
  readonly nextCursor?: string;
}

/** The single customer view. */
export interface ProfileStore {
  /**
   * Applies one event to the profile its identities resolve to, exactly once:
   * a second call with the same event id changes nothing.
   */
  applyEvent(event: HubEvent): Promise<ApplyOutcome>;
  markNotified(eventId: string): Promise<void>;
  /** Follows merges: a merged-away id returns the survivor. */
  getProfile(customerId: string): Promise<Profile | undefined>;
  findByIdentity(identity: Pick<Identity, 'type' | 'value'>): Promise<Profile | undefined>;
  /** Newest first across merged profiles; throws NotFoundError for an unknown customer. */
  getTimeline(customerId: string, query: TimelineQuery): Promise<TimelinePage>;
  exportCustomer(customerId: string): Promise<CustomerExport | undefined>;
  eraseCustomer(customerId: string): Promise<{ customerId: string; deletedItems: number; notifications: BusEntry[] } | undefined>;
  unmerge(customerId: string, identityKeys: readonly string[]): Promise<UnmergeResult>;
}
