/**
 * The reachability rules: which channels may carry a message to this
 * customer now, in which order, and why. Pure and deterministic given the
 * profile, the request and the clock, so the API's dry run, the 202 of a
 * send and the sender's re-check right before the vendor call all agree.
 *
 * Order: the channel she stated she prefers → the computed preferred one
 * (where she writes most) → the other messenger apps by her last inbound
 * message → SMS → email. Each channel is then allowed or refused by consent,
 * the vendor's own rules (windows, opt-in, templates, tags), what was marked
 * unreachable, and the content; marketing in quiet hours is deferred.
 */
import type { CountryCode } from 'libphonenumber-js/min';
import { MESSAGING_CHANNELS, type Channel } from '../../events/hub-event.js';
import type { Profile } from '../profile.js';
import { addressFor } from './addresses.js';
import { customerTimeZone, quietHoursEnd, type QuietHours } from './quiet-hours.js';
import {
  MESSENGER_APPS,
  OUTBOUND_CHANNELS,
  type ChannelVerdict,
  type DecisionReason,
  type MessageTag,
  type OutboundChannel,
  type PositionReason,
  type Purpose,
  type ReachPlan,
  type SendMode,
  type TextLimit,
} from './types.js';

const HOUR_MS = 3_600_000;
/** WhatsApp's customer service window and Meta's standard messaging window. */
const STANDARD_WINDOW_MS = 24 * HOUR_MS;
/** How long after her last message a Messenger/Instagram `HUMAN_AGENT` reply may go out. */
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/** What is to be sent; `content` is omitted for a dry run ("what would each channel allow?"). */
export interface ReachRequest {
  readonly purpose: Purpose;
  readonly content?: {
    readonly text?: string;
    /** A template was given (name and language). */
    readonly template?: boolean;
    readonly messageTag?: MessageTag;
  };
  /** Only this channel may be used (still subject to every rule). */
  readonly channel?: OutboundChannel;
  /**
   * Tried first, then the usual order (still subject to every rule): the
   * channel her contact was given in (a quiz lead's WhatsApp number).
   */
  readonly prefer?: OutboundChannel;
  /** Channels this message already failed on (the fallback moves past them). */
  readonly exclude?: readonly OutboundChannel[];
}

export interface ReachOptions {
  readonly now: Date;
  readonly defaultCountry: CountryCode;
  /** Channels with a configured sender. @default every outbound channel */
  readonly enabledChannels?: readonly OutboundChannel[];
  /** @default none (no deferral) */
  readonly quietHours?: QuietHours;
  /** Per channel, from its sender; a text over it refuses the channel. */
  readonly textLimits?: Partial<Record<OutboundChannel, TextLimit>>;
}

interface Decision {
  readonly allowed: boolean;
  readonly mode?: SendMode;
  readonly messageTag?: MessageTag;
  readonly reason: DecisionReason;
  readonly sentence: string;
}

const LABEL: Readonly<Record<OutboundChannel, string>> = {
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  viber: 'Viber',
  messenger: 'Messenger',
  instagram: 'Instagram',
  sms: 'SMS',
  email: 'email',
};

const POSITION_SENTENCE: Readonly<Record<PositionReason, (c: OutboundChannel) => string>> = {
  contact_channel: (c) => `She gave her contact as ${LABEL[c]}`,
  stated_preference: (c) => `She stated she prefers ${LABEL[c]}`,
  preferred_channel: (c) => `${LABEL[c]} is where she writes most`,
  recent_inbound: (c) => `She also wrote in ${LABEL[c]}`,
  messaging_channel: (c) => `${LABEL[c]} is a messenger she has not written in`,
  sms_fallback: () => 'SMS comes after the messengers',
  email_fallback: () => 'Email is the last resort',
};

const allow = (reason: DecisionReason, mode: SendMode, sentence: string, messageTag?: MessageTag): Decision => ({
  allowed: true,
  mode,
  reason,
  sentence,
  ...(messageTag ? { messageTag } : {}),
});
const refuse = (reason: DecisionReason, sentence: string): Decision => ({ allowed: false, reason, sentence });

const hoursAgo = (now: Date, at: string): string => {
  const hours = Math.floor((now.getTime() - Date.parse(at)) / HOUR_MS);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
};

const measure = (text: string, limit: TextLimit): number =>
  limit.unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;

/**
 * The channels in the order the hub tries them, each with why it is there.
 * Every outbound channel appears exactly once.
 */
