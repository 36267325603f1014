/**
 * Event rules of the hub: one table read by the CDK stack (EventBridge rules)
 * and by the local bus (the same patterns, matched locally), so production and
 * `npm start` cannot route differently.
 */
import { HUB_EVENT_TYPES, HUB_SOURCE, SOURCE_PREFIX } from './hub-event.js';
import { MESSAGE_REQUESTED } from './message-events.js';

/** An EventBridge event pattern (see the pattern matcher for the supported operators). */
export type EventPattern = { readonly [field: string]: unknown };

export interface HubRule {
  /** Kebab-case id: rule name suffix, queue name suffix, local consumer name. */
  readonly name: string;
  readonly description: string;
  readonly pattern: EventPattern;
  /** The function that consumes the rule's queue. */
  readonly consumer: 'profile-writer' | 'hydrator' | 'sender' | 'message-status';
}

/** Every touchpoint from every connector goes into the single customer view. */
export const PROFILE_WRITER_RULE: HubRule = {
  name: 'profile-writer',
  description: 'All connector touchpoints into the single customer view',
  pattern: {
    source: [{ prefix: SOURCE_PREFIX }],
    'detail-type': [...HUB_EVENT_TYPES],
  },
  consumer: 'profile-writer',
};

/** DetailType of a thin webhook's fetch request (see `HydrationRequest`). */
export const HYDRATION_DETAIL_TYPE = 'hydration.requested';

/** Thin webhooks (only an object id) are completed from the vendor's API after the acknowledgement. */
export const HYDRATOR_RULE: HubRule = {
  name: 'hydrator',
  description: 'Fetch details of thin webhooks from the vendor API, then publish the complete events',
  pattern: {
    source: [{ prefix: SOURCE_PREFIX }],
    'detail-type': [HYDRATION_DETAIL_TYPE],
  },
  consumer: 'hydrator',
};

/** Outbound messages the messages API accepted (ids only) go to the sender. */
export const SENDER_RULE: HubRule = {
  name: 'sender',
  description: 'Outbound messages to send through the vendor APIs',
  pattern: { source: [HUB_SOURCE], 'detail-type': [MESSAGE_REQUESTED] },
  consumer: 'sender',
};

/**
 * Delivery receipts of outbound messages from the inbound webhooks (vendor
 * statuses); the hub's own `message.sent`/`message.failed` carry
 * `hubMessageId` and are not receipts.
 */
export const MESSAGE_STATUS_RULE: HubRule = {
  name: 'message-status',
  description: 'Delivery and read receipts into the status of the outbound message they name',
  pattern: {
    source: [{ prefix: SOURCE_PREFIX }],
    'detail-type': ['message.sent', 'message.delivered', 'message.read', 'message.failed'],
    detail: { data: { direction: ['outbound'], hubMessageId: [{ exists: false }] } },
  },
  consumer: 'message-status',
};

export const HUB_RULES: readonly HubRule[] = [PROFILE_WRITER_RULE, HYDRATOR_RULE, SENDER_RULE, MESSAGE_STATUS_RULE];

/** Pattern of the bus archive: every event the hub publishes. */
export const ARCHIVE_PATTERN: EventPattern = { source: [{ prefix: SOURCE_PREFIX }] };

/**
 * Names of a rule's queues on AWS: `omnihub-<stage>-<rule>`, its consumer's
 * dead-letter queue (`-dlq`) and the rule target's (`-delivery-dlq`, what
 * EventBridge could not put into the queue). `RuleQueue` creates them; the
 * queue operations (`/v1/queues`, `omnihub dlq`) find them by these names.
 */
export const RULE_DEAD_LETTER_SUFFIXES = ['-dlq', '-delivery-dlq'] as const;
