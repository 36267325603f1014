/**
 * Shopify: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

/** Admin API version the order is read with (a stable, supported version). */
export const SHOPIFY_API_VERSION = '2025-07';

export const shopifyMeta = {
  name: 'shopify',
  displayName: 'Shopify',
  channel: 'ecommerce',
  docsUrl: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_SHOPIFY',
      description:
        "App client secret (Partner Dashboard → app → Client credentials), or the store's webhook signing secret for webhooks created in Settings → Notifications; signs X-Shopify-Hmac-Sha256",
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'vendor',
        how: "Issued by Shopify: the app's client secret (Partner Dashboard → app → Client credentials) or the store's webhook signing secret (Settings → Notifications); put the new value when Shopify issues one.",
      },
    },
    {
      name: 'apiToken',
      env: 'OMNIHUB_API_TOKEN_SHOPIFY',
      description:
        'Admin API access token with read_orders; used only to find the customer of a refund (refunds/create names no customer)',
      required: false,
      rotation: {
        by: 'vendor',
        how: 'Issue a new Admin API access token (read_orders) for the app in Shopify, put it, then revoke the old one.',
      },
    },
    {
      name: 'apiBaseUrl',
      env: 'OMNIHUB_API_BASE_URL_SHOPIFY',
      description: `Admin API base URL; default https://<X-Shopify-Shop-Domain>/admin/api/${SHOPIFY_API_VERSION}`,
      required: false,
      rotation: { by: 'none', how: 'An API address, not a credential.' },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
