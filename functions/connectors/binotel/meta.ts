/**
 * Binotel: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const binotelMeta = {
  name: 'binotel',
  displayName: 'Binotel',
  channel: 'phone',
  docsUrl: 'https://developers.binotel.ua/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_BINOTEL',
      description: 'Random token appended to the webhook URL as ?token=…; Binotel has no request signature',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Generate a new random token (24+ bytes), put it, then change `?token=` in the webhook URL in Binotel's settings.",
      },
    },
    {
      name: 'allowedIps',
      env: 'OMNIHUB_ALLOWED_IPS_BINOTEL',
      description:
        "Optional comma-separated source IPs to accept (Binotel's webhook servers, see README); empty accepts any source with the token",
      required: false,
      rotation: {
        by: 'none',
        how: "Binotel's source addresses, not a credential; change them when Binotel publishes new ones.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
