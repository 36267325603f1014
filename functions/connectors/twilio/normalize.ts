/**
 * Twilio webhook → hub events. Pure. One endpoint receives three kinds of
 * request (see `twilioKind`): an incoming message (SMS/MMS, or WhatsApp /
 * Messenger through Twilio), a message status callback and a Voice call
 * status callback. Anything not turned into an event is listed in `ignored`.
 */
import type { Channel, HubEvent, HubEventType, Identity } from '../../events/hub-event.js';
import { buildEvent, formatDuration, fromDateString, truncate } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import { messageSid, twilioKind, type TwilioWebhook } from './schema.js';
import { twilioErrorMarksUnreachable } from './send.js';

const CONNECTOR = 'twilio';
const SNIPPET = 120;

/**
 * Twilio's default opt-out and opt-in keywords: a message whose whole body
 * is one of them (any case) makes Twilio block or unblock the sender.
 * https://help.twilio.com/articles/223134027 (Twilio support for opt-out keywords).
 */
const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START', 'YES', 'UNSTOP']);

/** "Attempt to send to unsubscribed recipient": the number replied STOP earlier. */
const UNSUBSCRIBED_RECIPIENT = '21610';

/** Status callbacks carry only ErrorCode; names of the common delivery errors (https://www.twilio.com/docs/api/errors). */
const ERROR_NAMES: Readonly<Record<string, string>> = {
  '21610': 'Attempt to send to unsubscribed recipient',
  '30003': 'Unreachable destination handset',
  '30004': 'Message blocked',
  '30005': 'Unknown destination handset',
  '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered',
  '30008': 'Unknown error',
  '63016': 'Outside the WhatsApp 24-hour window; a template is required',
};

const STATUS_EVENT_TYPES = {
  sent: 'message.sent',
  delivered: 'message.delivered',
  read: 'message.read',
  failed: 'message.failed',
  undelivered: 'message.failed',
} as const satisfies Record<string, HubEventType>;

/** Intermediate statuses: a later callback reports the outcome. */
const TRANSIENT_STATUSES = new Set(['queued', 'accepted', 'sending', 'scheduled', 'receiving']);

const MISSED_CALL_STATUSES = new Set(['no-answer', 'busy', 'failed', 'canceled']);

interface Party {
  readonly channel: Channel;
  readonly identities: Identity[];
}

const isDigits = (value: string): boolean => /^\d{5,15}$/.test(value);

/**
 * The customer behind a Twilio address. A bare `+E164` is a phone on SMS (or
 * a call); `whatsapp:+E164` is a WhatsApp user whose id is the phone number
 * (WhatsApp vouches for it; `WaId` carries the same digits); `messenger:<id>`
 * is a page-scoped Messenger id, never a phone; `rcs:+E164` is an RCS phone
 * on the SMS channel (Twilio unifies RCS and SMS opt-outs). Browser clients
 * and SIP endpoints are the business's own agents.
 */
const customerParty = (address: string | undefined, medium: 'message' | 'call', waId?: string): Party | string => {
  const value = address?.trim();
  if (!value) return 'no customer address';
  const prefixed = /^([a-z][a-z0-9-]*):(.*)$/i.exec(value);
  if (!prefixed) return { channel: medium === 'call' ? 'phone' : 'sms', identities: [{ type: 'phone', value }] };
  const [, rawPrefix = '', rest = ''] = prefixed;
  const prefix = rawPrefix.toLowerCase();
  if (prefix === 'whatsapp') {
    const digits = rest.replace(/^\+/, '');
    const id = waId || digits;
    const phone = isDigits(id) ? id : isDigits(digits) ? digits : undefined;
    return {
      channel: 'whatsapp',
      identities: [{ type: 'whatsapp', value: id }, ...(phone ? [{ type: 'phone' as const, value: phone }] : [])],
    };
  }
  if (prefix === 'messenger') return { channel: 'messenger', identities: [{ type: 'messenger', value: rest }] };
  if (prefix === 'rcs') return { channel: 'sms', identities: [{ type: 'phone', value: rest }] };
  return `address ${prefix}: is not a customer channel the hub models`;
};

type MessageContentType = 'text' | 'image' | 'video' | 'audio' | 'document' | 'location' | 'button';

const mediaContentType = (mime: string | undefined): MessageContentType => {
  const family = mime?.split('/')[0]?.toLowerCase();
  return family === 'image' || family === 'video' || family === 'audio' ? family : 'document';
};

