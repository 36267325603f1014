/**
 * Aircall webhooks: ended calls (answered or missed, with the recording
 * link) → call events. Setup: ./README.md.
 */
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeAircall } from './normalize.js';
import { AircallEnvelopeSchema, type AircallEnvelope } from './schema.js';
import { aircallMeta } from './meta.js';

const tokenOf = (body: Buffer): string | undefined => {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    const token = typeof json === 'object' && json !== null ? (json as { token?: unknown }).token : undefined;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Aircall signs nothing: every body carries the webhook's `token`, issued
 * when the webhook was created. Compared in constant time, fail closed.
 * The body is not authenticated beyond that token (a captured delivery can
 * be altered), so nothing here moves money or consent.
 */
const verify = (req: RawRequest, secret: string | undefined): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No Aircall webhook token is configured' };
  const token = tokenOf(req.body);
  if (!token) return { ok: false, reason: 'The body carries no Aircall token' };
  return safeEqual(token, secret) ? { ok: true } : { ok: false, reason: "The body's token is not this webhook's" };
};

const parse = (req: RawRequest): AircallEnvelope => {
  const json = parseJson(req);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ValidationError('An Aircall webhook body is a JSON object');
  return validate(AircallEnvelopeSchema, json, 'Aircall webhook');
};

export const aircallConnector = defineConnector({
  ...aircallMeta,
  verify: (req, secrets) => verify(req, secrets.secret),
  parse,
  normalize: normalizeAircall,
  // As Aircall sends it: the token inside the body (a body that is no JSON object is sent as it is).
  signSample: (sample, secrets) => {
    try {
      const json: unknown = JSON.parse(sample.body.toString('utf8'));
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return { url: sample.url, headers: {} };
      const body = Buffer.from(JSON.stringify({ ...json, token: secrets.secret ?? '' }));
      return { url: sample.url, headers: {}, body };
    } catch {
      return { url: sample.url, headers: {} };
    }
  },
});
