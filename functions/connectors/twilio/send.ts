/**
 * Sending SMS through Twilio Programmable Messaging:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded,
 * HTTP Basic `AccountSid:AuthToken`, `To` + `From` (a Twilio number or
 * sender id) or `MessagingServiceSid` (`MG…`) + `Body`, and `StatusCallback`
 * pointing at the hub's own Twilio webhook so delivery receipts come back.
 * The vendor id is the Message `sid` (`SM…`).
 *
 * https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 * https://www.twilio.com/docs/api/errors
 */
import * as z from 'zod';
import { secretEnvName } from '../shared/secret-env.js';
import {
  baseUrlOf,
  callVendor,
  failureFrom,
  isFailure,
  marksUnreachable,
  notConfigured,
  unexpectedBody,
  type ErrorRule,
  type OutboundMessage,
  type SendContext,
  type Sender,
  type SendOutcome,
} from '../shared/sender.js';
import { TWILIO_API_BASE_URL, twilioSenderSecrets } from './meta.js';

const CONNECTOR = 'twilio';

/** Longest concatenated `Body` Twilio accepts (error 21617 above it). */
const TWILIO_TEXT_LIMIT = 1600;

/**
 * Twilio error codes, for the synchronous error body (`code`) and the status
 * callbacks' `ErrorCode` alike. Twilio splits codes over time, so an
 * unlisted one falls back to the HTTP status (and to transient when async).
 */
const TWILIO_ERRORS: Readonly<Record<string, ErrorRule>> = {
  '21610': { failure: 'recipient', meaning: 'She replied STOP to this sender' },
  '21211': { failure: 'recipient', meaning: "Invalid 'To' phone number" },
  '21614': { failure: 'recipient', meaning: "'To' is not a mobile number" },
  '21635': { failure: 'recipient', meaning: "'To' is a landline" },
  '21612': { failure: 'recipient', meaning: "'To' cannot be reached from this 'From'" },
  '30005': { failure: 'recipient', meaning: 'Unknown destination handset' },
  '30006': { failure: 'recipient', meaning: 'Landline or unreachable carrier' },
  '21408': { failure: 'channel', meaning: 'Sending to this region is not enabled on the account' },
  '21606': { failure: 'channel', meaning: "'From' cannot send SMS" },
  '21608': { failure: 'channel', meaning: 'Trial account: the number is not verified' },
  '21659': { failure: 'channel', meaning: "'From' is not a Twilio number of this account" },
  '20003': { failure: 'channel', meaning: 'Authentication failed' },
  '20404': { failure: 'channel', meaning: 'Account or resource not found' },
  '21602': { failure: 'payload', meaning: 'Message body is required' },
  '21617': { failure: 'payload', meaning: 'Body exceeds 1600 characters' },
  '30007': { failure: 'payload', meaning: 'Filtered by the carrier' },
  '63016': { failure: 'payload', meaning: 'Outside the WhatsApp 24 h window', needsTemplate: true },
  '20429': { failure: 'transient', meaning: 'Too many requests' },
  '30001': { failure: 'transient', meaning: 'Carrier queue overflow' },
  '30003': { failure: 'transient', meaning: 'Handset unreachable (off or no coverage)' },
  '30008': { failure: 'transient', meaning: 'Unknown carrier error' },
};

/** For the status-callback normalizer: does this `ErrorCode` mean the number cannot take SMS? */
export const twilioErrorMarksUnreachable = (code: string | undefined): boolean => marksUnreachable(TWILIO_ERRORS, code);

const SuccessSchema = z.object({ sid: z.string().regex(/^(SM|MM)/) });
const ErrorSchema = z.object({ code: z.union([z.number(), z.string()]), message: z.string().optional() });

/** `AccountSid:AuthToken` (or `ApiKeySid:ApiKeySecret` with the account sid first: `AC…:SK…:secret`). */
const credentials = (apiToken: string): { accountSid: string; user: string; password: string } | undefined => {
  const parts = apiToken.split(':');
  if (parts.length === 2 && parts[0] && parts[1]) return { accountSid: parts[0], user: parts[0], password: parts[1] };
  if (parts.length === 3 && parts[0] && parts[1] && parts[2])
    return { accountSid: parts[0], user: parts[1], password: parts[2] };
  return undefined;
};

const twilioRequestBody = (message: OutboundMessage, sender: string, statusCallback?: string) => {
  const form = new URLSearchParams();
  form.set('To', message.to);
  form.set(sender.startsWith('MG') ? 'MessagingServiceSid' : 'From', sender);
  form.set('Body', message.text ?? '');
  if (statusCallback) form.set('StatusCallback', statusCallback);
  return form;
};

const missing = (secrets: SendContext['secrets']): string | undefined =>
  !secrets.apiToken || !credentials(secrets.apiToken)
    ? `${secretEnvName('API_TOKEN', CONNECTOR)} must be AccountSid:AuthToken`
    : !secrets.sender
      ? `${secretEnvName('SENDER', CONNECTOR)} (a Twilio number in E.164 or a Messaging Service sid MG…) is not set`
      : undefined;

const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
  const creds = ctx.secrets.apiToken ? credentials(ctx.secrets.apiToken) : undefined;
  const sender = ctx.secrets.sender;
  if (!creds || !sender) return notConfigured(missing(ctx.secrets) ?? 'Twilio is not configured');
  const statusCallback = ctx.publicBaseUrl ? `${ctx.publicBaseUrl.replace(/\/+$/, '')}/webhooks/twilio` : undefined;
  const res = await callVendor(
    ctx.fetch,
    `${baseUrlOf(ctx.secrets, TWILIO_API_BASE_URL)}/2010-04-01/Accounts/${encodeURIComponent(creds.accountSid)}/Messages.json`,
    {
      headers: {
        authorization: `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: twilioRequestBody(message, sender, statusCallback),
    },
  );
  if (isFailure(res)) return res;
  if (res.status >= 200 && res.status < 300) {
    const ok = SuccessSchema.safeParse(res.json);
    return ok.success ? { kind: 'sent', vendorMessageId: ok.data.sid } : unexpectedBody('Twilio', res);
  }
  const error = ErrorSchema.safeParse(res.json);
  const code = error.success ? String(error.data.code) : String(res.status);
  return failureFrom(
    TWILIO_ERRORS,
    code,
    error.success ? (error.data.message ?? `HTTP ${res.status}`) : `HTTP ${res.status}`,
    res,
    ctx.now,
  );
};

export const twilioSender: Sender = {
  connector: CONNECTOR,
  channel: 'sms',
  textLimit: { max: TWILIO_TEXT_LIMIT, unit: 'characters' },
  templates: false,
  secrets: twilioSenderSecrets,
  missingConfiguration: missing,
  send,
};
