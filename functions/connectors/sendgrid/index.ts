/**
 * SendGrid Event Webhook (signed): delivered, open, click, bounce, dropped,
 * spam reports and unsubscribes of the business's mail → receipts and
 * consent. Setup: ./README.md.
 */
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeSendGrid } from './normalize.js';
import { SendGridBatchSchema, type SendGridEvent } from './schema.js';
import { signSendGrid, verificationKey, verifySendGridSignature } from './signature.js';
import { sendgridMeta } from './meta.js';

const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/**
 * SendGrid documents no window. It retries a failed POST for up to 24 hours;
 * whether a retry is signed anew is not documented, so the window is that
 * day: a replay within it changes nothing (events are keyed on sg_event_id).
 */
const SENDGRID_REPLAY_WINDOW_SECONDS = 24 * 3600;

const verify = (req: RawRequest, publicKey: string | undefined, now: Date): VerifyResult => {
  if (!publicKey) return { ok: false, reason: 'No SendGrid verification key is configured' };
  const key = verificationKey(publicKey);
  if (!key) return { ok: false, reason: 'The configured SendGrid verification key is not a P-256 public key' };
  const signature = req.headers[SENDGRID_SIGNATURE_HEADER]?.trim();
  const timestamp = req.headers[SENDGRID_TIMESTAMP_HEADER]?.trim();
  if (!signature) return { ok: false, reason: 'Missing X-Twilio-Email-Event-Webhook-Signature header' };
  if (!timestamp) return { ok: false, reason: 'Missing X-Twilio-Email-Event-Webhook-Timestamp header' };
  if (!verifySendGridSignature(key, timestamp, req.body, signature))
    return { ok: false, reason: 'X-Twilio-Email-Event-Webhook-Signature does not verify over the timestamp and body' };
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds) || Math.abs(now.getTime() / 1000 - seconds) > SENDGRID_REPLAY_WINDOW_SECONDS)
    return { ok: false, reason: 'X-Twilio-Email-Event-Webhook-Timestamp is outside the replay window', stale: true };
  return { ok: true };
};

export const sendgridConnector = defineConnector({
  ...sendgridMeta,
  verify: (req, secrets, ctx) => verify(req, secrets.secret, ctx.now),
  parse: (req: RawRequest): SendGridEvent[] => validate(SendGridBatchSchema, parseJson(req), 'SendGrid event batch'),
  normalize: normalizeSendGrid,
  signSample: (sample, secrets) => {
    const timestamp = String(Math.floor(sample.now.getTime() / 1000));
    const headers: Record<string, string> = { [SENDGRID_TIMESTAMP_HEADER]: timestamp };
    if (secrets.signingKey)
      headers[SENDGRID_SIGNATURE_HEADER] = signSendGrid(secrets.signingKey, timestamp, sample.body);
    return { url: sample.url, headers };
  },
});
