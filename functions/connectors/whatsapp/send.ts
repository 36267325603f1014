/**
 * Sending through the WhatsApp Cloud API: `POST /{phone-number-id}/messages`
 * on the Graph API with the business's access token as a Bearer token; free
 * text inside the 24 h customer service window, an approved template
 * outside it (and for marketing). The vendor message id is the `wamid.…` in
 * `messages[0].id`; the status webhooks (`statuses[]`) report on it.
 *
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes/
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
import { WHATSAPP_API_BASE_URL, whatsappSenderSecrets } from './meta.js';

const CONNECTOR = 'whatsapp';

/** Text body limit of a free-form message. */
const WHATSAPP_TEXT_LIMIT = 4096;

/**
 * The Cloud API's error codes (`error.code`), classified. Meta advises
 * acting on the code, not the title inside `message`. Unlisted codes fall
 * back to the HTTP status (`classifyHttpStatus`).
 */
export const WHATSAPP_ERRORS: Readonly<Record<string, ErrorRule>> = {
  '131026': { failure: 'recipient', meaning: 'Message undeliverable (not on WhatsApp, old app, or blocked)' },
  '131047': {
    failure: 'payload',
    meaning: 'Re-engagement: more than 24 h since her last message, only a template may go',
    needsTemplate: true,
  },
  '470': { failure: 'payload', meaning: 'Outside the free-form window (legacy code)', needsTemplate: true },
  '131050': { failure: 'payload', meaning: 'She stopped marketing messages from this business' },
  '130472': { failure: 'payload', meaning: 'Her number is part of a Meta marketing experiment' },
  '131049': { failure: 'transient', meaning: 'Meta chose not to deliver now (per-user marketing limit)' },
  '130429': { failure: 'transient', meaning: 'Cloud API throughput reached' },
  '131048': { failure: 'transient', meaning: 'Spam rate limit hit' },
  '131056': { failure: 'transient', meaning: 'Too many messages to this user in a short time (pair rate limit)' },
  '80007': { failure: 'transient', meaning: 'WhatsApp Business Account rate limit' },
  '131000': { failure: 'transient', meaning: 'Something went wrong at Meta' },
  '1': { failure: 'transient', meaning: 'Unknown API error' },
  '2': { failure: 'transient', meaning: 'Temporary service error' },
  '131031': { failure: 'channel', meaning: 'Business account locked' },
  '131042': { failure: 'channel', meaning: 'Business eligibility or payment problem' },
  '131005': { failure: 'channel', meaning: 'Access denied (permission)' },
  '133010': { failure: 'channel', meaning: 'Phone number not registered' },
  '368': { failure: 'channel', meaning: 'Temporarily blocked for policy violations' },
  '190': { failure: 'channel', meaning: 'Access token expired or invalid' },
  '10': { failure: 'channel', meaning: 'Permission denied' },
  '200': { failure: 'channel', meaning: 'Permission denied' },
  '100': { failure: 'payload', meaning: 'Invalid parameter' },
  '131008': { failure: 'payload', meaning: 'Required parameter missing' },
  '131009': { failure: 'payload', meaning: 'Parameter value invalid' },
  '131021': { failure: 'payload', meaning: 'Sender and recipient are the same number' },
  '131051': { failure: 'payload', meaning: 'Unsupported message type' },
  '132000': { failure: 'payload', meaning: 'Template parameter count mismatch' },
  '132001': { failure: 'payload', meaning: 'Template does not exist in this language' },
  '132005': { failure: 'payload', meaning: 'Translated template text too long' },
  '132007': { failure: 'payload', meaning: 'Template format character policy violated' },
  '132012': { failure: 'payload', meaning: 'Template parameter format mismatch' },
  '132015': { failure: 'payload', meaning: 'Template paused for low quality' },
  '132016': { failure: 'payload', meaning: 'Template disabled' },
};

const SuccessSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const ErrorSchema = z.object({
  error: z.object({
    code: z.union([z.number(), z.string()]),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).optional(),
  }),
});

/** The documented request body: text (`preview_url: false`) or a template with body parameters. */
const whatsappRequestBody = (message: OutboundMessage): Record<string, unknown> => {
  // `to` is the number without `+` (wa_id form); a phone identity is E.164.
  const to = message.to.replace(/^\+/, '');
  if (message.mode === 'template' && message.template) {
    const { name, language, parameters } = message.template;
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: {
        name,
        language: { policy: 'deterministic', code: language },
        ...(parameters?.length
          ? { components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] }
          : {}),
      },
    };
  }
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'text',
    text: { preview_url: false, body: message.text ?? '' },
  };
};

const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
  const { apiToken, sender } = ctx.secrets;
  if (!apiToken || !sender) return notConfigured(missing(ctx.secrets) ?? 'WhatsApp is not configured');
  const res = await callVendor(
    ctx.fetch,
    `${baseUrlOf(ctx.secrets, WHATSAPP_API_BASE_URL)}/${encodeURIComponent(sender)}/messages`,
    {
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(whatsappRequestBody(message)),
    },
  );
  if (isFailure(res)) return res;
  if (res.status >= 200 && res.status < 300) {
    const ok = SuccessSchema.safeParse(res.json);
    return ok.success
      ? { kind: 'sent', vendorMessageId: (ok.data.messages[0] as { id: string }).id }
      : unexpectedBody('WhatsApp', res);
  }
  const error = ErrorSchema.safeParse(res.json);
  const code = error.success ? String(error.data.error.code) : String(res.status);
  const text = error.success
    ? (error.data.error.error_data?.details ?? error.data.error.message ?? `HTTP ${res.status}`)
    : `HTTP ${res.status}`;
  return failureFrom(WHATSAPP_ERRORS, code, text, res, ctx.now);
};

const missing = (secrets: SendContext['secrets']): string | undefined =>
  !secrets.apiToken
    ? `${secretEnvName('API_TOKEN', CONNECTOR)} (Cloud API access token) is not set`
    : !secrets.sender
      ? `${secretEnvName('SENDER', CONNECTOR)} (phone-number id) is not set`
      : undefined;

export const whatsappSender: Sender = {
  connector: CONNECTOR,
  channel: 'whatsapp',
  textLimit: { max: WHATSAPP_TEXT_LIMIT, unit: 'characters' },
  templates: true,
  secrets: whatsappSenderSecrets,
  missingConfiguration: missing,
  send,
};
