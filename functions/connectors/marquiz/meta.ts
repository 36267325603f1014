/**
 * Marquiz: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const marquizMeta = {
  name: 'marquiz',
  displayName: 'Marquiz',
  channel: 'web',
  docsUrl: 'https://help.marquiz.ru/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_MARQUIZ',
      description: 'Random token appended to the webhook URL as ?token=…; Marquiz has no request signature',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Generate a new random token (24+ bytes), put it, then change `?token=` in the webhook URL of the quiz's integration in Marquiz.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
