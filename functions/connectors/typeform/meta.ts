/**
 * Typeform: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const typeformMeta = {
  name: 'typeform',
  displayName: 'Typeform',
  channel: 'web',
  docsUrl: 'https://www.typeform.com/developers/webhooks/secure-your-webhooks/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_TYPEFORM',
      description:
        'Webhook secret set in Typeform (Connect → Webhooks → Edit → Secret, or `secret` of PUT /forms/{id}/webhooks/{tag}); signs every delivery as Typeform-Signature',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Choose a new random secret (24+ bytes), put it, then save it on the form's webhook in Typeform (Connect → Webhooks → Edit → Secret, or PUT /forms/{id}/webhooks/{tag}).",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
