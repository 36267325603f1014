/**
 * Mailgun webhook signatures ("Securing Webhooks"): hex HMAC-SHA256 keyed
 * with the HTTP webhook signing key over `timestamp + token`, no separator.
 * The body is NOT covered: the signature only proves that Mailgun sent a
 * request at `timestamp`; the hub accepts each (timestamp, token) once while
 * the signature is fresh (README: replay), so a captured block cannot carry
 * other content.
 */
import { hmac, safeEqual } from '../shared/signature.js';
import type { VerifyResult } from '../types.js';

/**
 * Oldest `timestamp` accepted: Mailgun retries a failed POST for ~7.5 hours
 * (5 min, 10 min, 15 min, 1 h, 2 h, 4 h) and, per Hookdeck's reference,
 * resends the original signature block, so anything shorter would refuse
 * Mailgun's own retries after an outage and lose the mail; Mailgun itself
 * warns against an aggressive check. 8 hours covers the schedule.
 */
export const MAILGUN_MAX_AGE_SECONDS = 8 * 3600;

/**
 * Status of a second use of a (timestamp, token): Mailgun retries every
 * status but 200 and 406 ("rejected, don't retry",
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-retries).
 * A token is remembered only once its request was acknowledged, so a second
 * use is a replay or a retry of a delivery already accepted: retrying it can
 * only be refused again, and 406 ends that.
 */
export const MAILGUN_REPLAY_STATUS = 406;

/** A `timestamp` further in the future than this is refused (clock skew allowance). */
export const MAILGUN_MAX_FUTURE_SKEW_SECONDS = 300;

/** hex HMAC-SHA256(signing key, timestamp + token). */
export const mailgunSignature = (signingKey: string, timestamp: string, token: string): string =>
  hmac('sha256', signingKey, `${timestamp}${token}`, 'hex');

export interface SignatureBlock {
  readonly timestamp?: string | undefined;
  readonly token?: string | undefined;
  readonly signature?: string | undefined;
  readonly parentSignature?: string | undefined;
}

/**
 * Checks a signature block against the configured key. `parent-signature`
 * (subaccount events) is accepted too, so the key of either the subaccount
 * or its parent account can be configured.
 */
export const verifyMailgunSignature = (
  block: SignatureBlock,
  signingKey: string | undefined,
  now: Date,
): VerifyResult => {
  if (!signingKey) return { ok: false, reason: 'No Mailgun webhook signing key is configured' };
  const { timestamp, token, signature, parentSignature } = block;
  if (!timestamp || !token || !signature) return { ok: false, reason: 'timestamp, token or signature is missing' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'timestamp is not unix seconds' };
  const expected = mailgunSignature(signingKey, timestamp, token);
  const matches = safeEqual(expected, signature.toLowerCase()) || safeEqual(expected, parentSignature?.toLowerCase());
  if (!matches) return { ok: false, reason: 'signature does not match' };
  const ageSec = now.getTime() / 1000 - Number(timestamp);
  if (ageSec > MAILGUN_MAX_AGE_SECONDS || -ageSec > MAILGUN_MAX_FUTURE_SKEW_SECONDS) {
    return { ok: false, stale: true, reason: `timestamp ${timestamp} is outside the accepted window` };
  }
  return { ok: true };
};
