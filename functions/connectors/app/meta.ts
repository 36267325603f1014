/**
 * Mobile app backend (Standard Webhooks): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import { siteKeyBytes } from '../site/meta.js';
import type { ConnectorMeta } from '../types.js';

export const appMeta = {
  name: 'app',
  displayName: 'Mobile app backend (Standard Webhooks)',
  channel: 'app',
  docsUrl: 'https://www.standardwebhooks.com/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_APP',
      description:
        'Standard Webhooks signing secret `whsec_<base64 of 32 random bytes>`, shared with the app backend that signs each POST',
      required: true,
      ...STRONG_SECRET,
      // Read as the Standard Webhooks signer reads it, as the website connector's secret is.
      keyBytes: siteKeyBytes,
      rotation: {
        by: 'operator',
        how: 'Generate a new `whsec_` key (32 random bytes) and give it to the app backend, which signs with both keys meanwhile (Standard Webhooks allows several signatures); put it, then let the backend drop the old key.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
