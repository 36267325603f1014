/**
 * Poster POS: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const POSTER_API_BASE_URL = 'https://joinposter.com/api';

export const posterMeta = {
  name: 'poster',
  displayName: 'Poster POS',
  channel: 'pos',
  docsUrl: 'https://dev.joinposter.com/en/docs/v3/web/webhooks',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_POSTER',
      description:
        'application_secret of your Poster application (developer account → application settings); signs the verify field',
      required: true,
      rotation: {
        by: 'vendor',
        how: 'Poster issues the application_secret (developer account → application settings): put the new value when Poster issues one.',
      },
    },
    {
      name: 'apiToken',
      env: 'OMNIHUB_API_TOKEN_POSTER',
      description: 'Poster API token of the account (`account_id:hash`), to fetch receipts and clients',
      required: false,
      rotation: {
        by: 'vendor',
        how: "Poster issues the account's API token (`account_id:hash`): put the new token when Poster issues one.",
      },
    },
    {
      name: 'apiBaseUrl',
      env: 'OMNIHUB_API_BASE_URL_POSTER',
      description: `Poster API base URL; default ${POSTER_API_BASE_URL}`,
      required: false,
      rotation: { by: 'none', how: 'An API address, not a credential.' },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
