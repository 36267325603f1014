/**
 * Aircall: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const aircallMeta = {
  name: 'aircall',
  displayName: 'Aircall',
  channel: 'phone',
  docsUrl: 'https://developer.aircall.io/tutorials/webhooks-guide/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_AIRCALL',
      description:
        "The webhook's token (Aircall Dashboard → Integrations → Webhook, or the token POST /v1/webhooks returns)",
      required: true,
      // Issued by Aircall, which documents no length: no minimum, so a genuine token is never refused.
      rotation: {
        by: 'vendor',
        how: 'Issued by Aircall per webhook: create a new webhook (Dashboard → Integrations → Webhook, or POST /v1/webhooks), put its token, then delete the old webhook.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
