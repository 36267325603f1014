/**
 * WhatsApp Business Cloud API: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

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
      rotation: {
        by: 'operator',
        how: "Choose a new token, put it, then enter it next to the callback URL in the app's WhatsApp configuration (Meta sends it only when the subscription is verified).",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
