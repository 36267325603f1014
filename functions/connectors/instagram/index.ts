/**
 * Instagram messaging (direct messages to an Instagram professional
 * account), from Meta's Instagram webhook. Setup: ./README.md.
 */
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { secretEnvName } from '../shared/secret-env.js';
import { defineConnector } from '../types.js';
import { normalizeInstagram } from './normalize.js';
import { parseInstagramWebhook } from './schema.js';

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
      rotation: {
        by: 'vendor',
        how: 'Reset the app secret in the Meta app dashboard (App settings → Basic; the Instagram app secret with Business Login for Instagram), then put the new value.',
      },
    },
    {
      name: 'verifyToken',
      env: secretEnvName('VERIFY_TOKEN', 'instagram'),
      description:
        'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
      rotation: {
        by: 'operator',
        how: "Choose a new token, put it, then enter it next to the callback URL in the app's Webhooks settings (Meta sends it only when the subscription is verified).",
      },
    },
  ],
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: parseInstagramWebhook,
  normalize: normalizeInstagram,
  handshake: metaHandshake,
  signSample: signMetaSample,
});
