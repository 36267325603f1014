/**
 * Kommo (amoCRM) account webhooks: lead added, lead stage changed, contact
 * added or edited. Kommo signs nothing, so the webhook URL carries a shared
 * secret as `?token=`. Items hold ids only (for the customer), so the hub
 * acknowledges at once and the hydrator fetches the contact from API v4.
 * Setup: ./README.md.
 */
import { ValidationError } from '../../shared/errors.js';
import { parseNestedForm, validate } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector } from '../types.js';
import { hydrateKommo } from './hydrate.js';
import { normalizeKommo } from './normalize.js';
import { KommoWebhookSchema } from './schema.js';
import { kommoMeta } from './meta.js';

/** Query parameter of the webhook URL holding the shared secret. */
const KOMMO_TOKEN_PARAM = 'token';

export const kommoConnector = defineConnector({
  ...kommoMeta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No URL token is configured' };
    const token = req.query[KOMMO_TOKEN_PARAM];
    if (!token) return { ok: false, reason: 'Missing ?token= in the webhook URL' };
    return safeEqual(token, secrets.secret) ? { ok: true } : { ok: false, reason: '?token= does not match' };
  },
  parse: (req) => {
    if (req.body.length === 0)
      throw new ValidationError('The request body is empty; a Kommo webhook form was expected');
    return validate(KommoWebhookSchema, parseNestedForm(req), 'Kommo webhook');
  },
  normalize: normalizeKommo,
  hydrate: hydrateKommo,
  signSample: (sample, secrets) => {
    const url = new URL(sample.url);
    if (secrets.secret) url.searchParams.set(KOMMO_TOKEN_PARAM, secrets.secret);
    return { url: url.toString(), headers: {} };
  },
});
