/**
 * Telegram Bot API: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta, SecretSpec } from '../types.js';

export const TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const telegramSenderSecrets = [
  {
    name: 'apiToken',
    env: secretEnvName('API_TOKEN', 'telegram'),
    description: 'Bot token from @BotFather (123456:ABC-…), to send messages as the bot',
    required: false,
    rotation: {
      by: 'vendor',
      how: 'Revoke the token with @BotFather (/revoke) and put the new one it gives: the old token stops working at once.',
    },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', 'telegram'),
    description: `Bot API root (default ${TELEGRAM_API_BASE_URL}; a local Bot API server or a test fake)`,
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
] as const satisfies readonly SecretSpec[];

export const telegramMeta = {
  name: 'telegram',
  displayName: 'Telegram Bot API',
  channel: 'telegram',
  docsUrl: 'https://core.telegram.org/bots/api#setwebhook',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_TELEGRAM',
      description:
        'secret_token passed to setWebhook (1–256 chars of A-Z a-z 0-9 _ -); Telegram echoes it in X-Telegram-Bot-Api-Secret-Token',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: 'Call setWebhook again with a new random secret_token (24–256 characters of A-Z a-z 0-9 _ -; the hub requires 24), then put it.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
