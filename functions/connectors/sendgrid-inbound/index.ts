/**
 * SendGrid Inbound Parse: mail customers send to a parse (sub)domain, posted
 * as multipart/form-data → `email.received`. SendGrid signs nothing here;
 * the URL carries a secret as `?token=`. Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
// The multipart reader Mailgun's routes need too (one implementation; see the README's note).
import { readFormFields } from '../mailgun/form.js';
import { emailSummary, parseMailbox, parseMailboxList, stripAngleBrackets, textSnippet } from '../shared/email.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector, type NormalizeContext, type NormalizeResult } from '../types.js';
import { sendgridInboundMeta } from './meta.js';

const CONNECTOR = 'sendgrid-inbound';
const TOKEN_PARAM = 'token';

/** The parsed mail's fields SendGrid posts (https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook). */
export interface InboundParse {
  readonly fields: Readonly<Record<string, string>>;
  readonly attachments: number;
  /** Digest of the body: the dedup key of a mail without a Message-ID. */
  readonly digest: string;
}

/** One header of the raw `headers` block (folded lines unfolded); undefined when absent. */
export const headerValue = (block: string | undefined, name: string): string | undefined => {
  const unfolded = (block ?? '').replace(/\r?\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return undefined;
};

const envelopeOf = (raw: string | undefined): { from?: string; to: string[] } => {
  try {
    const json: unknown = JSON.parse(raw ?? '');
    if (typeof json !== 'object' || json === null) return { to: [] };
    const { from, to } = json as { from?: unknown; to?: unknown };
    return {
      ...(typeof from === 'string' ? { from } : {}),
      to: Array.isArray(to) ? to.filter((t): t is string => typeof t === 'string') : [],
    };
  } catch {
    return { to: [] };
  }
};

const parse = (req: RawRequest): InboundParse => {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type.trim()))
    throw new ValidationError('SendGrid Inbound Parse posts multipart/form-data');
  const { fields, files } = readFormFields(req.body, type);
  if (!fields.from && !fields.email && !fields.envelope)
    throw new ValidationError('The form has no from, email or envelope field: not an Inbound Parse post');
  return { fields, attachments: files, digest: createHash('sha256').update(req.body).digest('hex').slice(0, 32) };
};

const normalize = ({ fields, digest }: InboundParse, ctx: NormalizeContext): NormalizeResult => {
  // "Send raw" posts the whole MIME message as `email`; its headers are the block before the first blank line.
  const headers = fields.headers ?? fields.email?.split(/\r?\n\r?\n/, 1)[0];
  const envelope = envelopeOf(fields.envelope);
  // The From header is the customer; the envelope sender is a fallback (bounce addresses are shared).
  const from = parseMailbox(fields.from ?? headerValue(headers, 'from')) ?? parseMailbox(envelope.from);
  if (!from) return { events: [], ignored: ['inbound mail: no usable sender address'] };
  const spam = Number(fields.spam_score);
  if (/^\s*yes/i.test(headerValue(headers, 'x-spam-flag') ?? '') || (Number.isFinite(spam) && spam >= 5))
    return { events: [], ignored: [`inbound mail from ${from.address}: marked as spam (score ${fields.spam_score})`] };
  const messageId = stripAngleBrackets(headerValue(headers, 'message-id')) ?? `sha256:${digest}`;
  const subject = (fields.subject ?? headerValue(headers, 'subject'))?.trim() || undefined;
  const to = envelope.to.length
    ? envelope.to
    : parseMailboxList(fields.to ?? headerValue(headers, 'to')).map((m) => m.address);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: messageId,
      type: 'email.received',
      channel: 'email',
      occurredAt: fromDateString(headerValue(headers, 'date')),
      identities: [{ type: 'email', value: from.address }],
      traits: { name: from.name },
      summary: emailSummary(subject, textSnippet(fields.text)),
      data: { messageId, from: from.address, to, subject, snippet: textSnippet(fields.text) },
    },
    ctx,
  );
  return event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`inbound mail: sender ${from.address} is not a usable email identity`] };
};

export const sendgridInboundConnector = defineConnector({
  ...sendgridInboundMeta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No Inbound Parse URL token is configured' };
    const token = req.query[TOKEN_PARAM];
    if (!token) return { ok: false, reason: 'Missing ?token= in the Inbound Parse URL' };
    return safeEqual(token, secrets.secret) ? { ok: true } : { ok: false, reason: '?token= does not match' };
  },
  parse,
  normalize,
  signSample: (sample, secrets) => {
    const url = new URL(sample.url);
    if (secrets.secret) url.searchParams.set(TOKEN_PARAM, secrets.secret);
    return { url: url.toString(), headers: {} };
  },
});