export const channelOrder = (
  profile: Profile,
  prefer?: OutboundChannel,
): { channel: OutboundChannel; position: PositionReason }[] => {
  const out: { channel: OutboundChannel; position: PositionReason }[] = [];
  const add = (channel: Channel | undefined, position: PositionReason) => {
    if (!channel || !(OUTBOUND_CHANNELS as readonly string[]).includes(channel)) return;
    if (out.some((o) => o.channel === channel)) return;
    out.push({ channel: channel as OutboundChannel, position });
  };
  add(prefer, 'contact_channel');
  add(profile.statedPreference?.channel, 'stated_preference');
  // Where she writes most (ties → most recently): the computed trait without the stated preference.
  const written = (Object.entries(profile.inbound) as [Channel, { count: number; lastAt: string }][])
    .filter(([c]) => MESSAGING_CHANNELS.includes(c))
    .sort(([, a], [, b]) => b.count - a.count || b.lastAt.localeCompare(a.lastAt));
  add(written[0]?.[0], 'preferred_channel');
  const apps = [...MESSENGER_APPS].sort((a, b) => {
    const la = profile.inbound[a]?.lastAt ?? '';
    const lb = profile.inbound[b]?.lastAt ?? '';
    return lb.localeCompare(la) || MESSENGER_APPS.indexOf(a) - MESSENGER_APPS.indexOf(b);
  });
  for (const c of apps) add(c, profile.inbound[c] ? 'recent_inbound' : 'messaging_channel');
  add('sms', 'sms_fallback');
  add('email', 'email_fallback');
  return out;
};

/** The vendor's own rules for one channel (windows, opt-in, templates, tags). */
const vendorRules = (channel: OutboundChannel, profile: Profile, request: ReachRequest, now: Date): Decision => {
  const { purpose, content } = request;
  const lastIn = profile.inbound[channel]?.lastAt;
  const sinceIn = lastIn ? now.getTime() - Date.parse(lastIn) : Number.POSITIVE_INFINITY;
  const open = sinceIn < STANDARD_WINDOW_MS;
  const ago = lastIn ? `her last ${LABEL[channel]} message was ${hoursAgo(now, lastIn)}` : 'she never wrote there';
  switch (channel) {
    case 'whatsapp': {
      if (purpose === 'marketing') {
        return !content || content.template
          ? allow('marketing_template', 'template', 'WhatsApp marketing goes out as an approved template')
          : refuse('template_required', 'WhatsApp marketing may only be sent as an approved template');
      }
      if (open) {
        return content && !content.text && content.template
          ? allow('within_window', 'template', `Within the 24 h window (${ago})`)
          : allow('within_window', 'text', `Within the 24 h window (${ago})`);
      }
      return !content || content.template
        ? allow('template_outside_window', 'template', `Template only: ${ago}, outside the 24 h window`)
        : refuse('template_required', `Outside the 24 h window (${ago}): free text needs a template instead`);
    }
    case 'telegram':
      return lastIn
        ? allow('no_window', 'text', 'She has written to the bot')
        : refuse('never_wrote', 'A bot may only write to people who wrote to it first, and she has not');
    case 'viber':
      return profile.consent.viber?.status === 'granted' || lastIn
        ? allow('subscribed', 'text', 'She is subscribed to the bot')
        : refuse('not_subscribed', 'Viber bots may only write to subscribed users, and she has not subscribed');
    case 'messenger':
    case 'instagram': {
      if (!lastIn) return refuse('never_wrote', 'Meta allows business messages only after she wrote first');
      if (open) return allow('within_window', 'text', `Within the 24 h standard messaging window (${ago})`);
      if (purpose === 'marketing')
        return refuse('window_closed', `Outside the 24 h window (${ago}); message tags may not carry marketing`);
      const humanAgentOk = sinceIn < HUMAN_AGENT_WINDOW_MS;
      const tag = content?.messageTag;
      if (!tag) {
        if (content) return refuse('message_tag_required', `Outside the 24 h window (${ago}): a message tag is needed`);
        if (channel === 'instagram' && !humanAgentOk)
          return refuse('window_closed', `Outside the 7-day HUMAN_AGENT window (${ago})`);
        return allow('message_tag', 'tagged', `Only with a message tag: ${ago}, outside the 24 h window`);
      }
      if (channel === 'instagram' && tag !== 'HUMAN_AGENT')
        return refuse('message_tag_not_allowed', `Instagram supports only the HUMAN_AGENT tag, not ${tag}`);
      if (tag === 'HUMAN_AGENT' && !humanAgentOk)
        return refuse('window_closed', `HUMAN_AGENT replies are allowed for 7 days only (${ago})`);
      return allow('message_tag', 'tagged', `Outside the 24 h window (${ago}), sent with the ${tag} tag`, tag);
    }
    case 'sms':
      return allow('no_window', 'text', 'SMS has no messaging window');
    case 'email':
      return allow('no_window', 'text', 'Email has no messaging window');
  }
};