const MEDIA_LABELS: Record<MessageContentType, string> = {
  text: 'Message',
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  location: 'Location',
  button: 'Button',
};

const messageContent = (p: TwilioWebhook) => {
  const text = p.Body || undefined;
  const numMedia = Number(p.NumMedia ?? 0);
  if (numMedia > 0) {
    const contentType = mediaContentType(p.MediaContentType0);
    const label = numMedia > 1 ? `${MEDIA_LABELS[contentType]} (+${numMedia - 1} more)` : MEDIA_LABELS[contentType];
    return {
      contentType,
      text,
      media: { url: p.MediaUrl0, mimeType: p.MediaContentType0 },
      summary: text ? `${label}: ${truncate(text, SNIPPET)}` : label,
    };
  }
  if (p.Latitude && p.Longitude) {
    const place = p.Address || `${p.Latitude}, ${p.Longitude}`;
    return { contentType: 'location' as const, text: place, summary: `Location: ${truncate(place, SNIPPET)}` };
  }
  if (p.ButtonText)
    return {
      contentType: 'button' as const,
      text: p.ButtonText,
      summary: `Button: ${truncate(p.ButtonText, SNIPPET)}`,
    };
  return { contentType: 'text' as const, text, summary: text ? truncate(text, SNIPPET) : 'Empty message' };
};

interface ConsentChange {
  readonly type: 'consent.revoked' | 'consent.granted';
  /** Shown in the summary: the keyword, or why. */
  readonly cause: string;
  readonly reason: string;
}

const keywordChange = (type: ConsentChange['type'], keyword: string): ConsentChange => ({
  type,
  cause: keyword,
  reason: `${keyword} keyword`,
});

/**
 * Opt-out/opt-in carried by an incoming message: `OptOutType` when Twilio
 * sends it (Advanced Opt-Out, which also covers WhatsApp senders of the
 * Messaging Service); otherwise Twilio's default keywords, which Twilio
 * enforces on SMS only.
 */
const consentChange = (p: TwilioWebhook, channel: Channel): ConsentChange | undefined => {
  const optOutType = p.OptOutType?.trim().toUpperCase();
  const said = p.Body?.trim().toUpperCase() ?? '';
  if (optOutType === 'STOP') return keywordChange('consent.revoked', said || optOutType);
  if (optOutType === 'START') return keywordChange('consent.granted', said || optOutType);
  if (optOutType || channel !== 'sms') return undefined;
  if (OPT_OUT_KEYWORDS.has(said)) return keywordChange('consent.revoked', said);
  if (OPT_IN_KEYWORDS.has(said)) return keywordChange('consent.granted', said);
  return undefined;
};

const CHANNEL_LABELS: Partial<Record<Channel, string>> = { sms: 'SMS', whatsapp: 'WhatsApp', messenger: 'Messenger' };

const consentEvent = (
  sid: string,
  change: ConsentChange,
  party: Party,
  ctx: NormalizeContext,
): HubEvent | undefined => {
  const label = CHANNEL_LABELS[party.channel] ?? party.channel;
  return buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `${sid}:${change.type}`,
      type: change.type,
      channel: party.channel,
      identities: party.identities,
      summary:
        change.type === 'consent.revoked'
          ? `Opted out of ${label} (${change.cause})`
          : `Opted in to ${label} (${change.cause})`,
      data: { channel: party.channel, purpose: 'all', reason: change.reason },
    },
    ctx,
  );
};

const normalizeMessage = (p: TwilioWebhook, ctx: NormalizeContext): NormalizeResult => {
  const sid = messageSid(p);
  const party = customerParty(p.From, 'message', p.WaId);
  if (typeof party === 'string') return { events: [], ignored: [`message ${sid}: ${party}`] };
  const content = messageContent(p);
  const message = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `${sid}:received`,
      type: 'message.received',
      channel: party.channel,
      identities: party.identities,
      traits: { name: p.ProfileName },
      summary: content.summary,
      data: {
        messageId: sid,
        direction: 'inbound',
        contentType: content.contentType,
        text: content.text,
        media: 'media' in content ? content.media : undefined,
      },
    },
    ctx,
  );
  if (!message) return { events: [], ignored: [`message ${sid}: no usable sender identity`] };
  const change = consentChange(p, party.channel);
  const consent = change && consentEvent(sid, change, party, ctx);
  return { events: consent ? [message, consent] : [message], ignored: [] };
};

const isTrackedStatus = (status: string): status is keyof typeof STATUS_EVENT_TYPES =>
  Object.hasOwn(STATUS_EVENT_TYPES, status);

