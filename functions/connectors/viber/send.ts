/**
 * Sending through the Viber REST Bot API: `POST /pa/send_message` with the
 * bot's auth token in `X-Viber-Auth-Token` (the same token Viber signs its
 * callbacks with) and `sender.name` (required, ≤ 28 characters). Viber
 * answers HTTP 200 for errors too: `status` decides, never the HTTP code.
 * The vendor id is `message_token`, a 64-bit integer kept as its exact
 * decimal string; the `delivered`/`seen`/`failed` callbacks report on it.
 *
 * https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 * https://creators.viber.com/docs/bots-api/errors
 */
import * as z from 'zod';
import { parseJsonPreservingIntegers } from '../shared/json-integers.js';
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
import { VIBER_API_BASE_URL, VIBER_SENDER_NAME_LIMIT, viberSenderSecrets } from './meta.js';

const CONNECTOR = 'viber';

/** Text limit of a `text` message. */
const VIBER_TEXT_LIMIT = 7000;

/** Viber's `status` codes, classified (names from the REST Bot API error table). */
const VIBER_ERRORS: Readonly<Record<string, ErrorRule>> = {
  '1': { failure: 'channel', meaning: 'invalidUrl: the webhook URL is not valid' },
  '2': { failure: 'channel', meaning: 'invalidAuthToken' },
  '3': { failure: 'payload', meaning: 'badData: malformed request' },
  '4': { failure: 'payload', meaning: 'missingData: a mandatory field is missing' },
  '5': { failure: 'recipient', meaning: 'receiverNotRegistered: not a Viber user' },
  '6': { failure: 'recipient', meaning: 'receiverNotSubscribed: not subscribed to the bot' },
  '7': { failure: 'channel', meaning: 'publicAccountBlocked' },
  '8': { failure: 'channel', meaning: 'publicAccountNotFound' },
  '9': { failure: 'channel', meaning: 'publicAccountSuspended' },
  '10': { failure: 'channel', meaning: 'webhookNotSet: a webhook is required before sending' },
  '11': { failure: 'recipient', meaning: 'receiverNoSuitableDevice' },
  '12': { failure: 'transient', meaning: 'tooManyRequests (rate limit, or 100 messages/h without a reply)' },
  '13': { failure: 'payload', meaning: 'apiVersionNotSupported' },
  '14': { failure: 'payload', meaning: 'incompatibleWithVersion' },
  '15': { failure: 'channel', meaning: 'publicAccountNotAuthorized' },
  '16': { failure: 'payload', meaning: 'inchatReplyMessageNotAllowed' },
  '17': { failure: 'payload', meaning: 'publicAccountIsNotInline' },
  '18': { failure: 'payload', meaning: 'noPublicChat' },
  '19': { failure: 'payload', meaning: 'cannotSendBroadcast' },
  '20': { failure: 'payload', meaning: 'broadcastNotAllowed' },
  '21': { failure: 'recipient', meaning: 'unsupportedCountry' },
  '22': { failure: 'payload', meaning: 'paymentUnsupported' },
  '23': { failure: 'channel', meaning: 'freeMessagesExceeded' },
  '24': { failure: 'channel', meaning: 'noBalance' },
};

const ResponseSchema = z.object({
  status: z.number().int(),
  status_message: z.string().optional(),
  message_token: z.string().optional(),
});

const viberRequestBody = (message: OutboundMessage, senderName: string) => ({
  receiver: message.to,
  min_api_version: 1,
  sender: { name: senderName.slice(0, VIBER_SENDER_NAME_LIMIT) },
  // Echoed back in her reply: which hub message she answers.
  tracking_data: message.messageId,
  type: 'text',
  text: message.text ?? '',
});

const missing = (secrets: SendContext['secrets']): string | undefined =>
  !secrets.secret
    ? `${secretEnvName('SECRET', CONNECTOR)} (the bot auth token) is not set`
    : !secrets.sender
      ? `${secretEnvName('SENDER', CONNECTOR)} (the sender name shown in the chat, ≤ 28 characters) is not set`
      : undefined;

const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
  const { secret: token, sender } = ctx.secrets;
  if (!token || !sender) return notConfigured(missing(ctx.secrets) ?? 'Viber is not configured');
  const res = await callVendor(
    ctx.fetch,
    `${baseUrlOf(ctx.secrets, VIBER_API_BASE_URL)}/send_message`,
    {
      headers: { 'x-viber-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify(viberRequestBody(message, sender)),
    },
    (text) => parseJsonPreservingIntegers(text, ['message_token']),
  );
  if (isFailure(res)) return res;
  const body = ResponseSchema.safeParse(res.json);
  if (!body.success) {
    return res.status >= 200 && res.status < 300
      ? unexpectedBody('Viber', res)
      : failureFrom(VIBER_ERRORS, String(res.status), `HTTP ${res.status}`, res, ctx.now);
  }
  if (body.data.status === 0) {
    return body.data.message_token
      ? { kind: 'sent', vendorMessageId: body.data.message_token }
      : unexpectedBody('Viber', res);
  }
  // Unknown statuses are "General error": transient, retried a limited number of times.
  const code = String(body.data.status);
  const failure = failureFrom(VIBER_ERRORS, code, body.data.status_message ?? 'error', res, ctx.now);
  return VIBER_ERRORS[code] ? failure : { ...failure, failure: 'transient' };
};

export const viberSender: Sender = {
  connector: CONNECTOR,
  channel: 'viber',
  textLimit: { max: VIBER_TEXT_LIMIT, unit: 'characters' },
  templates: false,
  secrets: viberSenderSecrets,
  missingConfiguration: missing,
  send,
};
