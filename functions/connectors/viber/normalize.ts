/**
 * Viber callback → hub events. Pure. One callback yields at most one event;
 * callbacks the hub does not model are acknowledged and listed in `ignored`
 * so Viber stops retrying.
 */
import type { HubEvent, HubEventType, Identity } from '../../events/hub-event.js';
import { buildEvent, truncate } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { ViberCallback, ViberMessage, ViberUser } from './schema.js';

const CONNECTOR = 'viber';
const SNIPPET = 120;

/** Receipt callbacks about the bot's own outbound messages. */
const RECEIPT_EVENT_TYPES = {
  delivered: 'message.delivered',
  seen: 'message.read',
  failed: 'message.failed',
} as const satisfies Record<string, HubEventType>;

type ContentType = 'text' | 'image' | 'video' | 'document' | 'sticker' | 'location' | 'contact';

interface MessageContent {
  readonly contentType: ContentType;
  readonly text?: string | undefined;
  readonly media?: { id?: string; url?: string } | undefined;
  readonly summary: string;
}

const labelled = (label: string, text: string | undefined): string =>
  text ? `${label}: ${truncate(text, SNIPPET)}` : label;

/** Epoch ms → ISO; undefined when absent or outside what `Date` can represent. */
const fromEpochMillis = (ms: number): string | undefined => {
  const date = new Date(ms);
  return ms > 0 && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
};

const sameName = (a: string | undefined, b: string | undefined): boolean => {
  const norm = (s: string | undefined) => s?.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase() ?? '';
  return norm(a) !== '' && norm(a) === norm(b);
};

/**
 * The phone of a contact card, when the card is the sender's own number.
 * Viber's payload has no "this is my number" flag: a reply to a
 * `share-phone` keyboard button and a forwarded card of somebody else are
 * both `type: "contact"`. The share-phone reply carries the sender's own
 * Viber name, so the number counts as the sender's only when the card's
 * name is the sender's name; anything else stays message content, because
 * linking another person's number would merge two customers.
 */
const ownPhone = (message: ViberMessage, sender: ViberUser): string | undefined => {
  const contact = message.contact;
  return contact?.phone_number && sameName(contact.name, sender.name) ? contact.phone_number : undefined;
};

/** What the message says, or undefined for a type the hub does not model (`rich_media`, …). */
const messageContent = (m: ViberMessage, ownNumber: boolean): MessageContent | undefined => {
  switch (m.type) {
    case 'text':
      return m.text === undefined
        ? undefined
        : { contentType: 'text', text: m.text, summary: truncate(m.text, SNIPPET) };
    case 'picture':
      return {
        contentType: 'image',
        text: m.text || undefined,
        media: { url: m.media },
        summary: labelled('Image', m.text),
      };
    case 'video':
      return { contentType: 'video', media: { url: m.media }, summary: 'Video' };
    case 'file':
      return {
        contentType: 'document',
        text: m.file_name,
        media: { url: m.media },
        summary: labelled('Document', m.file_name),
      };
    case 'sticker':
      return {
        contentType: 'sticker',
        media: { id: m.sticker_id === undefined ? undefined : String(m.sticker_id), url: m.media },
        summary: 'Sticker',
      };
    case 'url':
      return m.media
        ? { contentType: 'text', text: m.media, media: { url: m.media }, summary: labelled('Link', m.media) }
        : undefined;
    case 'location': {
      if (!m.location) return undefined;
      const text = m.location.address || `${m.location.lat}, ${m.location.lon}`;
      return { contentType: 'location', text, summary: labelled('Location', text) };
    }
    case 'contact': {
      if (!m.contact) return undefined;
      const name = m.contact.name || undefined;
      return {
        contentType: 'contact',
        text: name,
        summary: ownNumber ? 'Shared own phone number' : labelled('Contact card', name),
      };
    }
    default:
      return undefined;
  }
};

const traitsOf = (user: ViberUser) => ({
  name: user.name,
  avatar: user.avatar,
  country: user.country,
  language: user.language,
});

/** `<message_token>` for messages, `<message_token>:<event>` for the rest; a fallback when Viber sends no token. */
const providerEventId = (cb: ViberCallback, userId: string): string => {
  if (!cb.message_token) return `${cb.event}:${userId}:${cb.timestamp}`;
  return cb.event === 'message' ? cb.message_token : `${cb.message_token}:${cb.event}`;
};

