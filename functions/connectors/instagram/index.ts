/**
 * Instagram messaging (direct messages to an Instagram professional
 * account), from Meta's Instagram webhook. Setup: ./README.md.
 */
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { secretEnvName } from '../shared/secret-env.js';
import { defineConnector } from '../types.js';
import { normalizeInstagram } from './normalize.js';
import { parseInstagramWebhook } from './schema.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';

export const instagramConnector = defineConnector({
  name: 'instagram',
  displayName: 'Instagram messaging',
  channel: 'instagram',
  docsUrl: 'https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook/',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'instagram'),
      description:
        'App Secret of the Meta app (App settings → Basic; with Business Login for Instagram: the Instagram app secret); signs every POST as X-Hub-Signature-256',
      required: true,
      ...STRONG_SECRET,
    },
    {
      name: 'verifyToken',
      env: secretEnvName('VERIFY_TOKEN', 'instagram'),
      description:
        'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
      ...STRONG_SECRET,
    },
  ],
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: parseInstagramWebhook,
  normalize: normalizeInstagram,
  handshake: metaHandshake,
  signSample: signMetaSample,
});
