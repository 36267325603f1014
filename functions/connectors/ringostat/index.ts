/**
 * Ringostat (Ukrainian call tracking and virtual PBX) "After call" webhooks,
 * as JSON or form. Ringostat signs nothing; the webhook URL carries a shared
 * secret as `?token=`. Setup and the parameters to select: ./README.md.
 */
import type { RawRequest } from '../../shared/http.js';
import { parseFlatForm, parseJson, validate } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector } from '../types.js';
import { normalizeRingostat } from './normalize.js';
import { RingostatCallSchema, type RingostatCall } from './schema.js';
import { ringostatMeta } from './meta.js';

/** Query parameter of the webhook URL holding the shared secret. */
const RINGOSTAT_TOKEN_PARAM = 'token';

/**
 * Decodes by Content-Type: JSON, or a form. Without a usable Content-Type the
 * body decides (`{`/`[` → JSON), since the format is the user's choice.
 */
const decode = (req: RawRequest): unknown => {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('json')) return parseJson(req);
  if (type.includes('x-www-form-urlencoded')) return parseFlatForm(req);
  return /^\s*[[{]/.test(req.body.toString('utf8')) ? parseJson(req) : parseFlatForm(req);
};

export const ringostatConnector = defineConnector({
  ...ringostatMeta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No URL token is configured' };
    const token = req.query[RINGOSTAT_TOKEN_PARAM];
    if (!token) return { ok: false, reason: 'Missing ?token= in the webhook URL' };
    return safeEqual(token, secrets.secret) ? { ok: true } : { ok: false, reason: '?token= does not match' };
  },
  parse: (req): RingostatCall => validate(RingostatCallSchema, decode(req), 'Ringostat call webhook'),
  normalize: normalizeRingostat,
  signSample: (sample, secrets) => {
    const url = new URL(sample.url);
    if (secrets.secret) url.searchParams.set(RINGOSTAT_TOKEN_PARAM, secrets.secret);
    return { url: url.toString(), headers: {} };
  },
});
