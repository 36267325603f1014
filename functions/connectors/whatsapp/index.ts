/**
 * WhatsApp Business Cloud API (Meta): inbound messages and delivery statuses
 * of the business's outbound messages. Setup: ./README.md.
 */
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { errorResponse, textResponse, type HttpResponse, type RawRequest } from '../../shared/http.js';
import { parseJsonBody } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector, type ConnectorSecrets } from '../types.js';
import { normalizeWhatsApp } from './normalize.js';
import { META_SIGNATURE_HEADER, metaSignature, verifyMetaSignature } from './signature.js';
import { WhatsAppWebhookSchema } from './schema.js';

/**
 * Meta's subscription check: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
 * must echo the challenge as plain text when the token is ours.
 */
const handshake = (req: RawRequest, secrets: ConnectorSecrets): HttpResponse => {
  const mode = req.query['hub.mode'];
  const token = req.query['hub.verify_token'];
  const challenge = req.query['hub.challenge'];
  if (mode !== 'subscribe' || !token || !challenge) {
    return errorResponse(
      new ValidationError('A verification request needs hub.mode=subscribe, hub.verify_token and hub.challenge'),
    );
  }
  if (!safeEqual(token, secrets.verifyToken)) {
    return errorResponse(new ForbiddenError('hub.verify_token does not match the configured verify token'));
  }
  return textResponse(200, challenge);
};

export const whatsappConnector = defineConnector({
  name: 'whatsapp',
  displayName: 'WhatsApp Business Cloud API',
  channel: 'whatsapp',
  docsUrl: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_WHATSAPP',
      description: 'Meta App Secret (App settings → Basic); signs every POST as X-Hub-Signature-256',
      required: true,
    },
    {
      name: 'verifyToken',
      env: 'OMNIHUB_VERIFY_TOKEN_WHATSAPP',
      description: 'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
    },
  ],
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: (req) => parseJsonBody(req, WhatsAppWebhookSchema, 'WhatsApp webhook'),
  normalize: normalizeWhatsApp,
  handshake,
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret) headers[META_SIGNATURE_HEADER] = metaSignature(sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
