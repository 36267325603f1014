/** The vocabulary of reachability: purposes, channels, modes and the reason codes of a plan. */

/** Why the business writes: decides consent, windows and quiet hours. */
export const PURPOSES = ['service', 'transactional', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Channels the hub can send on, in the order of the last resorts. */
export const OUTBOUND_CHANNELS = ['whatsapp', 'telegram', 'viber', 'messenger', 'instagram', 'sms', 'email'] as const;
export type OutboundChannel = (typeof OUTBOUND_CHANNELS)[number];

/** Messenger-app channels, ranked among themselves by her last inbound message. */
export const MESSENGER_APPS: readonly OutboundChannel[] = ['whatsapp', 'telegram', 'viber', 'messenger', 'instagram'];

/**
 * Meta message tags that let Messenger and Instagram send outside the
 * standard 24 h window; none may carry promotional content. Instagram
 * supports only `HUMAN_AGENT`.
 */
export const MESSAGE_TAGS = [
  'HUMAN_AGENT',
  'ACCOUNT_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
] as const;
export type MessageTag = (typeof MESSAGE_TAGS)[number];

/** How a channel would carry the message. */
export type SendMode =
  /** Free-form text. */
  | 'text'
  /** An approved template (WhatsApp outside the 24 h window, WhatsApp marketing). */
  | 'template'
  /** Free-form text with a message tag (Messenger/Instagram outside the 24 h window). */
  | 'tagged';

/** Why a channel sits where it does in the order. */
export const POSITION_REASONS = [
  'contact_channel',
  'stated_preference',
  'preferred_channel',
  'recent_inbound',
  'messaging_channel',
  'sms_fallback',
  'email_fallback',
] as const;
export type PositionReason = (typeof POSITION_REASONS)[number];

/** Why a channel is allowed, deferred or refused. */
export const DECISION_REASONS = [
  // allowed
  'within_window',
  'template_outside_window',
  'marketing_template',
  'message_tag',
  'no_window',
  'subscribed',
  // deferred (still allowed)
  'quiet_hours',
  // refused
  'not_requested',
  'already_tried',
  'not_configured',
  'no_address',
  'consent_revoked',
  'marked_unreachable',
  'never_wrote',
  'not_subscribed',
  'window_closed',
  'template_required',
  'message_tag_required',
  'message_tag_not_allowed',
  'text_required',
  'text_too_long',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export type ReasonCode = PositionReason | DecisionReason;

/** One channel of a plan. */
export interface ChannelVerdict {
  readonly channel: OutboundChannel;
  readonly allowed: boolean;
  /** How it would be sent, when allowed. */
  readonly mode?: SendMode;
  /** The tag a `tagged` send carries. */
  readonly messageTag?: MessageTag;
  /** Machine-readable: the position reason first, then the decision's. */
  readonly reasons: readonly ReasonCode[];
  /** The same, as a sentence for a person. */
  readonly message: string;
  /** Marketing in quiet hours: the earliest time it may go out. */
  readonly notBefore?: string;
  /** Her last message on this channel, when she wrote on it. */
  readonly lastInboundAt?: string;
}

/** The overall answer of a plan. */
export type PlanOutcome =
  /** At least one channel is allowed. */
  | 'reachable'
  /** None is, and at least one would be with a template (HTTP 422 `template_required`). */
  | 'template_required'
  /** None is (HTTP 409 `no_reachable_channel`). */
  | 'no_reachable_channel';

/** The ordered channel plan: what the hub would do now, and why. */
export interface ReachPlan {
  readonly purpose: Purpose;
  readonly evaluatedAt: string;
  readonly outcome: PlanOutcome;
  /** The first allowed channel. */
  readonly chosen?: OutboundChannel;
  /** When the chosen channel may be used (marketing in quiet hours). */
  readonly notBefore?: string;
  /** The zone quiet hours were evaluated in, and where it came from. */
  readonly timeZone: { readonly zone: string; readonly source: string };
  readonly channels: readonly ChannelVerdict[];
}

/** How the hub measures a channel's text limit. */
export interface TextLimit {
  readonly max: number;
  /** UTF-16 code units (what most APIs call characters) or UTF-8 bytes (Instagram). */
  readonly unit: 'characters' | 'bytes';
}
