/**
 * Website (Standard Webhooks): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const siteMeta = {
  name: 'site',
  displayName: 'Website (Standard Webhooks)',
  channel: 'web',
  docsUrl: 'https://www.standardwebhooks.com/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_SITE',
      description:
        'Standard Webhooks signing secret `whsec_<base64 of 32 random bytes>`, shared with the website backend that signs each POST',
      required: true,
      rotation: {
        by: 'operator',
        how: 'Generate a new `whsec_` key (32 random bytes) and give it to the website backend, which signs with both keys meanwhile (Standard Webhooks allows several signatures); put it, then let the backend drop the old key.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
