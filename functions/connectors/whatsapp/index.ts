/**
 * WhatsApp Business Cloud API (Meta): inbound messages and delivery statuses
 * of the business's outbound messages. Setup: ./README.md.
 */
import { parseJsonBody } from '../shared/body.js';
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { defineConnector } from '../types.js';
import { normalizeWhatsApp } from './normalize.js';
import { WhatsAppWebhookSchema } from './schema.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';

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
      ...STRONG_SECRET,
    },
    {
      name: 'verifyToken',
      env: 'OMNIHUB_VERIFY_TOKEN_WHATSAPP',
      description:
        'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
      ...STRONG_SECRET,
    },
  ],
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: (req) => parseJsonBody(req, WhatsAppWebhookSchema, 'WhatsApp webhook'),
  normalize: normalizeWhatsApp,
  handshake: metaHandshake,
  signSample: signMetaSample,
});
