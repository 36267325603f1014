/**
 * Telegram Bot API: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

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
      rotation: {
        by: 'operator',
        how: 'Call setWebhook again with a new secret_token (1–256 characters of A-Z a-z 0-9 _ -), then put it.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
