/**
 * Twilio's request signature, exactly as the official SDKs compute it
 * (twilio-node `src/webhooks/webhooks.ts`, twilio-python
 * `request_validator.py`):
 *
 * `X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + for each POST
 * parameter sorted by name: name + value))`
 *
 * - The URL is the full public URL Twilio was given, query string included.
 * - Parameters are the *decoded* form values (`+` and `%20` both mean a
 *   space), never the raw body; a repeated name contributes each distinct
 *   value, values sorted.
 * - Twilio's edge is inconsistent about default ports, so the SDKs accept the
 *   URL with the port (`:443`/`:80` added when absent) and without any port.
 *   twilio-node also normalizes the URL with WHATWG `URL` (`'` → `%27` in the
 *   query); the raw and the normalized spellings are both tried.
 * - JSON-bodied webhooks sign the URL only; the URL carries
 *   `bodySHA256=<hex sha256(raw body)>`, which must match the body.
 */
import { createHash } from 'node:crypto';
import type { RawRequest } from '../../shared/http.js';
import { hmac, safeEqual } from '../shared/signature.js';
import type { VerifyResult } from '../types.js';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** Decoded POST parameters, every value of a repeated name kept. */
export type TwilioParams = ReadonlyMap<string, readonly string[]>;

/** Parses a form body into name → values, decoding like every form parser does (`+` is a space). */
export const formParams = (body: Buffer | string): TwilioParams => {
  const out = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(Buffer.isBuffer(body) ? body.toString('utf8') : body)) {
    const values = out.get(name);
    if (values) values.push(value);
    else out.set(name, [value]);
  }
  return out;
};

/** Code-unit order, as JavaScript's and Python's default sorts agree on for Twilio's ASCII names. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The string Twilio signs: URL, then name + value for each parameter sorted by name (values deduplicated and sorted). */
const twilioSignedString = (url: string, params: TwilioParams): string => {
  let data = url;
  for (const name of [...params.keys()].sort(byCodeUnit)) {
    for (const value of [...new Set(params.get(name))].sort(byCodeUnit)) data += name + value;
  }
  return data;
};

/** The header value Twilio sends for this URL and these parameters. */
export const twilioSignature = (authToken: string, url: string, params: TwilioParams): string =>
  hmac('sha1', authToken, Buffer.from(twilioSignedString(url, params), 'utf8'), 'base64');

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/** `url` with its authority's port removed, or with the scheme's default port added when it has none. */
const withPort = (url: string, mode: 'add' | 'remove'): string => {
  const match = URL_PARTS.exec(url);
  if (!match) return url;
  const [, scheme = '', authority = '', rest = ''] = match;
  const hasPort = /:\d*$/.test(authority) && !/\]$/.test(authority);
  if (mode === 'remove') return `${scheme}${authority.replace(/:\d*$/, '')}${rest}`;
  if (hasPort) return url;
  const port = scheme.toLowerCase() === 'https://' ? 443 : 80;
  return `${scheme}${authority}:${port}${rest}`;
};

/** WHATWG-normalized spelling (what twilio-node signs against), or undefined for an unparsable URL. */
const normalized = (url: string): string | undefined => {
  try {
    return new URL(url).toString();
  } catch {
    return undefined;
  }
};

/**
 * Every spelling of `url` a genuine Twilio signature may have been computed
 * over: as received and WHATWG-normalized, each with and without the port.
 * The fragment never reaches the server, so it plays no part.
 */
export const candidateUrls = (url: string): string[] => {
  const spellings = [url, normalized(url)].filter((u): u is string => u !== undefined);
  const out = new Set<string>();
  for (const spelling of spellings) {
    out.add(spelling);
    out.add(withPort(spelling, 'remove'));
    out.add(withPort(spelling, 'add'));
  }
  return [...out];
};

const sha256Hex = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/**
 * Checks `X-Twilio-Signature` against the public URL and the decoded
 * parameters in constant time. Fails closed on a missing token or header.
 */
export const verifyTwilioRequest = (req: RawRequest, authToken: string | undefined): VerifyResult => {
  if (!authToken) return { ok: false, reason: 'No Twilio auth token is configured' };
  const header = req.headers[TWILIO_SIGNATURE_HEADER]?.trim();
  if (!header) return { ok: false, reason: 'Missing X-Twilio-Signature header' };
  let bodyHash: string | null = null;
  try {
    bodyHash = new URL(req.url).searchParams.get('bodySHA256');
  } catch {
    return { ok: false, reason: 'The request URL cannot be parsed' };
  }
  // JSON-bodied webhooks sign the URL only; the body is bound through bodySHA256.
  const params: TwilioParams = bodyHash === null ? formParams(req.body) : new Map();
  if (bodyHash !== null && !safeEqual(bodyHash.toLowerCase(), sha256Hex(req.body))) {
    return { ok: false, reason: 'bodySHA256 in the URL does not match the body' };
  }
  // Every candidate is checked (no early exit), so timing does not reveal which spelling matched.
  const matches = candidateUrls(req.url).map((url) => safeEqual(header, twilioSignature(authToken, url, params)));
  return matches.some(Boolean)
    ? { ok: true }
    : { ok: false, reason: 'X-Twilio-Signature does not match the URL and parameters' };
};
