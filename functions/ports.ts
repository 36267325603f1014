/**
 * Ports: the small interfaces the handlers depend on. Each has an AWS
 * implementation (`adapters/aws`) and a local one (`adapters/local`); the
 * DynamoDB stores are one implementation for both, pointed at DynamoDB Local
 * when running locally. Composition roots (`runtime/aws`, `runtime/local`)
 * choose the implementations; handlers see only these interfaces.
 */
import type { Channel, HubEvent, HubEventType, Identity } from './events/hub-event.js';
import type { BusEntry } from './events/envelope.js';
import type { ConnectorSecrets } from './connectors/types.js';
import type { Profile, TimelineItem } from './domain/profile.js';
import type { Notification } from './domain/store-model.js';
import type { EraseOutcome } from './domain/plan-erase.js';
import type { HeldSubject } from './domain/erasure.js';
import type { SQSRecord } from 'aws-lambda';
import type { LakeRow } from './analytics/lake-schema.js';
import type { SqlParams } from './analytics/dialect.js';
import type { MetricName, MetricRow } from './analytics/metrics.js';
import type { MessageRequested } from './events/message-events.js';
import type { MessageRecord } from './outbound/message.js';
import type { CallerCard } from './domain/caller.js';
import type { StoredCard } from './domain/caller-card.js';

/** Publishes to the bus. Resolves only when every entry was accepted. */
export interface EventPublisher {
  publish(events: readonly HubEvent[]): Promise<void>;
  /** Entries that are not touchpoints: hydration requests, `customer.merged`, … */
  putEntries(entries: readonly BusEntry[]): Promise<void>;
}

/**
 * What a second request carrying a one-time value gets told. `first`: the
 * caller holds the value now and must `commit` it once the request is
 * acknowledged, or `release` it if the request fails before that (so the
 * vendor's genuine retry, carrying the same value, is not refused).
 */
export type ReplayClaim =
  | {
      readonly status: 'first';
      /** Marks the value used until `expiresAt` (when the vendor's signature would no longer be accepted). */
      commit(expiresAt: Date): Promise<void>;
      /** Gives the value back; only the holder's own claim is removed. */
      release(): Promise<void>;
    }
  /** `used`: a request with this value was acknowledged; `in-flight`: one is being processed now. */
  | { readonly status: 'used' | 'in-flight' };

/**
 * Remembers one-time request values (a vendor's signed nonce or token) for
 * as long as their signature stays valid, so a captured request can be used
 * once. Any connector with such a value opts in through
 * `Connector.replay`. A claim is a lease: if the holder dies before
 * committing or releasing, the value is free again after `leaseSeconds`.
 */
export interface ReplayGuard {
  claim(key: string, opts: { readonly leaseSeconds: number }): Promise<ReplayClaim>;
}

/** Connector secrets (Secrets Manager on AWS, env locally). Missing → `{}`. */
export interface SecretStore {
  get(connector: string): Promise<ConnectorSecrets>;
}

/** Whether a connector's secrets are set, as far as metadata can tell; never a value. */
export interface SecretStatus {
  /** An operator has set a value. On AWS: the secret holds a version besides the placeholder the stack created. */
  readonly configured: boolean;
  /**
   * Per key of the connector's secret, where the store can tell without
   * handing a value out (the local environment). Absent on AWS: only the
   * functions that verify or call vendors may read a value.
   */
  readonly keys?: Readonly<Record<string, boolean>>;
  /** When the current value was set (ISO 8601), where the store knows. */
  readonly updatedAt?: string;
  /**
   * Why the connector cannot be used though its secrets are set (a value too
   * short), where the store sees values (the local environment); on AWS
   * ingest reports these through `SecretProblemLog`.
   */
  readonly problems?: readonly string[];
}

/**
 * What `GET /v1/connectors` may know about connector secrets: their status,
 * never their values, so the `api` function holds no permission to read a
 * signing secret (Secrets Manager `ListSecretVersionIds` on AWS).
 */
export interface SecretStatusReader {
  status(connector: string): Promise<SecretStatus>;
}

/** What ingest found wrong with a connector's secrets when a request came in, and when. */
export interface SecretProblems {
  /** One line per problem, naming the secret and never its value (`"secret" (locally …) holds 11 bytes; …`). */
  readonly problems: readonly string[];
  /** ISO 8601. */
  readonly at: string;
}

