/**
 * Meta's webhook authentication, shared by every Meta product (WhatsApp,
 * Messenger, Instagram, Page webhooks such as lead ads):
 *
 * - POST: `X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256(app secret, raw body)>`,
 *   computed over the exact bytes received. Meta escapes non-ASCII as
 *   `\uXXXX`, so hashing a re-serialization of the parsed JSON never matches.
 * - GET: the subscription check `?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
 *   must echo the challenge as plain text when the token is ours.
 */
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { errorResponse, textResponse, type HttpResponse, type RawRequest } from '../../shared/http.js';
import type { ConnectorSecrets, VerifyResult } from '../types.js';
import { hmac, safeEqual, stripPrefix } from './signature.js';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

/** The header value Meta would send for `body`. */
const metaSignature = (body: Buffer, appSecret: string): string => `${PREFIX}${hmac('sha256', appSecret, body, 'hex')}`;

/** Checks the header against the raw body in constant time; fails closed on anything missing. */
export const verifyMetaSignature = (
  body: Buffer,
  header: string | undefined,
  appSecret: string | undefined,
): VerifyResult => {
  if (!appSecret) return { ok: false, reason: 'No app secret is configured' };
  if (!header) return { ok: false, reason: 'Missing X-Hub-Signature-256 header' };
  const provided = stripPrefix(header.trim(), PREFIX);
  if (!provided) return { ok: false, reason: 'X-Hub-Signature-256 does not start with sha256=' };
  const expected = hmac('sha256', appSecret, body, 'hex');
  return safeEqual(provided.toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
};

/**
 * Meta's subscription check. 200 text/plain with the challenge when the
 * token matches `secrets.verifyToken`; 403 when it doesn't or none is
 * configured (fails closed); 400 when a parameter is missing.
 */
export const metaHandshake = (req: RawRequest, secrets: ConnectorSecrets): HttpResponse => {
  const mode = req.query['hub.mode'];
  const token = req.query['hub.verify_token'];
  const challenge = req.query['hub.challenge'];
  if (mode !== 'subscribe' || !token || !challenge) {
    return errorResponse(
      new ValidationError('A verification request needs hub.mode=subscribe, hub.verify_token and hub.challenge'),
    );
  }
  if (!safeEqual(token, secrets.verifyToken)) {
    return errorResponse(new ForbiddenError('hub.verify_token does not match the configured verify token'));
  }
  return textResponse(200, challenge);
};

/** `signSample` of every Meta connector: the header Meta would add, none without a secret. */
export const signMetaSample = (
  sample: { url: string; body: Buffer },
  secrets: ConnectorSecrets,
): { url: string; headers: Record<string, string> } => {
  const headers: Record<string, string> = {};
  if (secrets.secret) headers[META_SIGNATURE_HEADER] = metaSignature(sample.body, secrets.secret);
  return { url: sample.url, headers };
};
