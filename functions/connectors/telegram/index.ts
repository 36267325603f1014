/**
 * Telegram Bot API webhook (`setWebhook` with `secret_token`): messages,
 * edits and inline-button presses sent to the bot. Setup: ./README.md.
 */
import { parseJsonBody } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector } from '../types.js';
import { normalizeTelegram } from './normalize.js';
import { TelegramUpdateSchema } from './schema.js';
import { telegramMeta } from './meta.js';

/** Header Telegram fills with the `secret_token` given to `setWebhook`. */
const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export const telegramConnector = defineConnector({
  ...telegramMeta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No secret token is configured' };
    const token = req.headers[TELEGRAM_SECRET_HEADER];
    if (!token) return { ok: false, reason: 'Missing X-Telegram-Bot-Api-Secret-Token header' };
    return safeEqual(token, secrets.secret)
      ? { ok: true }
      : { ok: false, reason: 'X-Telegram-Bot-Api-Secret-Token does not match' };
  },
  parse: (req) => parseJsonBody(req, TelegramUpdateSchema, 'Telegram update'),
  normalize: normalizeTelegram,
  // A bot without secret_token gets no header at all, which is what an unconfigured sample sends.
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret) headers[TELEGRAM_SECRET_HEADER] = secrets.secret;
    return { url: sample.url, headers };
  },
});
