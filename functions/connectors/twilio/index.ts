/**
 * Twilio: incoming SMS/MMS (and WhatsApp/Messenger through Twilio), message
 * status callbacks and Voice call status callbacks, on one URL. Requests are
 * signed with `X-Twilio-Signature` over the public URL and the parameters.
 * Setup: ./README.md.
 */
import type { HttpResponse } from '../../shared/http.js';
import { parseFlatForm, validate } from '../shared/body.js';
import { defineConnector } from '../types.js';
import { normalizeTwilio } from './normalize.js';
import { formParams, TWILIO_SIGNATURE_HEADER, twilioSignature, verifyTwilioRequest } from './signature.js';
import { twilioKind, TwilioWebhookSchema } from './schema.js';
import { twilioMeta } from './meta.js';

/**
 * Empty TwiML: the incoming-message webhook is synchronous and Twilio
 * executes the response, so "reply nothing" must be said in TwiML; a JSON
 * body is not TwiML and shows up as an error in Twilio's debugger.
 */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const twimlResponse = (): HttpResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: EMPTY_TWIML,
});

/** Status callbacks only need a 2xx; Twilio ignores the body. */
const noContent = (): HttpResponse => ({ statusCode: 204, headers: {}, body: '' });

export const twilioConnector = defineConnector({
  ...twilioMeta,
  verify: (req, secrets) => verifyTwilioRequest(req, secrets.secret),
  parse: (req) => validate(TwilioWebhookSchema, parseFlatForm(req), 'Twilio webhook'),
  normalize: normalizeTwilio,
  acknowledge: (_result, payload) => (twilioKind(payload) === 'message' ? twimlResponse() : noContent()),
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret)
      headers[TWILIO_SIGNATURE_HEADER] = twilioSignature(secrets.secret, sample.url, formParams(sample.body));
    return { url: sample.url, headers };
  },
});
