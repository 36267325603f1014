/**
 * Freshdesk automation-rule webhooks → ticket events. Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeFreshdesk } from './normalize.js';
import { FreshdeskWebhookSchema, type FreshdeskDelivery } from './schema.js';
import { freshdeskMeta } from './meta.js';

/** The user name the README tells operators to enter; any is accepted, the password is the secret. */
const FRESHDESK_BASIC_USER = 'omnihub';

const basicPassword = (header: string | undefined): string | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const bytes = Buffer.from(match[1], 'base64');
  // Node's decoder skips stray characters and padding; only the canonical encoding is the credential.
  if (bytes.toString('base64') !== match[1]) return undefined;
  const decoded = bytes.toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
};

/**
 * Freshdesk signs nothing. Its rule action can send HTTP Basic credentials
 * ("Requires authentication"): the password must be the secret, compared
 * in constant time, fail closed. The body is not authenticated beyond the
 * credential, so nothing here moves money or consent.
 */
const verify = (req: RawRequest, secret: string | undefined): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No Freshdesk webhook password is configured' };
  const password = basicPassword(req.headers.authorization);
  if (password === undefined) return { ok: false, reason: 'Missing Basic credentials (Requires authentication)' };
  return safeEqual(password, secret) ? { ok: true } : { ok: false, reason: 'The Basic password is not the secret' };
};

const parse = (req: RawRequest): FreshdeskDelivery => {
  const json = parseJson(req);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ValidationError('A Freshdesk webhook body is a JSON object (the README template)');
  return {
    body: validate(FreshdeskWebhookSchema, json, 'Freshdesk webhook'),
    bodyDigest: createHash('sha256').update(req.body).digest('hex').slice(0, 32),
  };
};

export const freshdeskConnector = defineConnector({
  ...freshdeskMeta,
  verify: (req, secrets) => verify(req, secrets.secret),
  parse,
  normalize: normalizeFreshdesk,
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret)
      headers.Authorization = `Basic ${Buffer.from(`${FRESHDESK_BASIC_USER}:${secrets.secret}`).toString('base64')}`;
    return { url: sample.url, headers };
  },
});
