/**
 * Telegram update → hub events. Pure. One update yields at most one event;
 * kinds the hub does not model (polls, chat member changes, channel posts, …)
 * are acknowledged and listed in `ignored` so Telegram stops redelivering.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { buildEvent, fromUnixSeconds, truncate } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { TelegramCallbackQuery, TelegramMessage, TelegramUpdate, TelegramUser } from './schema.js';

const CONNECTOR = 'telegram';
const SNIPPET = 120;

type ContentType = 'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contact';

interface MessageContent {
  readonly contentType: ContentType;
  readonly text?: string | undefined;
  readonly media?: { id: string; mimeType?: string | undefined } | undefined;
  readonly summary: string;
}

const labelled = (label: string, text: string | undefined): string =>
  text ? `${label}: ${truncate(text, SNIPPET)}` : label;

const file = (
  label: string,
  contentType: ContentType,
  f: { file_id: string; mime_type?: string | undefined },
  caption: string | undefined,
): MessageContent => ({
  contentType,
  text: caption,
  media: { id: f.file_id, mimeType: f.mime_type },
  summary: labelled(label, caption),
});

/** What the message carries, or undefined for service messages and content the hub does not model. */
const messageContent = (m: TelegramMessage): MessageContent | undefined => {
  if (m.text !== undefined) return { contentType: 'text', text: m.text, summary: truncate(m.text, SNIPPET) };
  // Sizes are listed smallest first; the last one is the original.
  const photo = m.photo?.at(-1);
  if (photo) return file('Image', 'image', photo, m.caption);
  const video = m.video ?? m.video_note;
  if (video) return file('Video', 'video', video, m.caption);
  const audio = m.audio ?? m.voice;
  if (audio) return file('Audio', 'audio', audio, m.caption);
  if (m.document) return file('Document', 'document', m.document, m.caption);
  if (m.sticker) return file('Sticker', 'sticker', m.sticker, undefined);
  if (m.location) {
    const text = `${m.location.latitude}, ${m.location.longitude}`;
    return { contentType: 'location', text, summary: labelled('Location', text) };
  }
  if (m.contact) {
    const text = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return { contentType: 'contact', text, summary: labelled('Contact shared', text) };
  }
  return undefined;
};

const traitsOf = (user: TelegramUser) => ({
  firstName: user.first_name,
  lastName: user.last_name,
  username: user.username,
  language: user.language_code,
});

const senderIdentities = (user: TelegramUser, message?: TelegramMessage): Identity[] => {
  const identities: Identity[] = [{ type: 'telegram', value: String(user.id) }];
  // The @username links the chat to web forms that collected it (a quiz's "Telegram" field).
  if (user.username) identities.push({ type: 'telegram_username', value: user.username });
  // A shared card is the sender's own number only when Telegram says so;
  // anyone can forward somebody else's contact.
  const contact = message?.contact;
  if (contact?.user_id !== undefined && contact.user_id === user.id) {
    identities.push({ type: 'phone', value: contact.phone_number });
  }
  return identities;
};

const normalizeMessage = (
  updateId: string,
  message: TelegramMessage,
  edited: boolean,
  ctx: NormalizeContext,
): HubEvent | string => {
  if (!message.from) return `update ${updateId}: message without a user sender (sent on behalf of a chat)`;
  const content = messageContent(message);
  if (!content) return `update ${updateId}: unsupported message content`;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: updateId,
      type: 'message.received',
      channel: 'telegram',
      occurredAt: fromUnixSeconds(edited ? (message.edit_date ?? message.date) : message.date),
      identities: senderIdentities(message.from, message),
      traits: traitsOf(message.from),
      summary: edited ? `(edited) ${content.summary}` : content.summary,
      data: {
        messageId: String(message.message_id),
        direction: 'inbound',
        contentType: content.contentType,
        text: content.text,
        media: content.media,
        conversationId: String(message.chat.id),
        replyTo: message.reply_to_message ? String(message.reply_to_message.message_id) : undefined,
        edited: edited || undefined,
      },
    },
    ctx,
  );
  return event ?? `update ${updateId}: no usable sender identity`;
};

const normalizeCallbackQuery = (
  updateId: string,
  query: TelegramCallbackQuery,
  ctx: NormalizeContext,
): HubEvent | string => {
  const text = query.data ?? query.game_short_name;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: updateId,
      type: 'message.received',
      channel: 'telegram',
      // A callback query carries no timestamp; build-event falls back to receivedAt.
      identities: senderIdentities(query.from),
      traits: traitsOf(query.from),
      summary: labelled('Button', text),
      data: {
        messageId: query.id,
        direction: 'inbound',
        contentType: 'button',
        text,
        conversationId: query.message ? String(query.message.chat.id) : undefined,
        replyTo: query.message ? String(query.message.message_id) : undefined,
      },
    },
    ctx,
  );
  return event ?? `update ${updateId}: no usable sender identity`;
};

/** `update_id` is the dedup key: Telegram redelivers the same update with the same id. */
export const normalizeTelegram = (update: TelegramUpdate, ctx: NormalizeContext): NormalizeResult => {
  const updateId = String(update.update_id);
  let result: HubEvent | string;
  if (update.message) result = normalizeMessage(updateId, update.message, false, ctx);
  else if (update.edited_message) result = normalizeMessage(updateId, update.edited_message, true, ctx);
  else if (update.callback_query) result = normalizeCallbackQuery(updateId, update.callback_query, ctx);
  else {
    const kind = Object.keys(update).find((key) => key !== 'update_id');
    result = kind ? `unsupported update kind: ${kind}` : `update ${updateId}: no content`;
  }
  return typeof result === 'string' ? { events: [], ignored: [result] } : { events: [result], ignored: [] };
};