/**
 * Secret problems only a function that reads the values can see — a secret
 * set too short — recorded by ingest for
 * `GET /v1/connectors`, whose function may read metadata only.
 */
export interface SecretProblemLog {
  report(connector: string, problems: readonly string[], at: Date): Promise<void>;
  latest(connector: string): Promise<SecretProblems | undefined>;
}

export interface ApplyOutcome {
  /** `ignored`: the event is not applied, by rule (see `reason`): nothing was written. */
  readonly status: 'applied' | 'duplicate' | 'ignored';
  /** The profile the event is in; absent when ignored. */
  readonly customerId?: string;
  readonly reason?: string;
  /**
   * Notifications this write put in the outbox (`customer.merged`), or that a
   * crash kept from being published: publish them, then `markNotified`.
   */
  readonly notifications: readonly Notification[];
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
  /** `customer.unmerged`, in the outbox until `markNotified`. */
  readonly notifications: readonly Notification[];
}

export interface EraseResult extends EraseOutcome {
  /** `customer.erased`, in the outbox until `markNotified`. */
  readonly notifications: readonly Notification[];
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
  /** Removes published notifications from the outbox. */
  markNotified(notifications: readonly Notification[]): Promise<void>;
  /** Outbox entries made before `before` and not yet marked (left behind by a crash or a failed publish), oldest first. */
  pendingNotifications(options: { before: Date; limit: number }): Promise<Notification[]>;
  /** Follows merges: a merged-away id returns the survivor. */
  getProfile(customerId: string): Promise<Profile | undefined>;
  findByIdentity(identity: Pick<Identity, 'type' | 'value'>): Promise<Profile | undefined>;
  /** The caller card kept under a phone number (E.164): one strongly consistent key read; undefined when none. */
  findCallerCard(phone: string): Promise<StoredCard | undefined>;
  /** Newest first across merged profiles; throws NotFoundError for an unknown customer. */
  getTimeline(customerId: string, query: TimelineQuery): Promise<TimelinePage>;
  exportCustomer(customerId: string): Promise<CustomerExport | undefined>;
  /**
   * Erases the customer (idempotent: erasing an erased customer finishes what
   * is left and hands back a notification still in the outbox); undefined
   * when the id was never a customer.
   */
  eraseCustomer(customerId: string): Promise<EraseResult | undefined>;
  unmerge(customerId: string, identityKeys: readonly string[]): Promise<UnmergeResult>;
}

/**
 * Caller recognition for telephony connectors that wait for an answer while
 * the phone rings (Binotel `apiCallSettings`): the caller's card, or
 * undefined for an unknown number. One key read of the caller card
 * (`ProfileStore.findCallerCard`).
 */
export interface CallerDirectory {
  /** `phone` is E.164 (normalized by the caller). */
  lookup(phone: string): Promise<CallerCard | undefined>;
}

/** Where an event stands in the customer view, for a subscriber delivery that carries the customer. */
export type AppliedCustomer =
  /** Applied: the profile it is in now (the survivor of any merge since); `profile` absent when erased. */
  | { readonly kind: 'applied'; readonly customerId: string; readonly profile?: Profile }
  /** Not applied yet (the profile writer has it in hand, or retries it). */
  | { readonly kind: 'pending' }
  /** The hub keeps no profile for it: a receipt for someone it never knew, or no touchpoint at all. */
  | { readonly kind: 'none' };

/** Finds the customer of a bus event (`detail`) once the profile writer applied it; reads only. */
export interface CustomerResolver {
  resolve(detail: unknown): Promise<AppliedCustomer>;
}

/**
 * The erasure holds (`domain/erasure.ts`): every consumer that could bring an
 * erased person back — the dispatcher, replays — asks before it acts.
 */
export interface ErasureRegistry {
  /** True when the event is an erased person's: its id is held, or it carries a held identity and happened before that erasure. */
  isErased(event: HeldSubject): Promise<boolean>;
}

/** Copies of events outside the store (the local archive file) that an erasure must scrub. */
export interface ErasureScrubber {
  /** Removes the erased person's events; returns how many went. */
  scrub(erased: Pick<EraseOutcome, 'subject' | 'erasedAt' | 'alreadyErased'>): Promise<number>;
}

