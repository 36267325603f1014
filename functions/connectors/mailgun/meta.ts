/**
 * Mailgun (inbound routes and event webhooks): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import type { ConnectorMeta } from '../types.js';

export const mailgunMeta = {
  name: 'mailgun',
  displayName: 'Mailgun (inbound routes and event webhooks)',
  channel: 'email',
  docsUrl: 'https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'mailgun'),
      description: 'HTTP webhook signing key (Mailgun → Sending → Webhooks / API Security), not the API key',
      required: true,
      rotation: {
        by: 'vendor',
        how: 'Mailgun issues the HTTP webhook signing key (Sending → Webhooks / API Security) and replaces it there: put the new key right after.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
