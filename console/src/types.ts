/**
 * The shapes the console reads from the hub API (`functions/domain/traits.ts`
 * `toProfileView`, the timeline page, `GET /v1/connectors`), written as the
 * page uses them. Only what is rendered is declared.
 */
import type { Money } from './format.js';

export type Role = 'viewer' | 'agent' | 'admin';
export type Access = 'read' | 'send' | 'admin';

export interface Identity {
  readonly type: string;
  readonly value: string;
  readonly source?: string;
}

export interface ChannelStats {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
}

export interface Consent {
  readonly status: 'granted' | 'revoked';
  readonly at: string;
  readonly source: string;
  readonly reason?: string;
}

export interface Profile {
  readonly customerId: string;
  readonly identities: Identity[];
  readonly traits: Record<string, string | number | boolean | null>;
  readonly computed: {
    readonly netRevenue?: Money;
    readonly averageOrderValue?: Money;
    readonly purchaseFrequency?: number;
    readonly lifetimeValue?: Money;
    readonly preferredChannel?: string;
    readonly abandonedCart: boolean;
  };
  readonly channels: Record<string, ChannelStats>;
  readonly lastChannel?: string;
  readonly lastInteractionAt?: string;
  readonly consent: Record<string, Consent>;
  readonly orders: { readonly count: number; readonly revenue: Record<string, number>; readonly lastAt?: string };
  readonly promoCodes: string[];
  readonly lastCartAt?: string;
  readonly firstSeenAt: string;
  readonly eventCount: number;
  readonly mergedIds?: string[];
  readonly warnings?: string[];
}

export interface TimelineItem {
  readonly eventId: string;
  readonly type: string;
  readonly channel: string;
  readonly connector: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly summary: string;
  readonly data: Record<string, unknown>;
}

export interface TimelinePage {
  readonly items: TimelineItem[];
  readonly nextCursor?: string;
}

export interface SearchMatch {
  readonly customerId: string;
  readonly matchedBy: string;
  readonly name?: string;
  readonly channels: string[];
  readonly lastInteractionAt?: string;
}

export interface ConversationMessage {
  readonly at: string;
  readonly channel: string;
  readonly direction: 'inbound' | 'outbound';
  readonly text: string;
  readonly eventId: string;
}

export interface Connector {
  readonly name: string;
  readonly displayName: string;
  readonly channel: string;
  readonly webhookPath: string;
  readonly webhookUrl?: string;
  readonly docsUrl: string;
  readonly configured: boolean;
  readonly secrets: { name: string; env: string; required: boolean; configured: boolean }[];
  readonly lastEvent?: { receivedAt: string; occurredAt: string; type: string };
}

/**
 * One channel of the reachability plan (
 * `GET /v1/customers/{id}/reachability?purpose=` → `channels[]`): allowed or
 * refused, and why — as sentences (`message`) and as codes (`reasons`).
 */
export interface ReachabilityChannel {
  readonly channel: string;
  readonly allowed: boolean;
  /** `text`, `template` (WhatsApp outside the window) or `tagged` (Messenger/Instagram). */
  readonly mode?: string;
  /** Why, for people: the API's sentences, else its reason codes. */
  readonly reasons: string[];
}

export interface Reachability {
  /** `reachable`, `template_required` or `no_reachable_channel`. */
  readonly outcome: string;
  /** The channel the hub would use now; undefined when none is allowed. */
  readonly channel?: string;
  readonly plan: ReachabilityChannel[];
}