// ---------------------------------------------------------------- connector activity

/** The newest event a connector delivered, for the console's connectors page. */
export interface ConnectorLastEvent {
  readonly connector: string;
  /** When the hub received it (wall clock of the webhook). */
  readonly receivedAt: string;
  /** When it happened at the vendor. */
  readonly occurredAt: string;
  readonly type: HubEventType;
}

/**
 * "Did my webhook set-up work?": the last event per connector, kept in a
 * handful of small items (one per connector), never computed by scanning.
 */
export interface ConnectorActivity {
  /**
   * Notes an applied event. Implementations coalesce (at most one write per
   * connector per interval), so calling it for every event stays cheap.
   */
  record(event: Pick<HubEvent, 'connector' | 'type' | 'receivedAt' | 'occurredAt'>): Promise<void>;
  /** Every connector that has delivered anything, by name. */
  lastEvents(): Promise<Record<string, ConnectorLastEvent>>;
}

// ---------------------------------------------------------------- subscriptions

/** Per-subscription secrets: the webhook signing secret (`whsec_…`) or an API destination credential. */
export interface SubscriptionSecretStore {
  /** Undefined when the subscription has no secret (the dispatcher then fails the attempt, closed). */
  get(subscription: string): Promise<string | undefined>;
}

/** What the dispatcher may do with the message it is processing, beyond failing it. */
export interface DeliveryQueueControl {
  /**
   * Makes the record visible again after `delayMs` (SQS
   * `ChangeMessageVisibility`); the dispatcher then reports it as failed.
   */
  retryLater(record: SQSRecord, delayMs: number): Promise<void>;
  /** Puts the record into the subscription's DLQ; the dispatcher then acknowledges it. */
  deadLetter(record: SQSRecord, reason: string): Promise<void>;
}

/** One attempt (or, for a target the local runtime does not deliver, one match). */
export interface DeliveryAttempt {
  readonly subscription: string;
  /** The hub event id (`evt_…`), or the envelope id for non-hub entries. */
  readonly eventId: string;
  readonly attempt: number;
  /** ISO time the attempt started. */
  readonly time: string;
  /** `suppressed`: not delivered, because the event was an erased customer's (erasure holds). */
  readonly outcome: 'delivered' | 'retrying' | 'dead-lettered' | 'matched' | 'suppressed';
  readonly statusCode?: number;
  readonly latencyMs?: number;
  readonly error?: string;
  /** For `retrying`: when the next attempt is due. */
  readonly nextAttemptAt?: string;
  /** Set on deliveries of a replay (`replay-name` of the envelope). */
  readonly replayName?: string;
}

export interface DeliveryStats {
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly deadLettered: number;
  /** Events matched by a target the local runtime only records (sqs, lambda, eventBus). */
  readonly matched: number;
  /** Events not delivered because they were an erased customer's. */
  readonly suppressed: number;
  readonly lastAttemptAt?: string;
  readonly lastDeliveredAt?: string;
  readonly lastStatusCode?: number;
  readonly lastError?: string;
}

export interface DeliveryPage {
  /** Newest first. */
  readonly items: DeliveryAttempt[];
  readonly nextCursor?: string;
}

/** Recent attempts per subscription (kept 14 days) and running counters. */
export interface DeliveryLog {
  record(attempt: DeliveryAttempt): Promise<void>;
  recent(subscription: string, opts: { limit: number; cursor?: string }): Promise<DeliveryPage>;
  stats(subscription: string): Promise<DeliveryStats>;
}

/** Messages in a subscription's queue and DLQ. */
export interface QueueDepth {
  /** Waiting or scheduled for a retry (webhook subscriptions). */
  readonly pending?: number;
  readonly inFlight?: number;
  readonly deadLettered: number;
}

export type RedriveResult =
  /** Local: how many messages went back to the queue. */
  | { readonly moved: number }
  /** AWS: the SQS message move task (asynchronous). */
  | { readonly taskHandle: string; readonly approximateMessages?: number };

export interface ReplayResult {
  readonly replayName: string;
  /** AWS: `STARTING`; locally the replay is done when the call returns (`COMPLETED`). */
  readonly state: string;
  /** Local: archived events in the window that matched and were queued. */
  readonly replayed?: number;
}

