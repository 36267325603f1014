/**
 * Typeform form responses (Webhooks API / Connect → Webhooks), signed with
 * the webhook's secret. Setup: ./README.md.
 */
import type { RawRequest } from '../../shared/http.js';
import { parseJsonBody, validate } from '../shared/body.js';
import { hmac, safeEqual, stripPrefix } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeTypeform } from './normalize.js';
import {
  TYPEFORM_FORM_RESPONSE,
  TypeformEnvelopeSchema,
  TypeformFormResponseSchema,
  type TypeformWebhook,
} from './schema.js';
import { typeformMeta } from './meta.js';

const TYPEFORM_SIGNATURE_HEADER = 'typeform-signature';
const PREFIX = 'sha256=';

/**
 * `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`.
 * Base64, not hex as Meta's look-alike header: a hex digest never matches.
 */
export const typeformSignature = (body: Buffer, secret: string): string =>
  `${PREFIX}${hmac('sha256', secret, body, 'base64')}`;

export const verifyTypeformSignature = (
  body: Buffer,
  header: string | undefined,
  secret: string | undefined,
): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No webhook secret is configured' };
  if (!header) return { ok: false, reason: 'Missing Typeform-Signature header' };
  const provided = stripPrefix(header.trim(), PREFIX);
  if (!provided) return { ok: false, reason: 'Typeform-Signature does not start with sha256=' };
  // Base64 is case-sensitive: compared exactly, unlike a hex digest.
  return safeEqual(provided, hmac('sha256', secret, body, 'base64'))
    ? { ok: true }
    : { ok: false, reason: 'Typeform-Signature does not match the body' };
};

const parse = (req: RawRequest): TypeformWebhook => {
  const envelope = parseJsonBody(req, TypeformEnvelopeSchema, 'Typeform webhook');
  const { event_id, event_type } = envelope;
  if (event_type !== TYPEFORM_FORM_RESPONSE) return { event_id, event_type };
  return {
    event_id,
    event_type,
    form_response: validate(TypeformFormResponseSchema, envelope.form_response, 'Typeform form_response'),
  };
};

export const typeformConnector = defineConnector({
  ...typeformMeta,
  verify: (req, secrets) => verifyTypeformSignature(req.body, req.headers[TYPEFORM_SIGNATURE_HEADER], secrets.secret),
  parse,
  normalize: normalizeTypeform,
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret) headers[TYPEFORM_SIGNATURE_HEADER] = typeformSignature(sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
