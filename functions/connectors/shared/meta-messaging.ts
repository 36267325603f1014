/**
 * Meta messaging events (`entry[].messaging[]` / `standby[]`) → hub events,
 * shared by Messenger (PSIDs) and Instagram (IGSIDs): both platforms deliver
 * the same Messenger Platform event shapes. Pure.
 */
import type { HubEvent } from '../../events/hub-event.js';
import type { NormalizeContext } from '../types.js';
import { buildEvent, truncate } from './build-event.js';
import type { MetaAttachment, MetaEntry, MetaMessage, MetaMessagingEvent, MetaWebhook } from './meta-webhook.js';

/** What differs between the two platforms. */
export interface MetaPlatform {
  readonly connector: 'messenger' | 'instagram';
  /** The webhook `object` this connector handles. */
  readonly object: 'page' | 'instagram';
  readonly channel: 'messenger' | 'instagram';
  /** PSID (page-scoped) or IGSID (Instagram-scoped): ids, never phone numbers. */
  readonly identityType: 'messenger' | 'instagram';
}

const SNIPPET = 120;

type ContentType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'interactive'
  | 'button'
  | 'other';

interface MessageContent {
  readonly contentType: ContentType;
  readonly text?: string | undefined;
  readonly media?: { id?: string; url?: string } | undefined;
  readonly summary: string;
}

/** Attachment type → content type and timeline label; other types (`template`, `share`, …) are `other`. */
const ATTACHMENT_KINDS: Record<string, { contentType: ContentType; label: string }> = {
  image: { contentType: 'image', label: 'Image' },
  video: { contentType: 'video', label: 'Video' },
  audio: { contentType: 'audio', label: 'Audio' },
  file: { contentType: 'document', label: 'Document' },
  location: { contentType: 'location', label: 'Location' },
  fallback: { contentType: 'other', label: 'Link' },
  template: { contentType: 'other', label: 'Template' },
  share: { contentType: 'other', label: 'Shared post' },
  story_mention: { contentType: 'other', label: 'Story mention' },
  ig_reel: { contentType: 'other', label: 'Reel' },
  reel: { contentType: 'other', label: 'Reel' },
};

const labelled = (label: string, text: string | undefined): string =>
  text ? `${label}: ${truncate(text, SNIPPET)}` : label;

/**
 * Meta time → ISO. Messenger sends epoch ms; a few newer samples carry unix
 * seconds as a string, told apart by magnitude (ms have ≥ 12 digits since 1973).
 */
