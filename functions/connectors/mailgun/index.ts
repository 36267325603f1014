/**
 * Mailgun: inbound mail forwarded by a route (`forward()` or
 * `store(notify=…)`) and the JSON event webhooks about the business's own
 * outbound mail, on one URL. Both carry `timestamp`/`token`/`signature` in
 * the body. Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { mailgunBodyKind, readFormFields, withFormFields } from './form.js';
import { normalizeMailgun } from './normalize.js';
import { MailgunEventWebhookSchema, MailgunInboundSchema, type MailgunPayload } from './schema.js';
import {
  MAILGUN_MAX_AGE_SECONDS,
  MAILGUN_REPLAY_STATUS,
  mailgunSignature,
  verifyMailgunSignature,
  type SignatureBlock,
} from './signature.js';
import { mailgunMeta } from './meta.js';

const contentTypeOf = (req: RawRequest): string | undefined => req.headers['content-type'];

/** The signature block wherever this kind of body carries it; a string says why there is none. */
const signatureBlock = (req: RawRequest): SignatureBlock | string => {
  try {
    if (mailgunBodyKind(contentTypeOf(req), req.body) === 'json') {
      const json = JSON.parse(req.body.toString('utf8')) as { signature?: Record<string, unknown> } | null;
      const block = json && typeof json === 'object' ? json.signature : undefined;
      if (!block || typeof block !== 'object') return 'the JSON body has no signature object';
      const text = (v: unknown): string | undefined =>
        typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
      return {
        timestamp: text(block.timestamp),
        token: text(block.token),
        signature: text(block.signature),
        parentSignature: text(block['parent-signature']),
      };
    }
    const { fields } = readFormFields(req.body, contentTypeOf(req));
    return { timestamp: fields.timestamp, token: fields.token, signature: fields.signature };
  } catch {
    return 'the body could not be decoded';
  }
};

const parseMailgun = (req: RawRequest): MailgunPayload => {
  if (mailgunBodyKind(contentTypeOf(req), req.body) === 'json') {
    return { kind: 'event', webhook: validate(MailgunEventWebhookSchema, parseJson(req), 'Mailgun event webhook') };
  }
  if (req.body.length === 0) throw new ValidationError('The request body is empty; Mailgun form fields were expected');
  const { fields, files } = readFormFields(req.body, contentTypeOf(req));
  if (typeof fields.event === 'string' && fields.event) return { kind: 'legacy-event', event: fields.event };
  return {
    kind: 'inbound',
    fields: validate(MailgunInboundSchema, fields, 'Mailgun inbound mail'),
    attachments: files,
  };
};

/** A stable 50-character token for samples that carry none (Mailgun's tokens are 50 random characters). */
const sampleToken = (body: Buffer): string => createHash('sha256').update(body).digest('hex').slice(0, 50);

export const mailgunConnector = defineConnector({
  ...mailgunMeta,
  verify: (req, secrets, ctx): VerifyResult => {
    if (!secrets.secret) return { ok: false, reason: 'No Mailgun webhook signing key is configured' };
    const block = signatureBlock(req);
    if (typeof block === 'string') return { ok: false, reason: block };
    return verifyMailgunSignature(block, secrets.secret, ctx.now);
  },
  // The signature covers timestamp + token only, so a captured block could carry other fields:
  // each (timestamp, token) is accepted once while the signature is valid.
  replay: {
    key: (req) => {
      const block = signatureBlock(req);
      if (typeof block === 'string' || !block.timestamp || !block.token) return undefined;
      return {
        key: `${block.timestamp}:${block.token}`,
        expiresAt: new Date((Number(block.timestamp) + MAILGUN_MAX_AGE_SECONDS) * 1000),
      };
    },
    replayStatus: MAILGUN_REPLAY_STATUS,
  },
  parse: parseMailgun,
  normalize: normalizeMailgun,
  signSample: (sample, secrets) => {
    const key = secrets.secret;
    if (!key) return { url: sample.url, headers: {} };
    const timestamp = String(Math.floor(sample.now.getTime() / 1000));
    try {
      if (mailgunBodyKind(sample.contentType, sample.body) === 'json') {
        const json: unknown = JSON.parse(sample.body.toString('utf8'));
        if (typeof json !== 'object' || json === null || Array.isArray(json)) return { url: sample.url, headers: {} };
        const payload = { ...(json as Record<string, unknown>) };
        const previous = (payload.signature ?? {}) as Record<string, unknown>;
        const token = typeof previous.token === 'string' && previous.token ? previous.token : sampleToken(sample.body);
        payload.signature = { timestamp, token, signature: mailgunSignature(key, timestamp, token) };
        return { url: sample.url, headers: {}, body: Buffer.from(JSON.stringify(payload, null, 2)) };
      }
      const { fields } = readFormFields(sample.body, sample.contentType);
      const token = fields.token || sampleToken(sample.body);
      const body = withFormFields(sample.body, sample.contentType, {
        timestamp,
        token,
        signature: mailgunSignature(key, timestamp, token),
      });
      return { url: sample.url, headers: {}, body };
    } catch {
      // Not a body Mailgun could have sent: leave it unsigned.
      return { url: sample.url, headers: {} };
    }
  },
});
