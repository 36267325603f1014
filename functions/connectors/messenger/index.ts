/**
 * Facebook Messenger (Page conversations) and Facebook lead ads, both from
 * Meta's Page webhook. Setup: ./README.md.
 */
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { defineConnector } from '../types.js';
import { hydrateLeadgen } from './leadgen.js';
import { normalizeMessenger } from './normalize.js';
import { parseMessengerWebhook } from './schema.js';
import { messengerMeta } from './meta.js';

export const messengerConnector = defineConnector({
  ...messengerMeta,
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: parseMessengerWebhook,
  normalize: normalizeMessenger,
  handshake: metaHandshake,
  hydrate: hydrateLeadgen,
  signSample: signMetaSample,
});
