/**
 * Zendesk: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const zendeskMeta = {
  name: 'zendesk',
  displayName: 'Zendesk',
  channel: 'helpdesk',
  docsUrl: 'https://developer.zendesk.com/documentation/webhooks/verifying/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_ZENDESK',
      description: "The webhook's signing secret (Admin Center → Webhooks → the webhook → Reveal secret), as shown",
      required: true,
      // Issued by Zendesk, which documents no length: no minimum, so a genuine secret is never refused.
      rotation: {
        by: 'vendor',
        how: 'Issued by Zendesk: reset the signing secret (Admin Center → Webhooks → the webhook → Reset secret), then put the new value.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