const fromMetaTime = (value: number | string | undefined): string | undefined => {
  const n = typeof value === 'string' ? Number(value) : value;
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined;
  const date = new Date(n < 1e11 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

const attachmentContent = (attachments: readonly MetaAttachment[], text: string | undefined): MessageContent => {
  const first = attachments[0] as MetaAttachment;
  const count = attachments.length > 1 ? ` (${attachments.length})` : '';
  const url = first.payload?.url ?? first.url;
  if (first.payload?.sticker_id !== undefined) {
    return { contentType: 'sticker', media: { id: String(first.payload.sticker_id), url }, summary: 'Sticker' };
  }
  const coordinates = first.payload?.coordinates;
  if (first.type === 'location' && coordinates) {
    const where = first.title || `${coordinates.lat}, ${coordinates.long}`;
    return { contentType: 'location', text: where, summary: labelled('Location', where) };
  }
  const kind = ATTACHMENT_KINDS[first.type] ?? { contentType: 'other' as const, label: 'Attachment' };
  const caption = text ?? first.title ?? first.payload?.title;
  return {
    contentType: kind.contentType,
    text: caption || undefined,
    media: url ? { url } : undefined,
    summary: labelled(`${kind.label}${count}`, caption),
  };
};

/** What a message says; undefined when it carries nothing the hub can show. */
const messageContent = (message: MetaMessage): MessageContent | undefined => {
  if (message.attachments?.length) return attachmentContent(message.attachments, message.text);
  if (message.text === undefined) return undefined;
  // A quick-reply chip: the text is the chip's title, the payload is the bot's.
  if (message.quick_reply)
    return { contentType: 'interactive', text: message.text, summary: labelled('Selected', message.text) };
  return { contentType: 'text', text: message.text, summary: truncate(message.text, SNIPPET) };
};

/** The first key that says what kind of messaging event this is (`reaction`, `optin`, `referral`, …). */
const eventKind = (item: MetaMessagingEvent): string =>
  Object.keys(item).find((k) => !['sender', 'recipient', 'timestamp'].includes(k)) ?? 'empty';

type Emit = (result: HubEvent | undefined, fallback: string) => void;

const draftBase = (platform: MetaPlatform, customer: string, occurredAt: string | undefined) => ({
  connector: platform.connector,
  channel: platform.channel,
  occurredAt,
  identities: [{ type: platform.identityType, value: customer }],
});

const normalizeMessage = (
  item: MetaMessagingEvent,
  message: MetaMessage,
  platform: MetaPlatform,
  occurredAt: string | undefined,
  ctx: NormalizeContext,
  emit: Emit,
  ignore: (reason: string) => void,
): void => {
  if (message.is_deleted) return ignore(`message ${message.mid}: deleted by the customer`);
  if (message.is_unsupported) return ignore(`message ${message.mid}: content the API does not expose`);
  // An echo is the business's own message: the customer is its recipient, never the Page/IG account.
  const echo = message.is_echo === true;
  const customer = echo ? item.recipient?.id : item.sender.id;
  if (!customer)
    return ignore(`message ${message.mid}: no ${echo ? 'recipient' : 'sender'} id (user_ref-only chat plugin guest)`);
  const content = messageContent(message);
  if (!content) return ignore(`message ${message.mid}: no text or attachments`);
  emit(
    buildEvent(
      {
        ...draftBase(platform, customer, occurredAt),
        providerEventId: message.mid,
        type: echo ? 'message.sent' : 'message.received',
        summary: content.summary,
        data: {
          messageId: message.mid,
          direction: echo ? 'outbound' : 'inbound',
          contentType: content.contentType,
          text: content.text,
          media: content.media,
          replyTo: message.reply_to?.mid,
        },
      },
      ctx,
    ),
    `message ${message.mid}: no usable customer identity`,
  );
};

/**
 * Turns one messaging event into events (several for a delivery receipt
 * listing several mids) or ignored reasons. Receipts' dedup keys:
 * `<mid>:delivered` / `<mid>:read` per message, or
 * `<customer>:delivered|read:<watermark>` when Meta only sends a watermark.
 */
const normalizeMessagingEvent = (
  item: MetaMessagingEvent,
  entry: MetaEntry,
  platform: MetaPlatform,
  ctx: NormalizeContext,
  events: HubEvent[],
  ignored: string[],
): void => {
  const ignore = (reason: string): void => void ignored.push(reason);
  const emit: Emit = (result, fallback) => (result ? events.push(result) : ignore(fallback));
  const occurredAt = fromMetaTime(item.timestamp ?? entry.time);
  const customer = item.sender.id;

  if (item.message) return normalizeMessage(item, item.message, platform, occurredAt, ctx, emit, ignore);
  if (!customer) return ignore(`${eventKind(item)}: no sender id (user_ref-only chat plugin guest)`);

  if (item.postback) {
    const { mid, title, payload } = item.postback;
    const id = mid ?? `postback:${customer}:${item.timestamp ?? entry.time ?? payload ?? ''}`;
    const text = title || payload;
    return emit(
      buildEvent(
        {
          ...draftBase(platform, customer, occurredAt),
          providerEventId: id,
          type: 'message.received',
          summary: labelled('Button', text),
          data: { messageId: id, direction: 'inbound', contentType: 'button', text },
        },
        ctx,
      ),
      `postback ${id}: no usable customer identity`,
    );
  }

  if (item.message_edit) {
    const { mid, text, num_edit: edits } = item.message_edit;
    const id = `${mid}:edit:${edits ?? item.timestamp ?? ''}`;
    return emit(
      buildEvent(
        {
          ...draftBase(platform, customer, occurredAt),
          providerEventId: id,
          type: 'message.received',
          summary: `(edited) ${truncate(text ?? '', SNIPPET)}`,
          data: { messageId: mid, direction: 'inbound', contentType: 'text', text, edited: true },
        },
        ctx,
      ),
      `message_edit ${mid}: no usable customer identity`,
    );
  }

  const receipt = item.delivery
    ? {
        type: 'message.delivered' as const,
        status: 'delivered',
        mids: item.delivery.mids ?? [],
        watermark: item.delivery.watermark,
      }
    : item.read
      ? {
          type: 'message.read' as const,
          status: 'read',
          mids: item.read.mid ? [item.read.mid] : [],
          watermark: item.read.watermark,
        }
      : undefined;
  if (receipt) {
    const at = occurredAt ?? fromMetaTime(receipt.watermark);
    const targets = receipt.mids.length
      ? receipt.mids.map((mid) => ({ id: `${mid}:${receipt.status}`, messageId: mid }))
      : receipt.watermark !== undefined
        ? [{ id: `${customer}:${receipt.status}:${receipt.watermark}`, messageId: `watermark:${receipt.watermark}` }]
        : [];
    if (targets.length === 0) return ignore(`${receipt.status} receipt without mids or watermark`);
    for (const target of targets) {
      emit(
        buildEvent(
          {
            ...draftBase(platform, customer, at),
            providerEventId: target.id,
            type: receipt.type,
            summary: `Status: ${receipt.status}`,
            data: { messageId: target.messageId, direction: 'outbound', contentType: 'other' },
          },
          ctx,
        ),
        `${target.id}: no usable customer identity`,
      );
    }
    return;
  }

  const kind = eventKind(item);
  if (kind === 'reaction') return ignore('reaction: message reactions are not modelled as hub events');
  return ignore(`unsupported messaging event: ${kind}`);
};

/**
 * Every messaging event of every entry: `messaging[]`, and `standby[]` of
 * threads another app controls (the hub observes and never replies, so
 * those are the same customer touchpoints). Changes are the caller's.
 */
export const normalizeMessagingEntries = (
  payload: MetaWebhook,
  platform: MetaPlatform,
  ctx: NormalizeContext,
): { events: HubEvent[]; ignored: string[] } => {
  const events: HubEvent[] = [];
  const ignored: string[] = [];
  for (const entry of payload.entry) {
    for (const item of [...(entry.messaging ?? []), ...(entry.standby ?? [])]) {
      normalizeMessagingEvent(item, entry, platform, ctx, events, ignored);
    }
  }
  return { events, ignored };
};

/** Why a payload for the other platform's `object` is acknowledged and ignored whole. */
export const foreignObject = (payload: MetaWebhook, platform: MetaPlatform): string | undefined =>
  payload.object === platform.object
    ? undefined
    : `object "${payload.object}" is not handled by the ${platform.connector} connector (point that webhook at its own connector's URL)`;
