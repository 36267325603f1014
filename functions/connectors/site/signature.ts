/**
 * Standard Webhooks authentication (https://www.standardwebhooks.com/):
 * `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`,
 * a space-separated list so a sender can sign with an old and a new key
 * while rotating. The key handling and the signature itself come from the
 * official `standardwebhooks` library, so what the hub checks is exactly
 * what any team's off-the-shelf sender produces.
 *
 * The library's own `Webhook.verify` reads the clock with `Date.now()`, which
 * cannot be injected; the hub's replay window runs on `VerifyContext.now`
 * instead (pinned in tests, the Lambda's clock in production), so this module
 * checks the timestamp and the signature list itself and lets the library
 * compute the expected signature with `Webhook.sign`.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { safeEqual, withinWindow } from '../shared/signature.js';
import type { VerifyResult } from '../types.js';
import { SITE_SECRET_PREFIX as SECRET_PREFIX, siteKeyBytes } from './meta.js';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** The spec's and the library's tolerance, either side of the hub's clock. */
const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** The spec asks for at least 24 random bytes; 64 is its maximum. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/**
 * Ids are the dedup key and part of the signed content; the spec forbids
 * `.` in them so the `<id>.<timestamp>.<body>` split cannot be shifted.
 */
const WEBHOOK_ID = /^[^\s.]{1,256}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The library's `Webhook` for a configured secret.
 *
 * - `whsec_<base64>` (the serialized form to hand out): decoded by the
 *   library, and must hold 24–64 bytes;
 * - anything else is read the way `new Webhook(secret)` reads it (base64)
 *   when it decodes, else as raw UTF-8 bytes (`{ format: 'raw' }`), so a
 *   sender configured with the same string and the matching library option
 *   agrees with the hub.
 *
 * Every form must hold at least 24 bytes of key (a 1-byte key used to pass):
 * throws for a shorter key, and (with the library's message) for an
 * unusable `whsec_` secret.
 */
export const standardWebhook = (secret: string): Webhook => {
  const bytes = siteKeyBytes(secret);
  if (secret.startsWith(SECRET_PREFIX)) {
    const webhook = new Webhook(secret);
    if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) {
      throw new Error(
        `a whsec_ secret must hold ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} random bytes, this one holds ${bytes}`,
      );
    }
    return webhook;
  }
  if (bytes < MIN_KEY_BYTES)
    throw new Error(`the signing key must hold at least ${MIN_KEY_BYTES} bytes, this one holds ${bytes}`);
  try {
    return new Webhook(secret);
  } catch {
    return new Webhook(secret, { format: 'raw' });
  }
};

/** A fresh `whsec_` secret of 32 random bytes, the form the README tells operators to hand out. */
export const generateSecret = (): string => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

const fail = (reason: string): VerifyResult => ({ ok: false, reason });
const stale = (reason: string): VerifyResult => ({ ok: false, stale: true, reason });

export interface StandardWebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * Verifies a delivery against the raw body. Never throws: a missing or
 * unusable secret, missing headers and a mismatch are `{ ok: false }`; a
 * timestamp that is not unix seconds or is outside ±5 minutes of `now` is
 * `{ ok: false, stale: true }`.
 */
export const verifyStandardWebhook = (
  body: Buffer,
  headers: StandardWebhookHeaders,
  secret: string | undefined,
  now: Date,
): VerifyResult => {
  if (!secret) return fail('No signing secret is configured');
  let webhook: Webhook;
  try {
    webhook = standardWebhook(secret);
  } catch (err) {
    return fail(`The configured signing secret is not usable: ${(err as Error).message}`);
  }
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return fail('Missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!WEBHOOK_ID.test(id)) return fail('webhook-id must be 1–256 characters without "." or whitespace');
  if (!UNIX_SECONDS.test(timestamp)) return stale('webhook-timestamp is not integer unix seconds');
  const seconds = Number(timestamp);
  if (!withinWindow(seconds, now, TIMESTAMP_TOLERANCE_SECONDS)) {
    return stale(
      `webhook-timestamp ${timestamp} is more than ${TIMESTAMP_TOLERANCE_SECONDS} s away from the hub's clock`,
    );
  }
  let expected: string;
  try {
    expected = webhook.sign(id, new Date(seconds * 1000), body).slice('v1,'.length);
  } catch (err) {
    return fail(`The delivery could not be signed for comparison: ${(err as Error).message}`);
  }
  const matches = signature
    .split(' ')
    .filter(Boolean)
    .some((entry) => {
      const comma = entry.indexOf(',');
      return comma > 0 && entry.slice(0, comma) === 'v1' && safeEqual(entry.slice(comma + 1), expected);
    });
  return matches ? { ok: true } : fail('No v1 signature in webhook-signature matches the body');
};

/** The three headers a Standard Webhooks sender adds, signed with the library. */
export const signStandardWebhook = (body: Buffer, secret: string, id: string, at: Date): Record<string, string> => ({
  [WEBHOOK_ID_HEADER]: id,
  [WEBHOOK_TIMESTAMP_HEADER]: String(Math.floor(at.getTime() / 1000)),
  [WEBHOOK_SIGNATURE_HEADER]: standardWebhook(secret).sign(id, at, body),
});
