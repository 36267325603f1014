/**
 * WhatsApp Business Cloud API (Meta): inbound messages and delivery statuses
 * of the business's outbound messages. Setup: ./README.md.
 */
import { parseJsonBody } from '../shared/body.js';
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { defineConnector } from '../types.js';
import { normalizeWhatsApp } from './normalize.js';
import { WhatsAppWebhookSchema } from './schema.js';
import { whatsappMeta } from './meta.js';

export const whatsappConnector = defineConnector({
  ...whatsappMeta,
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: (req) => parseJsonBody(req, WhatsAppWebhookSchema, 'WhatsApp webhook'),
  normalize: normalizeWhatsApp,
  handshake: metaHandshake,
  signSample: signMetaSample,
});