/** Operations on a subscription's infrastructure: SQS and EventBridge on AWS, the local queues and archive locally. */
export interface SubscriptionOperations {
  queueDepth(subscription: string): Promise<QueueDepth | undefined>;
  /** Moves the DLQ's messages back to the subscription's queue. */
  redrive(subscription: string): Promise<RedriveResult>;
  /** Re-delivers archived events with `from <= time < to` to this subscription only. */
  replay(subscription: string, window: { from: Date; to: Date }): Promise<ReplayResult>;
}

// ---------------------------------------------------------------- hub queues

/** One queue the hub owns (a rule's queue, a subscription's) with its dead letters. */
export interface QueueSummary {
  /** `profile-writer`, `hydrator`, `sub-<subscription>`: the AWS queue name without `omnihub-<stage>-`. */
  readonly name: string;
  readonly kind: 'hub' | 'subscription';
  /** Waiting, or scheduled for a retry. */
  readonly pending?: number;
  readonly inFlight?: number;
  /** In the dead-letter queue(s): failed `maxReceiveCount` times, or could not be delivered into the queue. */
  readonly deadLettered: number;
  /** Locally: waiting for the store to come back. */
  readonly paused?: boolean;
}

/** A dead letter as an operator may see it: ids and why, never the body (it holds personal data). */
export interface DeadLetterInfo {
  readonly messageId: string;
  /** Hub event id (`evt_…`) or the envelope id of other entries. */
  readonly eventId?: string;
  readonly detailType?: string;
  readonly source?: string;
  readonly receiveCount: number;
  readonly deadLetteredAt?: string;
  /** Error name or what decided it (`maxReceiveCount`, `dispatcher`). */
  readonly reason?: string;
}

/** An SQS message move task (a redrive) and its progress. */
export interface MoveTaskInfo {
  /** The dead-letter queue moved from. */
  readonly source: string;
  readonly status?: string;
  readonly taskHandle?: string;
  readonly approximateMessagesMoved?: number;
  readonly approximateMessagesToMove?: number;
  readonly startedAt?: string;
  readonly failureReason?: string;
}

export interface QueueDetail extends QueueSummary {
  /** Locally: the dead letters, newest first (at most 100). */
  readonly deadLetters?: DeadLetterInfo[];
  /** On AWS: recent redrives of its dead-letter queues. */
  readonly moveTasks?: MoveTaskInfo[];
}

export type QueueRedriveResult =
  /** Local: messages moved back (delivered again right away). */
  | { readonly queue: string; readonly moved: number }
  /** AWS: one message move task per non-empty dead-letter queue (asynchronous; follow with describe). */
  | { readonly queue: string; readonly tasks: MoveTaskInfo[] };

/** Every queue the hub owns: SQS on AWS, the journaled local queues locally. */
export interface HubQueueOperations {
  list(): Promise<QueueSummary[]>;
  /** Throws NotFoundError for a queue the hub does not own. */
  describe(name: string): Promise<QueueDetail>;
  /** Moves the queue's dead letters back into it. Throws NotFoundError for an unknown queue. */
  redrive(name: string): Promise<QueueRedriveResult>;
}

// ---------------------------------------------------------------- analytics

/**
 * Where lake rows go: the hub events the store applied (with the customer it
 * applied them to) and the merge, unmerge and erasure facts. Firehose on
 * AWS, the local lake (DuckDB + Parquet) locally. Resolves once the rows are
 * durable; at-least-once (the metrics count distinct ids).
 */
export interface AnalyticsSink {
  record(rows: readonly LakeRow[]): Promise<void>;
}

/** Runs one metric's SQL (`analytics/<metric>.sql`) with its parameters: DuckDB locally, Athena on AWS. */
export interface MetricsEngine {
  run(metric: MetricName, params: SqlParams): Promise<MetricRow[]>;
}

/**
 * The lake's files, for the compaction job that rewrites partitions on AWS
 * (S3). Keys are relative to the lake bucket.
 */
export interface LakeObjects {
  /** Every key under `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** Copies one object within the bucket. */
  copy(from: string, to: string): Promise<void>;
  /** Deletes the keys (absent ones are not an error). */
  delete(keys: readonly string[]): Promise<void>;
}

