/**
 * SNS/SES payload → hub events. Pure. An SES receipt becomes
 * `email.received`; a subscription confirmation becomes a hydration request
 * (the hydrator GETs `SubscribeURL` after the acknowledgement); everything
 * else is acknowledged and listed in `ignored`.
 */
import type { HubEvent } from '../../events/hub-event.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import {
  emailSummary,
  mimeSnippet,
  parseMailbox,
  parseMailboxList,
  stripAngleBrackets,
  type Mailbox,
} from '../shared/email.js';
import type { SesPayload, SesReceivedNotification, SnsEnvelope } from './schema.js';

const CONNECTOR = 'ses';

/** Hydration kind whose `hydrate` confirms an SNS subscription. */
export const SUBSCRIPTION_CONFIRMATION_KIND = 'sns-subscription-confirmation';

/** Verdicts that make SES's own scanners drop a message from the customer timeline. */
const rejectedBy = (receipt: SesReceivedNotification['receipt']): string | undefined => {
  if (receipt.virusVerdict?.status === 'FAIL') return 'virus';
  if (receipt.spamVerdict?.status === 'FAIL') return 'spam';
  return undefined;
};

/** The raw MIME of an SNS-action notification, decoded per `receipt.action.encoding`. */
const rawMime = (notification: SesReceivedNotification): Buffer | undefined => {
  const { content } = notification;
  if (content === undefined) return undefined;
  return notification.receipt.action.encoding?.toUpperCase() === 'BASE64'
    ? Buffer.from(content, 'base64')
    : Buffer.from(content, 'utf8');
};

/**
 * The customer is the `From` header's mailbox. `mail.source` (the envelope
 * sender) is only a fallback: for mail sent through an ESP or a mailing list
 * it is a bounce/VERP address shared by unrelated senders, and linking it
 * would merge different people into one profile.
 */
const sender = (notification: SesReceivedNotification): Mailbox | undefined =>
  notification.mail.commonHeaders?.from?.map((f) => parseMailbox(f)).find((m) => m !== undefined) ??
  parseMailbox(notification.mail.source);

const normalizeReceived = (
  envelope: SnsEnvelope,
  notification: SesReceivedNotification,
  ctx: NormalizeContext,
): HubEvent | string => {
  const { mail, receipt } = notification;
  const rejection = rejectedBy(receipt);
  if (rejection) return `SES ${rejection} verdict FAIL for message ${mail.messageId}: not added to the timeline`;
  const from = sender(notification);
  if (!from) return `SES message ${mail.messageId}: no usable sender address`;
  const headers = mail.commonHeaders;
  const raw = rawMime(notification);
  const snippet = raw ? mimeSnippet(raw) : undefined;
  const subject = headers?.subject || undefined;
  const to = receipt.recipients.length ? receipt.recipients : mail.destination;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: mail.messageId,
      type: 'email.received',
      channel: 'email',
      occurredAt: fromDateString(mail.timestamp) ?? fromDateString(envelope.Timestamp),
      identities: [{ type: 'email', value: from.address }],
      traits: { name: from.name },
      summary: emailSummary(subject, snippet),
      data: {
        messageId: stripAngleBrackets(headers?.messageId) ?? mail.messageId,
        from: from.address,
        to: to.length ? to : parseMailboxList(headers?.to?.join(', ')).map((m) => m.address),
        subject,
        snippet,
      },
    },
    ctx,
  );
  return event ?? `SES message ${mail.messageId}: sender ${from.address} is not a usable email identity`;
};

const confirmation = (envelope: SnsEnvelope, ctx: NormalizeContext): HydrationRequest | string => {
  if (!envelope.SubscribeURL) return `SubscriptionConfirmation ${envelope.MessageId} has no SubscribeURL`;
  return {
    connector: CONNECTOR,
    kind: SUBSCRIPTION_CONFIRMATION_KIND,
    params: { subscribeUrl: envelope.SubscribeURL, topicArn: envelope.TopicArn },
    providerEventId: envelope.MessageId,
    occurredAt: fromDateString(envelope.Timestamp),
    receivedAt: ctx.receivedAt,
  };
};

export const normalizeSes = (payload: SesPayload, ctx: NormalizeContext): NormalizeResult => {
  const { envelope } = payload;
  switch (envelope.Type) {
    case 'SubscriptionConfirmation': {
      const request = confirmation(envelope, ctx);
      return typeof request === 'string'
        ? { events: [], ignored: [request] }
        : { events: [], ignored: [], hydrations: [request] };
    }
    case 'UnsubscribeConfirmation':
      return { events: [], ignored: [`SNS unsubscribe confirmation for ${envelope.TopicArn}: nothing to do`] };
    case 'Notification': {
      if (!payload.received)
        return { events: [], ignored: [payload.skipped ?? 'SNS notification is not an SES receipt'] };
      const result = normalizeReceived(envelope, payload.received, ctx);
      return typeof result === 'string' ? { events: [], ignored: [result] } : { events: [result], ignored: [] };
    }
    default:
      return { events: [], ignored: [`unsupported SNS message type: ${envelope.Type}`] };
  }
};
