/**
 * Fake Meta Send API (Messenger, Instagram): `POST /{page-id}/messages`
 * with `Authorization: Bearer <Page token>`, `recipient.id`,
 * `messaging_type` and a `tag` exactly when it is MESSAGE_TAG.
 */
import { z } from 'zod';
import { jsonBody, startFakeVendor, type FakeAnswer } from './vendor-server.js';

const SendBody = z
  .object({
    recipient: z.object({ id: z.string().min(1) }).strict(),
    messaging_type: z.enum(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']),
    tag: z.enum(['HUMAN_AGENT', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE']).optional(),
    message: z.object({ text: z.string().min(1).max(2000) }).strict(),
  })
  .strict()
  .refine(
    (b) => (b.messaging_type === 'MESSAGE_TAG') === (b.tag !== undefined),
    'tag is required with MESSAGE_TAG and only then',
  );

const error = (code: number, message: string, subcode?: number): FakeAnswer => ({
  status: 400,
  body: {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode ? { error_subcode: subcode } : {}),
      fbtrace_id: 'Afake',
    },
  },
});

export const META_FAILURES = {
  unavailable: () => error(551, "This person isn't available right now.", 1545041),
  outsideWindow: () => error(10, 'This message is sent outside of allowed window.', 2018278),
  rateLimited: () => error(613, 'Calls to this api have exceeded the rate limit.'),
};

export const startFakeMetaSend = (opts: { token: string; pageId: string }) =>
  startFakeVendor({
    name: 'meta-send',
    check: async (req) => {
      if (req.method !== 'POST' || !new RegExp(`^/v\\d+\\.\\d+/${opts.pageId}/messages$`).test(req.path))
        return { problem: `unexpected ${req.method} ${req.path}` };
      if (req.headers.authorization !== `Bearer ${opts.token}`)
        return { problem: 'Authorization must be Bearer <Page access token>' };
      const body = jsonBody(req);
      if ('problem' in body) return body;
      const parsed = SendBody.safeParse(body.json);
      return parsed.success ? { parsed: parsed.data } : { problem: parsed.error.message };
    },
    success: (req, n) => ({
      status: 200,
      body: { recipient_id: (req.parsed as { recipient: { id: string } }).recipient.id, message_id: `m_fake${n}` },
    }),
    failures: META_FAILURES,
  });
