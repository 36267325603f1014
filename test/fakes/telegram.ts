/**
 * Fake Telegram Bot API: `POST /bot<token>/sendMessage` with a JSON
 * `{ chat_id, text }`; answers `{ ok: true, result: Message }` or
 * `{ ok: false, error_code, description, parameters? }`.
 */
import { z } from 'zod';
import { jsonBody, startFakeVendor } from './vendor-server.js';

const SendMessage = z
  .object({ chat_id: z.union([z.number().int(), z.string().min(1)]), text: z.string().min(1).max(4096) })
  .strict();

const error = (code: number, description: string, parameters?: Record<string, number>) => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
});

export const TELEGRAM_FAILURES = {
  blocked: () => error(403, 'Forbidden: bot was blocked by the user'),
  chatNotFound: () => error(400, 'Bad Request: chat not found'),
  flood: () => error(429, 'Too Many Requests: retry after 3', { retry_after: 3 }),
  server: () => error(500, 'Internal Server Error'),
  unauthorized: () => error(401, 'Unauthorized'),
};

export const startFakeTelegram = (opts: { token: string }) =>
  startFakeVendor({
    name: 'telegram',
    check: async (req) => {
      if (req.method !== 'POST' || req.path !== `/bot${opts.token}/sendMessage`)
        return { problem: `unexpected ${req.method} ${req.path}` };
      const body = jsonBody(req);
      if ('problem' in body) return body;
      const parsed = SendMessage.safeParse(body.json);
      return parsed.success ? { parsed: parsed.data } : { problem: parsed.error.message };
    },
    success: (req, n) => {
      const { chat_id, text } = req.parsed as z.infer<typeof SendMessage>;
      return {
        status: 200,
        body: {
          ok: true,
          result: {
            message_id: 100 + n,
            from: { id: 7, is_bot: true, first_name: 'Shop' },
            chat: { id: Number(chat_id), type: 'private' },
            date: 1764000000,
            text,
          },
        },
      };
    },
    failures: TELEGRAM_FAILURES,
  });
