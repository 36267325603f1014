/**
 * Poster POS (joinposter.com): closed receipts and loyalty clients of a
 * café/shop account, fetched from the Poster API after each hook.
 * Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import { jsonResponse, type RawRequest } from '../../shared/http.js';
import { parseJsonBody } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { hydratePoster } from './hydrate.js';
import { normalizePoster } from './normalize.js';
import { PosterWebhookSchema } from './schema.js';
import { posterMeta } from './meta.js';

/** How PHP's `implode` writes a decoded JSON value (Poster's reference check is PHP). */
const phpString = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? '1' : '';
  if (value === null) return '';
  return undefined;
};

/**
 * `md5(account;object;object_id;action;[data;]time;application_secret)`,
 * exactly as Poster's docs compute it from the decoded JSON: `data` takes
 * part only when present (PHP `isset`: not null), and is the raw JSON
 * string it was sent as. Undefined when a signed field is missing.
 */
export const posterVerifyHash = (hook: Record<string, unknown>, secret: string): string | undefined => {
  const fields = ['account', 'object', 'object_id', 'action'].map((k) => phpString(hook[k]));
  const data = hook.data === null || hook.data === undefined ? undefined : phpString(hook.data);
  if (hook.data !== null && hook.data !== undefined && data === undefined) return undefined;
  const time = phpString(hook.time);
  if (fields.some((f) => f === undefined || f === '') || !time) return undefined;
  const parts = [...(fields as string[]), ...(data === undefined ? [] : [data]), time, secret];
  return createHash('md5').update(parts.join(';'), 'utf8').digest('hex');
};

const decodeObject = (body: Buffer): Record<string, unknown> | undefined => {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The signature is the `verify` field over the decoded fields (not the raw
 * bytes: `account_number` and the JSON layout are not covered). No replay
 * window: Poster retries a failed hook 15 more times over two days with the
 * original `time` and `verify`, and holds newer hooks behind it, so any
 * window short enough to matter would drop a backlog after an outage.
 * Replays are harmless instead: the dedup key includes `time`, and the
 * fetched receipt keeps its receipt-based event id.
 */
const verify = (req: RawRequest, secret: string | undefined): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No Poster application secret is configured' };
  const hook = decodeObject(req.body);
  if (!hook) return { ok: false, reason: 'Body is not a JSON object; cannot check the Poster verify field' };
  if (typeof hook.verify !== 'string' || !hook.verify) return { ok: false, reason: 'Missing verify field' };
  const expected = posterVerifyHash(hook, secret);
  if (!expected) return { ok: false, reason: 'A signed field (account, object, object_id, action, time) is missing' };
  return safeEqual(hook.verify.toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, reason: 'verify does not match md5 of the hook fields and the application secret' };
};

export const posterConnector = defineConnector({
  ...posterMeta,
  verify: (req, secrets) => verify(req, secrets.secret),
  parse: (req) => parseJsonBody(req, PosterWebhookSchema, 'Poster webhook'),
  normalize: normalizePoster,
  hydrate: hydratePoster,
  /** Poster's docs: answer 200, or the hook is retried; their example echoes `{"status":"accept"}`. */
  acknowledge: () => jsonResponse(200, { status: 'accept' }),
  /**
   * Poster signs inside the body: the sample's `verify` value is replaced in
   * place (the rest of the bytes stay as they are). Bodies that are not a
   * hook are returned unchanged, so malformed-body tests still reach `parse`.
   */
  signSample: (sample, secrets) => {
    const hook = decodeObject(sample.body);
    const hash = hook && secrets.secret ? posterVerifyHash(hook, secrets.secret) : undefined;
    if (!hook || !hash) return { url: sample.url, headers: {} };
    const text = sample.body.toString('utf8');
    const replaced = text.replace(/("verify"\s*:\s*")[^"]*(")/, `$1${hash}$2`);
    const body =
      replaced !== text || /"verify"\s*:\s*"/.test(text) ? replaced : JSON.stringify({ ...hook, verify: hash });
    return { url: sample.url, headers: {}, body: Buffer.from(body, 'utf8') };
  },
});