const normalizeMessage = (
  cb: ViberCallback,
  sender: ViberUser,
  message: ViberMessage,
  ctx: NormalizeContext,
): HubEvent | string => {
  const id = providerEventId(cb, sender.id);
  const phone = message.type === 'contact' ? ownPhone(message, sender) : undefined;
  const content = messageContent(message, phone !== undefined);
  if (!content) return `message ${id}: unsupported message type ${message.type}`;
  const identities: Identity[] = [{ type: 'viber', value: sender.id }];
  if (phone) identities.push({ type: 'phone', value: phone });
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: id,
      type: 'message.received',
      channel: 'viber',
      occurredAt: fromEpochMillis(cb.timestamp),
      identities,
      traits: traitsOf(sender),
      summary: content.summary,
      data: {
        messageId: cb.message_token ?? id,
        direction: 'inbound',
        contentType: content.contentType,
        text: content.text,
        media: content.media?.url || content.media?.id ? content.media : undefined,
      },
    },
    ctx,
  );
  return event ?? `message ${id}: no usable sender identity`;
};

const normalizeConsent = (
  cb: ViberCallback,
  userId: string,
  user: ViberUser | undefined,
  ctx: NormalizeContext,
): HubEvent | string => {
  const granted = cb.event === 'subscribed';
  const id = providerEventId(cb, userId);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: id,
      type: granted ? 'consent.granted' : 'consent.revoked',
      channel: 'viber',
      occurredAt: fromEpochMillis(cb.timestamp),
      identities: [{ type: 'viber', value: userId }],
      traits: user ? traitsOf(user) : undefined,
      summary: granted ? 'Subscribed to the Viber bot' : 'Unsubscribed from the Viber bot',
      data: { channel: 'viber', purpose: 'all', reason: cb.event },
    },
    ctx,
  );
  return event ?? `${cb.event} ${id}: no usable user identity`;
};

const isReceipt = (event: string): event is keyof typeof RECEIPT_EVENT_TYPES =>
  Object.hasOwn(RECEIPT_EVENT_TYPES, event);

const normalizeReceipt = (
  cb: ViberCallback,
  event: keyof typeof RECEIPT_EVENT_TYPES,
  userId: string,
  ctx: NormalizeContext,
): HubEvent | string => {
  const id = providerEventId(cb, userId);
  const error =
    event === 'failed' ? { code: 'failed', message: cb.desc || 'Viber reported the message as failed' } : undefined;
  const built = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: id,
      type: RECEIPT_EVENT_TYPES[event],
      channel: 'viber',
      occurredAt: fromEpochMillis(cb.timestamp),
      identities: [{ type: 'viber', value: userId }],
      summary: error ? `Status: failed (${error.message})` : `Status: ${event}`,
      data: { messageId: cb.message_token ?? id, direction: 'outbound', contentType: 'other', error },
    },
    ctx,
  );
  return built ?? `${event} ${id}: no usable user identity`;
};

/**
 * `conversation_started` is deliberately not an event: the user opened the
 * chat (from a deep link, the bot's info screen, …) but neither subscribed
 * nor wrote, and no hub event type means "opened a chat". Calling it a
 * received message would invent a message and make Viber the customer's
 * last channel on the strength of a screen tap.
 */
const CONVERSATION_STARTED_REASON =
  'conversation_started: the user opened the chat but has not subscribed or written yet (not a message, not consent)';

export const normalizeViber = (cb: ViberCallback, ctx: NormalizeContext): NormalizeResult => {
  let result: HubEvent | string;
  if (cb.event === 'message' && cb.sender && cb.message) result = normalizeMessage(cb, cb.sender, cb.message, ctx);
  else if (cb.event === 'subscribed' && cb.user) result = normalizeConsent(cb, cb.user.id, cb.user, ctx);
  else if (cb.event === 'unsubscribed' && cb.user_id) result = normalizeConsent(cb, cb.user_id, undefined, ctx);
  else if (isReceipt(cb.event) && cb.user_id) result = normalizeReceipt(cb, cb.event, cb.user_id, ctx);
  else if (cb.event === 'webhook') result = 'webhook: set_webhook availability check, acknowledged with 200';
  else if (cb.event === 'conversation_started') result = CONVERSATION_STARTED_REASON;
  else result = `unsupported event: ${cb.event}`;
  return typeof result === 'string' ? { events: [], ignored: [result] } : { events: [result], ignored: [] };
};
