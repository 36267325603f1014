/**
 * WooCommerce: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const woocommerceMeta = {
  name: 'woocommerce',
  displayName: 'WooCommerce',
  channel: 'ecommerce',
  docsUrl: 'https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_WOOCOMMERCE',
      description:
        "The webhook's Secret (WooCommerce → Settings → Advanced → Webhooks); signs every delivery as X-WC-Webhook-Signature",
      required: true,
      // The shop owner types it (WooCommerce fills in a random one only when the field is left empty).
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Generate a new random secret (24+ bytes), put it, then enter it as the webhook's Secret under WooCommerce → Settings → Advanced → Webhooks.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