const normalizeMessageStatus = (p: TwilioWebhook, ctx: NormalizeContext): NormalizeResult => {
  const sid = messageSid(p);
  const status = (p.MessageStatus ?? p.SmsStatus ?? '').toLowerCase();
  if (!isTrackedStatus(status)) {
    const why = TRANSIENT_STATUSES.has(status) ? 'intermediate status' : 'unsupported status';
    return { events: [], ignored: [`message ${sid}: ${why} ${status || '(none)'}`] };
  }
  const party = customerParty(p.To, 'message');
  if (typeof party === 'string') return { events: [], ignored: [`message ${sid}:${status}: ${party}`] };
  const failure =
    STATUS_EVENT_TYPES[status] === 'message.failed' && p.ErrorCode
      ? {
          code: p.ErrorCode,
          message: p.ErrorMessage || ERROR_NAMES[p.ErrorCode] || `Twilio error ${p.ErrorCode}`,
          // The sender's error table decides: 21610, 30005, 30006… mean the number cannot take SMS.
          ...(twilioErrorMarksUnreachable(p.ErrorCode) ? { unreachable: true } : {}),
        }
      : undefined;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `${sid}:${status}`,
      type: STATUS_EVENT_TYPES[status],
      channel: party.channel,
      identities: party.identities,
      summary: failure ? `Status: ${status} (${failure.code} ${failure.message})` : `Status: ${status}`,
      data: { messageId: sid, direction: 'outbound', contentType: 'other', error: failure },
    },
    ctx,
  );
  if (!event) return { events: [], ignored: [`message ${sid}:${status}: no usable recipient identity`] };
  // 21610: Twilio refused to send because the recipient replied STOP earlier; record the opt-out.
  const optedOut =
    failure?.code === UNSUBSCRIBED_RECIPIENT && party.channel === 'sms'
      ? consentEvent(
          sid,
          {
            type: 'consent.revoked',
            cause: `error ${UNSUBSCRIBED_RECIPIENT}`,
            reason: 'recipient had replied STOP (Twilio error 21610)',
          },
          party,
          ctx,
        )
      : undefined;
  return { events: optedOut ? [event, optedOut] : [event], ignored: [] };
};

const wholeSeconds = (value: string | undefined): number => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
};

const normalizeCallStatus = (p: TwilioWebhook, ctx: NormalizeContext): NormalizeResult => {
  const sid = p.CallSid ?? '';
  const status = (p.CallStatus ?? '').toLowerCase();
  const type = status === 'completed' ? 'call.completed' : MISSED_CALL_STATUSES.has(status) ? 'call.missed' : undefined;
  if (!type) return { events: [], ignored: [`call ${sid}: status ${status || '(none)'} is not a final outcome`] };
  // inbound: the customer called us; outbound-api / outbound-dial: we called the customer.
  const inbound = (p.Direction ?? 'inbound').toLowerCase() === 'inbound';
  const party = customerParty(inbound ? p.From : p.To, 'call');
  if (typeof party === 'string') return { events: [], ignored: [`call ${sid}:${status}: ${party}`] };
  const durationSec = type === 'call.completed' ? wholeSeconds(p.CallDuration) : 0;
  const direction = inbound ? 'incoming' : 'outgoing';
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: p.SequenceNumber ? `${sid}:${status}:${p.SequenceNumber}` : `${sid}:${status}`,
      type,
      channel: party.channel,
      occurredAt: fromDateString(p.Timestamp),
      identities: party.identities,
      summary:
        type === 'call.completed'
          ? `${inbound ? 'Incoming' : 'Outgoing'} call, ${formatDuration(durationSec)}`
          : `Missed ${direction} call (${status})`,
      data: {
        callId: sid,
        direction: inbound ? 'inbound' : 'outbound',
        durationSec,
        disposition: status,
        recordingUrl: p.RecordingUrl || undefined,
        line: (inbound ? p.To : p.From) || undefined,
      },
    },
    ctx,
  );
  return event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`call ${sid}:${status}: no usable customer identity`] };
};

export const normalizeTwilio = (payload: TwilioWebhook, ctx: NormalizeContext): NormalizeResult => {
  switch (twilioKind(payload)) {
    case 'message':
      return normalizeMessage(payload, ctx);
    case 'message-status':
      return normalizeMessageStatus(payload, ctx);
    case 'call-status':
      return normalizeCallStatus(payload, ctx);
  }
};
