/**
 * Ringostat: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const ringostatMeta = {
  name: 'ringostat',
  displayName: 'Ringostat',
  channel: 'phone',
  docsUrl: 'https://help.ringostat.com/en/articles/6313229-how-to-realise-the-ringostat-integration-using-webhooks',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_RINGOSTAT',
      description: 'Random token appended to the webhook URL as ?token=…; Ringostat has no request signature',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Generate a new random token (24+ bytes), put it, then change `?token=` in the webhook URL in Ringostat's integration settings.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
