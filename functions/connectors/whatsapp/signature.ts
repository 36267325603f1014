/**
 * Meta's webhook signature (WhatsApp, Messenger, Instagram):
 * `X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256(app secret, raw body)>`.
 * Computed over the exact bytes received: Meta escapes non-ASCII as `\uXXXX`,
 * so hashing a re-serialization of the parsed JSON would never match.
 */
import { hmac, safeEqual, stripPrefix } from '../shared/signature.js';
import type { VerifyResult } from '../types.js';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

/** The header value Meta would send for `body`. */
export const metaSignature = (body: Buffer, appSecret: string): string => `${PREFIX}${hmac('sha256', appSecret, body, 'hex')}`;

/** Checks the header against the raw body in constant time; fails closed on anything missing. */
export const verifyMetaSignature = (body: Buffer, header: string | undefined, appSecret: string | undefined): VerifyResult => {
  if (!appSecret) return { ok: false, reason: 'No app secret is configured' };
  if (!header) return { ok: false, reason: 'Missing X-Hub-Signature-256 header' };
  const provided = stripPrefix(header.trim(), PREFIX);
  if (!provided) return { ok: false, reason: 'X-Hub-Signature-256 does not start with sha256=' };
  const expected = hmac('sha256', appSecret, body, 'hex');
  return safeEqual(provided.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
};
