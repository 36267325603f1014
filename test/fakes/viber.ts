/**
 * Fake Viber REST Bot API: `POST /pa/send_message` with
 * `X-Viber-Auth-Token`; HTTP 200 always, `status` says the outcome; the
 * `message_token` is a 64-bit integer beyond JS's exact range, as Viber's are.
 */
import { z } from 'zod';
import { jsonBody, startFakeVendor } from './vendor-server.js';

const SendMessage = z
  .object({
    receiver: z.string().min(1),
    min_api_version: z.number().int().optional(),
    sender: z.object({ name: z.string().min(1).max(28), avatar: z.string().optional() }).strict(),
    tracking_data: z.string().max(4000).optional(),
    type: z.literal('text'),
    text: z.string().min(1).max(7000),
  })
  .strict();

const status = (code: number, message: string) => ({
  status: 200,
  body: { status: code, status_message: message, chat_hostname: 'SN-CHAT-fake' },
});

export const VIBER_FAILURES = {
  notSubscribed: () => status(6, 'notSubscribed'),
  tooManyRequests: () => status(12, 'tooManyRequests'),
  badToken: () => status(2, 'invalidAuthToken'),
};

export const startFakeViber = (opts: { token: string }) =>
  startFakeVendor({
    name: 'viber',
    check: async (req) => {
      if (req.method !== 'POST' || req.path !== '/pa/send_message')
        return { problem: `unexpected ${req.method} ${req.path}` };
      if (req.headers['x-viber-auth-token'] !== opts.token)
        return { problem: 'X-Viber-Auth-Token must be the bot token' };
      const body = jsonBody(req);
      if ('problem' in body) return body;
      const parsed = SendMessage.safeParse(body.json);
      return parsed.success ? { parsed: parsed.data } : { problem: parsed.error.message };
    },
    // Raw JSON text so the token keeps all 19 digits on the wire.
    success: (_req, n) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: `{"status":0,"status_message":"ok","message_token":${5098034272017990000n + BigInt(n)},"chat_hostname":"SN-CHAT-fake"}`,
    }),
    failures: VIBER_FAILURES,
  });
