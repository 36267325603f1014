/**
 * Viber REST Bot API callbacks: messages to the bot, subscriptions and
 * receipts of the bot's messages. Setup: ./README.md.
 */
import { jsonResponse, textResponse } from '../../shared/http.js';
import { hmac, safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeViber } from './normalize.js';
import { parseViberCallback } from './schema.js';
import { viberMeta } from './meta.js';

/** Lowercase hex HMAC-SHA256 of the raw body, keyed with the bot's auth token. */
const VIBER_SIGNATURE_HEADER = 'x-viber-content-signature';

const viberSignature = (body: Buffer, authToken: string): string => hmac('sha256', authToken, body, 'hex');

const verifyViberSignature = (
  body: Buffer,
  header: string | undefined,
  authToken: string | undefined,
): VerifyResult => {
  if (!authToken) return { ok: false, reason: 'No bot auth token is configured' };
  if (!header) return { ok: false, reason: 'Missing X-Viber-Content-Signature header' };
  return safeEqual(header.trim().toLowerCase(), viberSignature(body, authToken))
    ? { ok: true }
    : { ok: false, reason: 'X-Viber-Content-Signature does not match the body' };
};

export const viberConnector = defineConnector({
  ...viberMeta,
  verify: (req, secrets) => verifyViberSignature(req.body, req.headers[VIBER_SIGNATURE_HEADER], secrets.secret),
  parse: parseViberCallback,
  normalize: normalizeViber,
  /**
   * Viber reads a JSON body answering `conversation_started` as the welcome
   * message to show; the hub sends none, so that answer is an empty 200.
   * Every other callback gets the usual summary (Viber only checks the 200).
   */
  acknowledge: (result, payload) =>
    payload.event === 'conversation_started'
      ? textResponse(200, '')
      : jsonResponse(200, { status: 'accepted', eventIds: result.events.map((e) => e.id), ignored: result.ignored }),
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret) headers[VIBER_SIGNATURE_HEADER] = viberSignature(sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
