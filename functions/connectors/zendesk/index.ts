/**
 * Zendesk webhooks: ticket events (event subscriptions) and trigger
 * notifications → ticket events on the help desk channel. Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import { hmac, safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeZendesk } from './normalize.js';
import { ZendeskEventSchema, ZendeskTriggerSchema, type ZendeskDelivery } from './schema.js';
import { zendeskMeta } from './meta.js';

const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

/**
 * How old a signature timestamp may be. Zendesk documents no window; its
 * retries come within minutes, and a replay inside the window changes
 * nothing (event ids come from the body), so an hour refuses stale captures
 * without refusing a slow retry.
 */
const ZENDESK_REPLAY_WINDOW_SECONDS = 3600;

/**
 * The header value Zendesk sends: base64(HMAC-SHA256(signing secret as the
 * literal text Admin Center shows — not base64-decoded — over timestamp +
 * raw body)), no separator
 * (https://developer.zendesk.com/documentation/webhooks/verifying/).
 */
const zendeskSignature = (timestamp: string, body: Buffer, secret: string): string =>
  hmac('sha256', secret, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), 'base64');

const verify = (req: RawRequest, secret: string | undefined, now: Date): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No Zendesk signing secret is configured' };
  const signature = req.headers[ZENDESK_SIGNATURE_HEADER]?.trim();
  const timestamp = req.headers[ZENDESK_TIMESTAMP_HEADER]?.trim();
  if (!signature) return { ok: false, reason: 'Missing X-Zendesk-Webhook-Signature header' };
  if (!timestamp) return { ok: false, reason: 'Missing X-Zendesk-Webhook-Signature-Timestamp header' };
  if (!safeEqual(signature, zendeskSignature(timestamp, req.body, secret)))
    return { ok: false, reason: 'X-Zendesk-Webhook-Signature does not match the timestamp and body' };
  // Checked after the signature, so an attacker learns nothing from which check failed.
  const signedAt = Date.parse(timestamp);
  if (Number.isNaN(signedAt) || Math.abs(now.getTime() - signedAt) > ZENDESK_REPLAY_WINDOW_SECONDS * 1000)
    return { ok: false, reason: 'X-Zendesk-Webhook-Signature-Timestamp is outside the replay window', stale: true };
  return { ok: true };
};

const parse = (req: RawRequest): ZendeskDelivery => {
  const json = parseJson(req);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ValidationError('A Zendesk webhook body is a JSON object');
  if (typeof (json as { type?: unknown }).type === 'string')
    return { kind: 'event', event: validate(ZendeskEventSchema, json, 'Zendesk event') };
  return {
    kind: 'trigger',
    trigger: validate(ZendeskTriggerSchema, json, 'Zendesk trigger body'),
    bodyDigest: createHash('sha256').update(req.body).digest('hex').slice(0, 32),
  };
};

export const zendeskConnector = defineConnector({
  ...zendeskMeta,
  verify: (req, secrets, ctx) => verify(req, secrets.secret, ctx.now),
  parse,
  normalize: normalizeZendesk,
  signSample: (sample, secrets) => {
    const timestamp = sample.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const headers: Record<string, string> = {
      'X-Zendesk-Webhook-Id': '01GK8E6BKWMJZD2T8Y5AXJQMG5',
      'X-Zendesk-Webhook-Invocation-Id': createHash('md5').update(sample.body).digest('hex'),
      'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
    };
    if (secrets.secret)
      headers['X-Zendesk-Webhook-Signature'] = zendeskSignature(timestamp, sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
