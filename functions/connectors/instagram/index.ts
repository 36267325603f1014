/**
 * Instagram messaging (direct messages to an Instagram professional
 * account), from Meta's Instagram webhook. Setup: ./README.md.
 */
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { defineConnector } from '../types.js';
import { normalizeInstagram } from './normalize.js';
import { parseInstagramWebhook } from './schema.js';
import { instagramMeta } from './meta.js';

export const instagramConnector = defineConnector({
  ...instagramMeta,
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: parseInstagramWebhook,
  normalize: normalizeInstagram,
  handshake: metaHandshake,
  signSample: signMetaSample,
});
