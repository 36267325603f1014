/**
 * Bitrix24 outbound webhooks: CRM lead, contact and deal events. Bitrix24
 * signs nothing; it sends the outbound webhook's *application token* in the
 * body as `auth[application_token]`, compared here in constant time with the
 * stored secret. The event carries only an id, so the entity is fetched
 * after the acknowledgement through the portal's inbound webhook.
 * Setup: ./README.md.
 */
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseNestedForm, validate } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector } from '../types.js';
import { hydrateBitrix24 } from './hydrate.js';
import { normalizeBitrix24 } from './normalize.js';
import { Bitrix24EventSchema } from './schema.js';
import { bitrix24Meta } from './meta.js';

/** The form key carrying the token; Bitrix24 posts it percent-encoded (`auth%5Bapplication_token%5D`). */
const BITRIX24_TOKEN_FIELD = 'auth[application_token]';

const decodeKey = (key: string): string => {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
};

/**
 * The `auth[application_token]` of a form body, read with the same parser as
 * the payload (no parser differential); undefined when absent or repeated.
 */
const applicationTokenOf = (req: RawRequest): string | undefined => {
  let form: Record<string, unknown>;
  try {
    form = parseNestedForm(req);
  } catch {
    return undefined;
  }
  const auth = form.auth;
  const token = auth && typeof auth === 'object' ? (auth as Record<string, unknown>).application_token : undefined;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
};

/**
 * The body with `auth[application_token]` set to `token` (replaced in place
 * or appended), every other byte untouched: how a delivery from the portal
 * whose outbound webhook has that token looks.
 */
export const withApplicationToken = (body: Buffer, token: string): Buffer => {
  const pairs = body.length ? body.toString('utf8').split('&') : [];
  const field = `${encodeURIComponent(BITRIX24_TOKEN_FIELD)}=${encodeURIComponent(token)}`;
  let replaced = false;
  const out = pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (decodeKey(eq < 0 ? pair : pair.slice(0, eq)) !== BITRIX24_TOKEN_FIELD) return pair;
    replaced = true;
    return field;
  });
  if (!replaced) out.push(field);
  return Buffer.from(out.join('&'), 'utf8');
};

export const bitrix24Connector = defineConnector({
  ...bitrix24Meta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No Bitrix24 application token is configured' };
    const token = applicationTokenOf(req);
    if (!token) return { ok: false, reason: 'Missing auth[application_token] in the body' };
    return safeEqual(token, secrets.secret)
      ? { ok: true }
      : { ok: false, reason: 'auth[application_token] does not match' };
  },
  parse: (req) => {
    if (req.body.length === 0)
      throw new ValidationError('The request body is empty; a Bitrix24 event form was expected');
    return validate(Bitrix24EventSchema, parseNestedForm(req), 'Bitrix24 event');
  },
  normalize: normalizeBitrix24,
  hydrate: hydrateBitrix24,
  // The token travels in the body, so signing a sample rewrites the body.
  signSample: (sample, secrets) =>
    secrets.secret
      ? { url: sample.url, headers: {}, body: withApplicationToken(sample.body, secrets.secret) }
      : { url: sample.url, headers: {} },
});
