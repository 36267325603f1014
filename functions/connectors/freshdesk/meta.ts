/**
 * Freshdesk: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const freshdeskMeta = {
  name: 'freshdesk',
  displayName: 'Freshdesk',
  channel: 'helpdesk',
  docsUrl: 'https://support.freshdesk.com/support/solutions/articles/132589-using-webhooks-in-automation-rules',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_FRESHDESK',
      description:
        "The password entered under the rule's Trigger Webhook → Requires authentication (user name omnihub); a random string",
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Generate a new random password (24+ bytes), put it, then enter it under each automation rule's Trigger Webhook → Requires authentication in Freshdesk.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