/** The rules every channel shares, then the vendor's, then the content's. */
const decide = (channel: OutboundChannel, profile: Profile, request: ReachRequest, options: ReachOptions): Decision => {
  const { now } = options;
  if (request.channel && request.channel !== channel)
    return refuse('not_requested', `Not used: the request asked for ${LABEL[request.channel]} only`);
  if (request.exclude?.includes(channel)) return refuse('already_tried', 'Already tried for this message');
  if (options.enabledChannels && !options.enabledChannels.includes(channel))
    return refuse('not_configured', `The hub has no ${LABEL[channel]} sender configured`);
  if (!addressFor(profile, channel)) return refuse('no_address', `The profile has no ${LABEL[channel]} address`);
  const consent = profile.consent[channel];
  if (consent?.status === 'revoked')
    return refuse(
      'consent_revoked',
      `She revoked consent for ${LABEL[channel]} on ${consent.at.slice(0, 10)}${consent.reason ? ` (${consent.reason})` : ''}`,
    );
  const unreachable = profile.unreachable?.[channel];
  const lastIn = profile.inbound[channel]?.lastAt ?? '';
  const grantedAt = consent?.status === 'granted' ? consent.at : '';
  if (unreachable && unreachable.at >= lastIn && unreachable.at >= grantedAt)
    return refuse(
      'marked_unreachable',
      `Marked unreachable on ${unreachable.at.slice(0, 10)}: ${unreachable.reason} (${unreachable.code})`,
    );
  const vendor = vendorRules(channel, profile, request, now);
  if (!vendor.allowed || !request.content) return vendor;
  const { text } = request.content;
  if (vendor.mode !== 'template') {
    if (!text) return refuse('text_required', `${LABEL[channel]} needs text; only a template was given`);
    const limit = options.textLimits?.[channel];
    if (limit && measure(text, limit) > limit.max)
      return refuse('text_too_long', `The text exceeds ${LABEL[channel]}'s limit of ${limit.max} ${limit.unit}`);
  }
  return vendor;
};

/**
 * The ordered plan for a message of `request.purpose` to this customer now.
 * `chosen` is the first allowed channel; marketing inside quiet hours stays
 * allowed with `notBefore` (the end of quiet hours in her time zone).
 */
export const planReach = (profile: Profile, request: ReachRequest, options: ReachOptions): ReachPlan => {
  const { now } = options;
  const timeZone = customerTimeZone(profile, options.defaultCountry);
  const deferUntil =
    request.purpose === 'marketing' ? quietHoursEnd(now, timeZone.zone, options.quietHours) : undefined;
  const channels: ChannelVerdict[] = channelOrder(profile, request.prefer).map(({ channel, position }) => {
    const d = decide(channel, profile, request, options);
    const lastInboundAt = profile.inbound[channel]?.lastAt;
    const deferred = d.allowed && deferUntil !== undefined;
    return {
      channel,
      allowed: d.allowed,
      ...(d.mode ? { mode: d.mode } : {}),
      ...(d.messageTag ? { messageTag: d.messageTag } : {}),
      reasons: [position, d.reason, ...(deferred ? (['quiet_hours'] as const) : [])],
      message: `${POSITION_SENTENCE[position](channel)}. ${d.sentence}.${
        deferred ? ` Marketing waits for the end of quiet hours (${timeZone.zone}).` : ''
      }`,
      ...(deferred ? { notBefore: deferUntil.toISOString() } : {}),
      ...(lastInboundAt ? { lastInboundAt } : {}),
    };
  });
  const chosen = channels.find((c) => c.allowed);
  const outcome = chosen
    ? 'reachable'
    : channels.some((c) => c.reasons.includes('template_required'))
      ? 'template_required'
      : 'no_reachable_channel';
  return {
    purpose: request.purpose,
    evaluatedAt: now.toISOString(),
    outcome,
    ...(chosen ? { chosen: chosen.channel } : {}),
    ...(chosen?.notBefore ? { notBefore: chosen.notBefore } : {}),
    timeZone: { zone: timeZone.zone, source: timeZone.source },
    channels,
  };
};
