/**
 * Mailgun payload → hub events. Pure. An inbound mail (route) becomes
 * `email.received`; event webhooks about the business's outbound mail
 * become delivery statuses and consent changes on the email channel.
 */
import type { HubEvent, HubEventType } from '../../events/hub-event.js';
import { buildEvent, fromUnixSeconds } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import { emailSummary, parseMailbox, stripAngleBrackets, textSnippet } from '../shared/email.js';
import type { MailgunEventWebhook, MailgunInbound, MailgunPayload } from './schema.js';

const CONNECTOR = 'mailgun';

/** `message-headers` (`[["From","…"],…]`) → first value per lowercased name; tolerant of junk. */
const messageHeaders = (raw: string | undefined): Map<string, string> => {
  const headers = new Map<string, string>();
  if (!raw) return headers;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return headers;
  }
  if (!Array.isArray(list)) return headers;
  for (const entry of list) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
    const name = entry[0].toLowerCase();
    // Legacy deliveries render structured headers as [value, {params}].
    const value: unknown = Array.isArray(entry[1]) ? entry[1][0] : entry[1];
    if (typeof value === 'string' && !headers.has(name)) headers.set(name, value);
  }
  return headers;
};

const normalizeInbound = (fields: MailgunInbound, ctx: NormalizeContext): HubEvent | string => {
  const headers = messageHeaders(fields['message-headers']);
  if (headers.get('x-mailgun-sflag')?.trim().toLowerCase() === 'yes') {
    return `Mailgun flagged the mail to ${fields.recipient} as spam: not added to the timeline`;
  }
  // The From header is the customer; the envelope sender is only a fallback (bounce/VERP addresses are shared).
  const from = parseMailbox(fields.from || headers.get('from')) ?? parseMailbox(fields.sender);
  if (!from) return `inbound mail to ${fields.recipient}: no usable sender address`;
  const messageId = stripAngleBrackets(fields['Message-Id'] || headers.get('message-id'));
  const providerEventId = messageId ?? fields.token;
  if (!providerEventId) return `inbound mail to ${fields.recipient}: neither Message-Id nor token to deduplicate on`;
  const subject = (fields.subject || headers.get('subject'))?.trim() || undefined;
  const snippet = textSnippet(fields['stripped-text'] || fields['body-plain']);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId,
      type: 'email.received',
      channel: 'email',
      occurredAt: fromUnixSeconds(fields.timestamp),
      identities: [{ type: 'email', value: from.address }],
      traits: { name: from.name },
      summary: emailSummary(subject, snippet),
      data: {
        messageId: providerEventId,
        from: from.address,
        to: fields.recipient
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
        subject,
        snippet,
      },
    },
    ctx,
  );
  return event ?? `inbound mail to ${fields.recipient}: sender ${from.address} is not a usable email identity`;
};

/** Delivery statuses of the business's own (outbound) mail; Mailgun has no email-specific hub types. */
const STATUS_EVENT_TYPES = {
  delivered: 'message.delivered',
  opened: 'message.read',
  failed: 'message.failed',
} as const satisfies Record<string, HubEventType>;

const STATUS_SUMMARIES: Record<keyof typeof STATUS_EVENT_TYPES, string> = {
  delivered: 'Email delivered',
  opened: 'Email opened',
  failed: 'Email failed',
};

/** `failed` reasons (with severity `permanent`) that mean the address cannot receive mail. */
const HARD_BOUNCE_REASONS: ReadonlySet<string> = new Set(['bounce', 'suppress-bounce']);

const isStatus = (event: string): event is keyof typeof STATUS_EVENT_TYPES => Object.hasOwn(STATUS_EVENT_TYPES, event);

const normalizeEvent = (webhook: MailgunEventWebhook, ctx: NormalizeContext): HubEvent | string => {
  const data = webhook['event-data'];
  const { event, recipient } = data;
  // The token is unique per webhook POST and kept on retries (anymail uses it as the event id too);
  // keying on it also makes a replayed signature block collapse into the event it was captured from.
  const providerEventId = webhook.signature.token;
  if (!recipient) return `Mailgun ${event} event ${data.id ?? providerEventId}: no recipient`;
  const occurredAt = fromUnixSeconds(data.timestamp);
  const headers = data.message?.headers;
  const messageId = stripAngleBrackets(headers?.['message-id']) ?? data.id ?? providerEventId;
  const identities = [{ type: 'email' as const, value: recipient }];

  if (event === 'unsubscribed' || event === 'complained') {
    const built = buildEvent(
      {
        connector: CONNECTOR,
        providerEventId,
        type: 'consent.revoked',
        channel: 'email',
        occurredAt,
        identities,
        summary: event === 'unsubscribed' ? 'Unsubscribed from emails' : 'Marked an email as spam',
        // An unsubscribe link opts out of mailings; a spam complaint puts the address on Mailgun's
        // suppression list for every message from the domain.
        data: {
          channel: 'email',
          purpose: event === 'unsubscribed' ? 'marketing' : 'all',
          reason: event === 'unsubscribed' ? 'unsubscribed' : 'spam complaint',
        },
      },
      ctx,
    );
    return built ?? `Mailgun ${event} event: recipient ${recipient} is not a usable email identity`;
  }
  if (!isStatus(event)) return `unsupported Mailgun event: ${event}`;
  if (event === 'failed' && data.severity !== 'permanent') {
    return `Mailgun temporary failure for ${messageId}: Mailgun retries the delivery`;
  }
  const status = data['delivery-status'];
  const error =
    event === 'failed'
      ? {
          code: String(status?.code ?? data.reason ?? 'failed'),
          message: status?.message || status?.description || data.reason || 'Delivery failed',
          // A hard bounce (or a send Mailgun suppressed because the address bounced before) means the
          // address takes no mail; suppressed unsubscribes and complaints arrive as consent events.
          ...(HARD_BOUNCE_REASONS.has(data.reason ?? '') ? { unreachable: true } : {}),
        }
      : undefined;
  const subject = headers?.subject;
  const built = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId,
      type: STATUS_EVENT_TYPES[event],
      channel: 'email',
      occurredAt,
      identities,
      summary: error
        ? `Email failed (${error.code} ${error.message})`
        : subject
          ? `${STATUS_SUMMARIES[event]}: ${subject}`
          : STATUS_SUMMARIES[event],
      data: { messageId, direction: 'outbound', contentType: 'other', error },
    },
    ctx,
  );
  return built ?? `Mailgun ${event} event: recipient ${recipient} is not a usable email identity`;
};

export const normalizeMailgun = (payload: MailgunPayload, ctx: NormalizeContext): NormalizeResult => {
  const result =
    payload.kind === 'inbound'
      ? normalizeInbound(payload.fields, ctx)
      : payload.kind === 'event'
        ? normalizeEvent(payload.webhook, ctx)
        : `legacy Mailgun webhook (${payload.event}): configure the JSON event webhooks instead`;
  return typeof result === 'string' ? { events: [], ignored: [result] } : { events: [result], ignored: [] };
};
