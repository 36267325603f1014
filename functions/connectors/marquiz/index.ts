/**
 * Marquiz quiz leads ("Webhooks" integration). Marquiz signs nothing, so the
 * webhook URL carries a shared secret as `?token=`. Setup: ./README.md.
 */
import { parseJsonBody } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector } from '../types.js';
import { normalizeMarquiz } from './normalize.js';
import { MarquizLeadSchema } from './schema.js';
import { marquizMeta } from './meta.js';

/** Query parameter of the webhook URL holding the shared secret. */
const MARQUIZ_TOKEN_PARAM = 'token';

export const marquizConnector = defineConnector({
  ...marquizMeta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No URL token is configured' };
    const token = req.query[MARQUIZ_TOKEN_PARAM];
    if (!token) return { ok: false, reason: 'Missing ?token= in the webhook URL' };
    return safeEqual(token, secrets.secret) ? { ok: true } : { ok: false, reason: '?token= does not match' };
  },
  parse: (req) => parseJsonBody(req, MarquizLeadSchema, 'Marquiz lead'),
  normalize: normalizeMarquiz,
  signSample: (sample, secrets) => {
    const url = new URL(sample.url);
    if (secrets.secret) url.searchParams.set(MARQUIZ_TOKEN_PARAM, secrets.secret);
    return { url: url.toString(), headers: {} };
  },
});
