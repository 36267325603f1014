/**
 * Sending email through the Mailgun Messages API:
 * `POST /v3/{domain}/messages`, `multipart/form-data`, HTTP Basic
 * `api:<API key>`, fields `from`, `to`, `subject`, `text`, the hub's
 * message id as the user variable `v:hub-message-id` (Mailgun returns it in
 * every event's `user-variables`). The vendor id is `id`, the RFC
 * Message-ID in angle brackets; events carry it without them
 * (`message.headers.message-id`), so the brackets are stripped.
 *
 * https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-http
 * https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
 */
import * as z from 'zod';
import { secretEnvName } from '../shared/secret-env.js';
import {
  baseUrlOf,
  callVendor,
  failureFrom,
  isFailure,
  notConfigured,
  unexpectedBody,
  type ErrorRule,
  type OutboundMessage,
  type SendContext,
  type Sender,
  type SendOutcome,
} from '../shared/sender.js';
import { MAILGUN_API_BASE_URL, mailgunSenderSecrets } from './meta.js';

const CONNECTOR = 'mailgun';

/**
 * The hub's own cap on an email's text (Mailgun takes 25 MB messages): it
 * bounds what a message record holds.
 */
export const EMAIL_TEXT_LIMIT = 50_000;

/** Mailgun answers errors with an HTTP status and `{ message }`. */
const MAILGUN_ERRORS: Readonly<Record<string, ErrorRule>> = {
  '400': { failure: 'payload', meaning: 'Bad request (a missing or invalid field, e.g. the address)' },
  '401': { failure: 'channel', meaning: 'API key rejected (or the domain is in the other region)' },
  '402': { failure: 'channel', meaning: 'Request failed: account or plan restriction' },
  '403': { failure: 'channel', meaning: 'Forbidden' },
  '404': { failure: 'channel', meaning: 'Domain not found' },
  '413': { failure: 'payload', meaning: 'Message too large' },
  '429': { failure: 'transient', meaning: 'Rate limited' },
};

const SuccessSchema = z.object({ id: z.string().min(3) });
const ErrorSchema = z.object({ message: z.string() });

/** `OMNIHUB_SENDER_MAILGUN`: the sending domain (`mg.example.com`) or a From (`Shop <shop@mg.example.com>`). */
export const mailgunIdentity = (sender: string): { domain: string; from: string } | undefined => {
  const text = sender.trim();
  const address = /<([^<>@\s]+@([^<>@\s]+))>\s*$/.exec(text) ?? /^([^<>@\s]+@([^<>@\s]+))$/.exec(text);
  if (address?.[2]) return { domain: address[2].toLowerCase(), from: text };
  return /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(text) ? { domain: text.toLowerCase(), from: `noreply@${text}` } : undefined;
};

/** The first line of the text, shortened, when the request gave no subject. */
export const defaultSubject = (text: string): string => {
  const line =
    text
      .split(/\r?\n/)
      .find((l) => l.trim())
      ?.trim() ?? '';
  return line.length > 78 ? `${line.slice(0, 77)}…` : line || '(no subject)';
};

const mailgunRequestBody = (message: OutboundMessage, from: string): FormData => {
  const form = new FormData();
  form.set('from', from);
  form.set('to', message.to);
  form.set('subject', message.subject ?? defaultSubject(message.text ?? ''));
  form.set('text', message.text ?? '');
  form.set('o:tag', message.purpose);
  form.set('v:hub-message-id', message.messageId);
  return form;
};

const missing = (secrets: SendContext['secrets']): string | undefined =>
  !secrets.apiToken
    ? `${secretEnvName('API_TOKEN', CONNECTOR)} (the Mailgun API key) is not set`
    : !secrets.sender || !mailgunIdentity(secrets.sender)
      ? `${secretEnvName('SENDER', CONNECTOR)} must be the sending domain or a From address on it`
      : undefined;

const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
  const identity = ctx.secrets.sender ? mailgunIdentity(ctx.secrets.sender) : undefined;
  const key = ctx.secrets.apiToken;
  if (!key || !identity) return notConfigured(missing(ctx.secrets) ?? 'Mailgun is not configured');
  const res = await callVendor(
    ctx.fetch,
    `${baseUrlOf(ctx.secrets, MAILGUN_API_BASE_URL)}/v3/${encodeURIComponent(identity.domain)}/messages`,
    {
      headers: { authorization: `Basic ${Buffer.from(`api:${key}`).toString('base64')}` },
      // fetch sets multipart/form-data with its boundary.
      body: mailgunRequestBody(message, identity.from),
    },
  );
  if (isFailure(res)) return res;
  if (res.status >= 200 && res.status < 300) {
    const ok = SuccessSchema.safeParse(res.json);
    return ok.success
      ? { kind: 'sent', vendorMessageId: ok.data.id.replace(/^<|>$/g, '') }
      : unexpectedBody('Mailgun', res);
  }
  const error = ErrorSchema.safeParse(res.json);
  return failureFrom(
    MAILGUN_ERRORS,
    String(res.status),
    error.success ? error.data.message : `HTTP ${res.status}`,
    res,
    ctx.now,
  );
};

export const mailgunSender: Sender = {
  connector: CONNECTOR,
  channel: 'email',
  textLimit: { max: EMAIL_TEXT_LIMIT, unit: 'characters' },
  templates: false,
  secrets: mailgunSenderSecrets,
  missingConfiguration: missing,
  send,
};
