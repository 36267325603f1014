/**
 * Viber REST Bot API: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta, SecretSpec } from '../types.js';

export const VIBER_API_BASE_URL = 'https://chatapi.viber.com/pa';
/** `sender.name` limit. */
export const VIBER_SENDER_NAME_LIMIT = 28;

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const viberSenderSecrets = [
  {
    name: 'sender',
    env: secretEnvName('SENDER', 'viber'),
    description: `Sender name shown above the bot's messages (sender.name, at most ${VIBER_SENDER_NAME_LIMIT} characters); sending uses the auth token above`,
    required: false,
    rotation: { by: 'none', how: 'The sending identity (a number, a name, a page or a domain), not a credential.' },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', 'viber'),
    description: `REST Bot API root (default ${VIBER_API_BASE_URL})`,
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
] as const satisfies readonly SecretSpec[];

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
      ...STRONG_SECRET,
      rotation: {
        by: 'vendor',
        how: "Viber issues the bot's authentication token (the bot's Edit Info → Your app key): put the new token when Viber issues one.",
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
