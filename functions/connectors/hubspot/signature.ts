/**
 * HubSpot request signature v3, as the official SDKs compute it
 * (`hubspot-api-python` `hubspot/utils/signature.py`, `hubspot-api-nodejs`
 * `src/utils/signature.ts`):
 *
 *   X-HubSpot-Signature-v3 = base64(HMAC-SHA256(client secret,
 *                              method + URI + raw body + X-HubSpot-Request-Timestamp))
 *
 * The timestamp is epoch milliseconds and requests older than 5 minutes are
 * rejected (`MAX_ALLOWED_TIMESTAMP = 300` s / `300000` ms in the SDKs). The
 * URI is the full URL HubSpot called (scheme, host, path, query), with the
 * percent-encodings HubSpot's request-validation page lists decoded first.
 * The older `X-HubSpot-Signature` (v1/v2, no timestamp, replayable) is
 * ignored on purpose.
 */
import { hmac, safeEqual, withinWindow } from '../shared/signature.js';
import type { VerifyResult } from '../types.js';

export const HUBSPOT_SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const HUBSPOT_TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';

/** HubSpot's replay window: "Reject the request if the timestamp is older than 5 minutes." */
const HUBSPOT_MAX_SKEW_SECONDS = 300;

/**
 * HubSpot's decode table ("In the request URI, decode any of the URL-encoded
 * characters listed …"): `%3A : %2F / %3F ? %40 @ %21 ! %24 $ %27 ' %28 (
 * %29 ) %2A * %2C , %3B ;`. Every other escape (`%20`, `%26`, `%3D`, …)
 * stays as sent.
 */
const DECODED: Readonly<Record<string, string>> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};

/** The URI as it enters the signed string. */
export const hubspotSignatureUri = (url: string): string =>
  url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (_, hex: string) => DECODED[hex.toUpperCase()] ?? `%${hex}`);

/** The v3 signature for one request; `uri` is used as given (see `hubspotSignatureUri`). */
export const hubspotSignatureV3 = (
  clientSecret: string,
  method: string,
  uri: string,
  body: Buffer | string,
  timestamp: string,
): string =>
  hmac(
    'sha256',
    clientSecret,
    Buffer.concat([
      Buffer.from(`${method.toUpperCase()}${uri}`, 'utf8'),
      Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
      Buffer.from(timestamp, 'utf8'),
    ]),
    'base64',
  );

export interface HubSpotSignedRequest {
  readonly method: string;
  /** The public URL HubSpot called, including the query string. */
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Checks signature and age, in that order, so a forged request is reported as
 * a bad signature and only a genuine old one as stale. The window is applied
 * to both sides (a timestamp 5 minutes in the future is refused too, which
 * the SDKs do not do).
 */
export const verifyHubSpotSignature = (
  req: HubSpotSignedRequest,
  clientSecret: string | undefined,
  now: Date,
): VerifyResult => {
  if (!clientSecret) return { ok: false, reason: 'No HubSpot client secret is configured' };
  const signature = req.headers[HUBSPOT_SIGNATURE_HEADER]?.trim();
  if (!signature) return { ok: false, reason: 'Missing X-HubSpot-Signature-v3 header' };
  const timestamp = req.headers[HUBSPOT_TIMESTAMP_HEADER]?.trim();
  if (!timestamp) return { ok: false, reason: 'Missing X-HubSpot-Request-Timestamp header' };
  if (!/^\d{1,16}$/.test(timestamp))
    return { ok: false, reason: 'X-HubSpot-Request-Timestamp is not epoch milliseconds' };
  const expected = hubspotSignatureV3(clientSecret, req.method, hubspotSignatureUri(req.url), req.body, timestamp);
  if (!safeEqual(signature, expected))
    return { ok: false, reason: 'X-HubSpot-Signature-v3 does not match method, URI, body and timestamp' };
  if (!withinWindow(Number(timestamp) / 1000, now, HUBSPOT_MAX_SKEW_SECONDS)) {
    return {
      ok: false,
      stale: true,
      reason: `X-HubSpot-Request-Timestamp is more than ${HUBSPOT_MAX_SKEW_SECONDS} s away from now`,
    };
  }
  return { ok: true };
};
