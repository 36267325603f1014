/**
 * Viber REST Bot API: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const viberMeta = {
  name: 'viber',
  displayName: 'Viber REST Bot API',
  channel: 'viber',
  docsUrl: 'https://developers.viber.com/docs/api/rest-bot-api/#callbacks',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_VIBER',
      description:
        "Bot authentication token (the X-Viber-Auth-Token value, bot's Edit Info → Your app key); Viber signs every callback with it",
      required: true,
      rotation: {
        by: 'vendor',
        how: "Viber issues the bot's authentication token (the bot's Edit Info → Your app key): put the new token when Viber issues one.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
