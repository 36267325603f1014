/**
 * Facebook Messenger (Page conversations) and Facebook lead ads, both from
 * Meta's Page webhook. Setup: ./README.md.
 */
import { META_SIGNATURE_HEADER, metaHandshake, signMetaSample, verifyMetaSignature } from '../shared/meta-signature.js';
import { secretEnvName } from '../shared/secret-env.js';
import { defineConnector } from '../types.js';
import { hydrateLeadgen } from './leadgen.js';
import { normalizeMessenger } from './normalize.js';
import { parseMessengerWebhook } from './schema.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';

export const messengerConnector = defineConnector({
  name: 'messenger',
  displayName: 'Facebook Messenger and lead ads',
  channel: 'messenger',
  docsUrl: 'https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'messenger'),
      description: 'Meta App Secret (App settings → Basic); signs every POST as X-Hub-Signature-256',
      required: true,
      ...STRONG_SECRET,
    },
    {
      name: 'verifyToken',
      env: secretEnvName('VERIFY_TOKEN', 'messenger'),
      description:
        'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
      ...STRONG_SECRET,
    },
    {
      name: 'apiToken',
      env: secretEnvName('API_TOKEN', 'messenger'),
      description: 'Long-lived Page access token with leads_retrieval; only needed to fetch lead ads (leadgen)',
      required: false,
    },
    {
      name: 'apiBaseUrl',
      env: secretEnvName('API_BASE_URL', 'messenger'),
      description: 'Graph API root for lead fetches (default https://graph.facebook.com/v21.0)',
      required: false,
    },
  ],
  verify: (req, secrets) => verifyMetaSignature(req.body, req.headers[META_SIGNATURE_HEADER], secrets.secret),
  parse: parseMessengerWebhook,
  normalize: normalizeMessenger,
  handshake: metaHandshake,
  hydrate: hydrateLeadgen,
  signSample: signMetaSample,
});
