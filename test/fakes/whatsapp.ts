/**
 * Fake WhatsApp Cloud API: `POST /{phone-number-id}/messages` with
 * `Authorization: Bearer <token>`, a text or template body as Meta
 * documents it; answers `messages[0].id` = `wamid.…`, or Graph errors.
 */
import { z } from 'zod';
import { jsonBody, startFakeVendor, type FakeAnswer } from './vendor-server.js';

const Base = {
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual'),
  to: z.string().regex(/^\d{6,15}$/),
};
const TextBody = z
  .object({
    ...Base,
    type: z.literal('text'),
    text: z.object({ preview_url: z.boolean(), body: z.string().min(1).max(4096) }).strict(),
  })
  .strict();
const TemplateBody = z
  .object({
    ...Base,
    type: z.literal('template'),
    template: z
      .object({
        name: z.string().min(1),
        language: z.object({ policy: z.literal('deterministic'), code: z.string().min(2) }).strict(),
        components: z
          .array(
            z
              .object({
                type: z.literal('body'),
                parameters: z.array(z.object({ type: z.literal('text'), text: z.string() }).strict()),
              })
              .strict(),
          )
          .optional(),
      })
      .strict(),
  })
  .strict();

const graphError = (status: number, code: number, message: string): FakeAnswer => ({
  status,
  body: {
    error: {
      message: `(#${code}) ${message}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: message },
      fbtrace_id: 'Afake',
    },
  },
});

export const WHATSAPP_FAILURES = {
  notOnWhatsApp: () => graphError(400, 131026, 'Message undeliverable'),
  reengagement: () => graphError(400, 131047, 'Re-engagement message'),
  throughput: () => graphError(400, 130429, 'Rate limit hit'),
  badToken: () => graphError(401, 190, 'Error validating access token'),
  server: () => ({
    status: 500,
    body: { error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1 } },
  }),
};

export const startFakeWhatsApp = (opts: { token: string; phoneNumberId: string }) =>
  startFakeVendor({
    name: 'whatsapp',
    check: async (req) => {
      if (req.method !== 'POST' || !new RegExp(`^/v\\d+\\.\\d+/${opts.phoneNumberId}/messages$`).test(req.path))
        return { problem: `unexpected ${req.method} ${req.path}` };
      if (req.headers.authorization !== `Bearer ${opts.token}`)
        return { problem: 'Authorization must be Bearer <access token>' };
      const body = jsonBody(req);
      if ('problem' in body) return body;
      const parsed =
        (body.json as { type?: string }).type === 'template'
          ? TemplateBody.safeParse(body.json)
          : TextBody.safeParse(body.json);
      return parsed.success ? { parsed: parsed.data } : { problem: parsed.error.message };
    },
    success: (req, n) => ({
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: (req.parsed as { to: string }).to, wa_id: (req.parsed as { to: string }).to }],
        messages: [{ id: `wamid.HBgMfake${String(n).padStart(6, '0')}` }],
      },
    }),
    failures: WHATSAPP_FAILURES,
  });
