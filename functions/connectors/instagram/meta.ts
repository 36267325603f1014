/**
 * Instagram messaging: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { metaSenderSecrets } from '../shared/meta-send-secrets.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const instagramSenderSecrets = metaSenderSecrets({
  connector: 'instagram',
  tokenDescription:
    'Page access token of the Page linked to the Instagram professional account, with instagram_manage_messages',
  senderDescription: 'Page id linked to the Instagram account (POST /{page-id}/messages); without it /me/messages',
});

export const instagramMeta = {
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
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Choose a new random token (24+ bytes), put it, then enter it next to the callback URL in the app's Webhooks settings (Meta sends it only when the subscription is verified).",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
