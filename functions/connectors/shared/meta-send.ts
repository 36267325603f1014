/**
 * Meta's Send API, shared by Messenger and Instagram messaging (an
 * Instagram professional account linked to a Page is written to through the
 * same endpoint, with the customer's IGSID): `POST /{PAGE-ID}/messages`
 * (`/me/messages` when no Page id is configured) with the Page access token
 * as a Bearer token, `messaging_type` RESPONSE / UPDATE inside the 24 h
 * standard window and MESSAGE_TAG with a `tag` outside it.
 *
 * https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes
 */
import * as z from 'zod';
import type { OutboundChannel } from '../../domain/reachability/types.js';
import { secretEnvName } from './secret-env.js';
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
} from './sender.js';
import { META_GRAPH_API_BASE_URL } from './meta-send-secrets.js';
import type { SecretSpec } from '../types.js';

/**
 * Send API errors, keyed `<code>/<error_subcode>` first, then `<code>`.
 * Meta documents the messages; several numeric pairs are the ones its
 * community reports (see ../shared vendor-send digest).
 */
const META_SEND_ERRORS: Readonly<Record<string, ErrorRule>> = {
  '551': { failure: 'recipient', meaning: "This person isn't available right now (blocked the Page or left)" },
  '100/2018001': { failure: 'recipient', meaning: 'No matching user found' },
  '10/2018278': { failure: 'payload', meaning: 'Sent outside the allowed window' },
  '10/2018065': { failure: 'payload', meaning: 'Outside the window without the permission it needs' },
  '1200': { failure: 'transient', meaning: 'Temporary send message failure' },
  '2': { failure: 'transient', meaning: 'Unexpected error, retry later' },
  '4': { failure: 'transient', meaning: 'Application request limit reached' },
  '613': { failure: 'transient', meaning: 'Rate limit exceeded' },
  '190': { failure: 'channel', meaning: 'Invalid Page access token' },
  '200': { failure: 'channel', meaning: 'Permission missing (pages_messaging)' },
  '230': { failure: 'channel', meaning: 'Permission missing' },
  '10': { failure: 'channel', meaning: 'Permission denied' },
  '368': { failure: 'channel', meaning: 'Temporarily blocked for policy violations' },
  '100': { failure: 'payload', meaning: 'Invalid parameter' },
};

const SuccessSchema = z.object({ message_id: z.string().min(1), recipient_id: z.string().optional() });
const ErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.union([z.number(), z.string()]),
    error_subcode: z.union([z.number(), z.string()]).optional(),
  }),
});

/** RESPONSE answers her; UPDATE is a proactive message inside the window; MESSAGE_TAG carries a tag outside it. */
const metaRequestBody = (message: OutboundMessage) => ({
  recipient: { id: message.to },
  messaging_type: message.mode === 'tagged' ? 'MESSAGE_TAG' : message.purpose === 'service' ? 'RESPONSE' : 'UPDATE',
  ...(message.mode === 'tagged' && message.messageTag ? { tag: message.messageTag } : {}),
  message: { text: message.text ?? '' },
});

/** A Send API sender for one Meta platform (its own connector, secret and limits). */
export const metaSender = (opts: {
  connector: 'messenger' | 'instagram';
  channel: OutboundChannel;
  vendor: string;
  textLimit: Sender['textLimit'];
  /** Its keys, from the connector's `meta.ts` (`metaSenderSecrets`). */
  secrets: readonly SecretSpec[];
}): Sender => {
  const missing = (secrets: SendContext['secrets']): string | undefined =>
    secrets.apiToken ? undefined : `${secretEnvName('API_TOKEN', opts.connector)} (Page access token) is not set`;
  const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
    const token = ctx.secrets.apiToken;
    if (!token) return notConfigured(missing(ctx.secrets) ?? `${opts.vendor} is not configured`);
    const node = ctx.secrets.sender ? encodeURIComponent(ctx.secrets.sender) : 'me';
    const res = await callVendor(ctx.fetch, `${baseUrlOf(ctx.secrets, META_GRAPH_API_BASE_URL)}/${node}/messages`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(metaRequestBody(message)),
    });
    if (isFailure(res)) return res;
    if (res.status >= 200 && res.status < 300) {
      const ok = SuccessSchema.safeParse(res.json);
      return ok.success ? { kind: 'sent', vendorMessageId: ok.data.message_id } : unexpectedBody(opts.vendor, res);
    }
    const error = ErrorSchema.safeParse(res.json);
    if (!error.success) return failureFrom(META_SEND_ERRORS, String(res.status), `HTTP ${res.status}`, res, ctx.now);
    const { code, error_subcode: subcode, message: text } = error.data.error;
    const pair = subcode !== undefined ? `${code}/${subcode}` : undefined;
    const key = pair && META_SEND_ERRORS[pair] ? pair : String(code);
    return failureFrom(META_SEND_ERRORS, key, text ?? `HTTP ${res.status}`, res, ctx.now);
  };
  return {
    connector: opts.connector,
    channel: opts.channel,
    textLimit: opts.textLimit,
    templates: false,
    secrets: opts.secrets,
    missingConfiguration: missing,
    send,
  };
};
