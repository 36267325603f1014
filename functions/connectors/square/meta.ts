/**
 * Square: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const SQUARE_API_BASE_URL = 'https://connect.squareup.com';

export const squareMeta = {
  name: 'square',
  displayName: 'Square',
  channel: 'pos',
  docsUrl: 'https://developer.squareup.com/docs/webhooks/overview',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_SQUARE',
      description:
        'Signature key of the webhook subscription (Developer Console → app → Webhooks → Subscriptions); signs x-square-hmacsha256-signature',
      required: true,
      rotation: {
        by: 'vendor',
        how: 'Square issues the signature key of each webhook subscription (Developer Console → app → Webhooks → Subscriptions): put the new key when Square issues one.',
      },
    },
    {
      name: 'apiToken',
      env: 'OMNIHUB_API_TOKEN_SQUARE',
      description:
        'Access token (CUSTOMERS_READ, ORDERS_READ, PAYMENTS_READ) to fetch customers, orders and refunded payments',
      required: false,
      rotation: {
        by: 'vendor',
        how: "Issue a new access token for the app in Square's Developer Console, put it, then revoke the old one.",
      },
    },
    {
      name: 'apiBaseUrl',
      env: 'OMNIHUB_API_BASE_URL_SQUARE',
      description: `Square API base URL; default ${SQUARE_API_BASE_URL} (sandbox: https://connect.squareupsandbox.com)`,
      required: false,
      rotation: { by: 'none', how: 'An API address, not a credential.' },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
