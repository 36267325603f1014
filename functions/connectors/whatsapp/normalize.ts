/**
 * WhatsApp Cloud API payload → hub events. Pure. One delivery can batch
 * several entries, changes, messages and statuses; every one is looked at and
 * either becomes an event or is listed in `ignored`.
 */
import type { HubEvent, HubEventType } from '../../events/hub-event.js';
import { buildEvent, fromUnixSeconds, truncate } from '../shared/build-event.js';
import { marksUnreachable } from '../shared/sender.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import { WHATSAPP_ERRORS } from './send.js';
import type { WhatsAppMessage, WhatsAppMessagesValue, WhatsAppStatus, WhatsAppWebhook } from './schema.js';

const CONNECTOR = 'whatsapp';
const SNIPPET = 120;

/** Status → event type; statuses not listed here (`deleted`, `warning`) are ignored. */
const STATUS_EVENT_TYPES = {
  sent: 'message.sent',
  delivered: 'message.delivered',
  read: 'message.read',
  failed: 'message.failed',
} as const satisfies Record<string, HubEventType>;

const MEDIA_LABELS = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  sticker: 'Sticker',
} as const;
type MediaType = keyof typeof MEDIA_LABELS;

type ContentType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'interactive'
  | 'button'
  | 'reaction';

interface MessageContent {
  readonly contentType: ContentType;
  readonly text?: string | undefined;
  readonly media?: { id: string; mimeType?: string | undefined } | undefined;
  readonly replyTo?: string | undefined;
  readonly summary: string;
}

const labelled = (label: string, text: string | undefined): string =>
  text ? `${label}: ${truncate(text, SNIPPET)}` : label;

const isMediaType = (type: string): type is MediaType => Object.hasOwn(MEDIA_LABELS, type);

/** What a message says, or undefined for a type the hub does not model (`order`, `system`, `unsupported`, …). */
const messageContent = (message: WhatsAppMessage): MessageContent | undefined => {
  const { type } = message;
  if (type === 'text' && message.text) {
    return { contentType: 'text', text: message.text.body, summary: truncate(message.text.body, SNIPPET) };
  }
  if (isMediaType(type)) {
    const media = message[type];
    if (!media) return undefined;
    const text = media.caption;
    return {
      contentType: type,
      text,
      media: { id: media.id, mimeType: media.mime_type },
      summary: labelled(MEDIA_LABELS[type], text ?? media.filename),
    };
  }
  if (type === 'location' && message.location) {
    const { latitude, longitude, name, address } = message.location;
    const text = [name, address].filter(Boolean).join(', ') || `${latitude}, ${longitude}`;
    return { contentType: 'location', text, summary: labelled('Location', text) };
  }
  if (type === 'contacts' && message.contacts) {
    const names = message.contacts.map((c) => c.name?.formatted_name).filter((n): n is string => Boolean(n));
    const text = names.length ? names.join(', ') : undefined;
    return { contentType: 'contact', text, summary: labelled('Contact card', text) };
  }
  if (type === 'interactive' && message.interactive) {
    const reply = message.interactive.button_reply ?? message.interactive.list_reply;
    if (!reply) return undefined;
    return { contentType: 'interactive', text: reply.title, summary: labelled('Selected', reply.title) };
  }
  if (type === 'button' && message.button) {
    return { contentType: 'button', text: message.button.text, summary: labelled('Button', message.button.text) };
  }
  if (type === 'reaction' && message.reaction) {
    const emoji = message.reaction.emoji || undefined;
    return {
      contentType: 'reaction',
      text: emoji,
      replyTo: message.reaction.message_id,
      summary: emoji ? `Reaction ${emoji}` : 'Reaction removed',
    };
  }
  return undefined;
};

const normalizeMessage = (
  message: WhatsAppMessage,
  value: WhatsAppMessagesValue,
  ctx: NormalizeContext,
): HubEvent | string => {
  const content = messageContent(message);
  if (!content) return `unsupported message type: ${message.type} (${message.id})`;
  const profile =
    value.contacts?.find((c) => c.wa_id === message.from) ??
    (value.contacts?.length === 1 ? value.contacts[0] : undefined);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: message.id,
      type: 'message.received',
      channel: 'whatsapp',
      occurredAt: fromUnixSeconds(message.timestamp),
      // wa_id is the customer's phone number without `+`; build-event makes it E.164.
      identities: [
        { type: 'whatsapp', value: message.from },
        { type: 'phone', value: message.from },
      ],
      traits: { name: profile?.profile?.name },
      summary: content.summary,
      data: {
        messageId: message.id,
        direction: 'inbound',
        contentType: content.contentType,
        text: content.text,
        media: content.media,
        replyTo: content.replyTo ?? message.context?.id,
      },
    },
    ctx,
  );
  return event ?? `message ${message.id}: no usable sender identity`;
};

const isKnownStatus = (status: string): status is keyof typeof STATUS_EVENT_TYPES =>
  Object.hasOwn(STATUS_EVENT_TYPES, status);

const normalizeStatus = (status: WhatsAppStatus, ctx: NormalizeContext): HubEvent | string => {
  if (!isKnownStatus(status.status)) return `unsupported status: ${status.status} (${status.id})`;
  // For a group message the recipient is the group; the person is the participant.
  const recipient = status.recipient_type === 'group' ? status.recipient_participant_id : status.recipient_id;
  if (!recipient) return `status ${status.id}:${status.status}: no individual recipient`;
  const failure = status.status === 'failed' ? status.errors?.[0] : undefined;
  const error = failure
    ? {
        code: String(failure.code),
        message: failure.message ?? failure.title ?? failure.error_data?.details ?? 'Unknown error',
        // The sender's error table decides (131026: not on WhatsApp / blocked).
        ...(marksUnreachable(WHATSAPP_ERRORS, String(failure.code)) ? { unreachable: true } : {}),
      }
    : undefined;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `${status.id}:${status.status}`,
      type: STATUS_EVENT_TYPES[status.status],
      channel: 'whatsapp',
      occurredAt: fromUnixSeconds(status.timestamp),
      identities: [
        { type: 'whatsapp', value: recipient },
        { type: 'phone', value: recipient },
      ],
      summary: error ? `Status: failed (${error.code} ${error.message})` : `Status: ${status.status}`,
      data: {
        messageId: status.id,
        direction: 'outbound',
        contentType: 'other',
        conversationId: status.conversation?.id,
        error,
      },
    },
    ctx,
  );
  return event ?? `status ${status.id}:${status.status}: no usable recipient identity`;
};

/** Maps every message and status of every entry and change; nothing is dropped silently. */
export const normalizeWhatsApp = (payload: WhatsAppWebhook, ctx: NormalizeContext): NormalizeResult => {
  const events: HubEvent[] = [];
  const ignored: string[] = [];
  const collect = (result: HubEvent | string): void => {
    if (typeof result === 'string') ignored.push(result);
    else events.push(result);
  };
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages' || !change.value) {
        ignored.push(`unsupported field: ${change.field}`);
        continue;
      }
      const { value } = change;
      for (const message of value.messages ?? []) collect(normalizeMessage(message, value, ctx));
      for (const status of value.statuses ?? []) collect(normalizeStatus(status, ctx));
    }
  }
  return { events, ignored };
};
