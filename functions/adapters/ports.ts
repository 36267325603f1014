/**
 * Ports: the small interfaces the handlers depend on. Each has an AWS
 * implementation (`adapters/aws`) and a local one (`adapters/local`); the
 * DynamoDB store is one implementation for both, pointed at DynamoDB Local
 * when running locally.
 */
import type { HubEvent, Identity } from '../events/hub-event.js';
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

export type ApplyOutcome =
  | { readonly status: 'applied'; readonly customerId: string }
  | { readonly status: 'duplicate'; readonly customerId?: string };

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
  getProfile(customerId: string): Promise<Profile | undefined>;
  findByIdentity(identity: Pick<Identity, 'type' | 'value'>): Promise<Profile | undefined>;
  getTimeline(customerId: string, opts: { limit: number; cursor?: string }): Promise<TimelinePage>;
}
