/**
 * WhatsApp Business Cloud API: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta, SecretSpec } from '../types.js';

/** Graph API root, versioned; `apiBaseUrl` overrides it (tests, a newer version). */
export const WHATSAPP_API_BASE_URL = 'https://graph.facebook.com/v23.0';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const whatsappSenderSecrets = [
  {
    name: 'apiToken',
    env: secretEnvName('API_TOKEN', 'whatsapp'),
    description:
      'Cloud API access token (a system user token with whatsapp_business_messaging) to send messages; Authorization: Bearer',
    required: false,
    rotation: {
      by: 'vendor',
      how: 'Generate a new system user token (whatsapp_business_messaging) in Meta Business Settings, put it, then revoke the old one.',
    },
  },
  {
    name: 'sender',
    env: secretEnvName('SENDER', 'whatsapp'),
    description: 'Phone-number id of the business number that sends (WhatsApp Manager → API setup), not the number',
    required: false,
    rotation: { by: 'none', how: 'The sending identity (a number, a name, a page or a domain), not a credential.' },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', 'whatsapp'),
    description: `Graph API root including the version (default ${WHATSAPP_API_BASE_URL})`,
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
] as const satisfies readonly SecretSpec[];

export const whatsappMeta = {
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
      rotation: {
        by: 'vendor',
        how: 'Reset the app secret in the Meta app dashboard (App settings → Basic), then put the new value.',
      },
    },
    {
      name: 'verifyToken',
      env: 'OMNIHUB_VERIFY_TOKEN_WHATSAPP',
      description:
        'Verify token you choose and paste next to the callback URL; only used by the GET subscription check',
      required: false,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Choose a new random token (24+ bytes), put it, then enter it next to the callback URL in the app's WhatsApp configuration (Meta sends it only when the subscription is verified).",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