// ---------------------------------------------------------------- outbound email (SES)

/** One plain-text email, as the `ses` sender hands it to the transport. */
export interface OutboundEmail {
  /** `Name <address>` or an address on a verified SES identity. */
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** SES message tags: the hub's message id travels with the email into SES events. */
  readonly tags?: readonly { readonly name: string; readonly value: string }[];
  readonly configurationSetName?: string;
}

/** SES's answer: the `MessageId`, or the exception's name (`MessageRejected`, …) and HTTP status. */
export type EmailSendResult =
  | { readonly ok: true; readonly messageId: string }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly httpStatus?: number };

/**
 * Email through Amazon SES v2 `SendEmail`. The AWS SDK lives in the adapter
 * (`adapters/aws/sesv2-email-transport.ts`); connectors see only this.
 * Never throws: every failure, network ones included, is a result.
 */
export interface EmailTransport {
  sendEmail(email: OutboundEmail): Promise<EmailSendResult>;
}

// ---------------------------------------------------------------- outbound messages

/**
 * Outbound messages (the messages API, the sender, receipts). Records live
 * in their customer's partition, so erasing the customer erases them;
 * writes are optimistic on `version`.
 */
export interface MessageStore {
  /**
   * Writes a new message and its idempotency key together. When the key
   * exists already nothing is written and the message it names comes back
   * (`created: false`), however many callers race.
   */
  create(record: MessageRecord, idempotencyKey: string): Promise<{ record: MessageRecord; created: boolean }>;
  get(customerId: string, messageId: string): Promise<MessageRecord | undefined>;
  findByIdempotencyKey(idempotencyKey: string): Promise<MessageRecord | undefined>;
  /**
   * Writes `next` when the stored version is `next.version - 1` (`conflict`
   * otherwise; `missing` when the record is gone, e.g. erased). With
   * `linkVendor`, `connector` + `vendorMessageId` are indexed in the same
   * write, for receipts.
   */
  update(next: MessageRecord, opts?: { linkVendor?: boolean }): Promise<'ok' | 'conflict' | 'missing'>;
  /** The message a receipt names, by the sending connector and the vendor's id. */
  findByVendorId(connector: string, vendorMessageId: string): Promise<MessageRecord | undefined>;
  /** A customer partition's messages, newest first. */
  listForCustomer(customerId: string, limit: number): Promise<MessageRecord[]>;
}

/**
 * Makes a message's `message.requested` come back to the sender at `at`
 * (quiet hours, a retry's backoff): SQS delay up to 15 minutes and
 * EventBridge Scheduler beyond on AWS, a journaled timer locally.
 */
export interface MessageScheduler {
  schedule(request: MessageRequested, at: Date): Promise<void>;
}

// ---------------------------------------------------------------- timers

/** One named wake-up: `entry` (ids only, never personal data) comes back to the timer's queue at `at`. */
export interface TimerSpec {
  /** Unique per condition (`cart-<customerId>`); setting a name again supersedes the earlier timer. */
  readonly name: string;
  readonly at: Date;
  readonly entry: BusEntry;
}

/**
 * Named one-time timers: EventBridge Scheduler one-time schedules on AWS
 * (an SQS delay for the nearest ones), a journaled timer locally, which
 * survives a restart. The outbound deferrals (`MessageScheduler`) and the
 * hub's time-based events and automation waits share this one mechanism.
 * Delivery is at least once: what a timer brings back is re-checked when it
 * fires, so a cancel that lost a race, or a timer fired twice, is harmless.
 */
export interface Timers {
  /** Sets the timer, or moves it when one of that name is pending (idempotent). */
  set(timer: TimerSpec): Promise<void>;
  /**
   * Sets the timer only when none of that name is pending (a pending one is
   * left as it is); true when it was set. For timers that re-check and re-arm
   * themselves when they fire, so an event need not rewrite them each time.
   */
  ensure(timer: TimerSpec): Promise<boolean>;
  /**
   * Cancels it; nothing happens when no timer of that name is pending. True
   * when a pending timer was cancelled (false also for one sent as an SQS
   * delay on AWS, which cannot be taken back: the re-check on firing stops it).
   */
  cancel(name: string): Promise<boolean>;
}
