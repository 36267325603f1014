/**
 * Facebook Messenger and lead ads: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { metaSenderSecrets } from '../shared/meta-send-secrets.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const messengerSenderSecrets = metaSenderSecrets({
  connector: 'messenger',
  tokenDescription:
    'Long-lived Page access token: pages_messaging to send messages, leads_retrieval to fetch lead ads (leadgen)',
  senderDescription: 'Page id that sends (POST /{page-id}/messages); without it the token’s Page (/me/messages)',
});

export const messengerMeta = {
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
      rotation: {
        by: 'vendor',
        how: 'Reset the app secret in the Meta app dashboard (App settings → Basic), then put the new value.',
      },
    },
    {
      name: 'verifyToken',
      env: secretEnvName('VERIFY_TOKEN', 'messenger'),
      description:
        'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Choose a new random token (24+ bytes), put it, then enter it next to the callback URL in the app's Webhooks settings (Meta sends it only when the subscription is verified).",
      },
    },
    {
      name: 'apiToken',
      env: secretEnvName('API_TOKEN', 'messenger'),
      description: 'Long-lived Page access token with leads_retrieval; only needed to fetch lead ads (leadgen)',
      required: false,
      rotation: {
        by: 'vendor',
        how: 'Generate a new long-lived Page access token (leads_retrieval) in Meta, then put it.',
      },
    },
    {
      name: 'apiBaseUrl',
      env: secretEnvName('API_BASE_URL', 'messenger'),
      description: 'Graph API root for lead fetches (default https://graph.facebook.com/v21.0)',
      required: false,
      rotation: { by: 'none', how: 'An API address, not a credential.' },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
