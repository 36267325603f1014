/**
 * Fake Amazon SES v2: `POST /v2/email/outbound-emails` (restJson1) signed
 * with SigV4 for service `ses`; checks the SendEmail request shape and
 * answers `{ MessageId }`, or an error with `x-amzn-ErrorType` as AWS does.
 */
import { z } from 'zod';
import { jsonBody, startFakeVendor, type FakeAnswer } from './vendor-server.js';

const Content = z.object({ Data: z.string(), Charset: z.string().optional() }).strict();
const SendEmail = z
  .object({
    FromEmailAddress: z.string().min(3),
    Destination: z.object({ ToAddresses: z.array(z.email()).min(1) }).strict(),
    Content: z
      .object({ Simple: z.object({ Subject: Content, Body: z.object({ Text: Content }).strict() }).strict() })
      .strict(),
    EmailTags: z
      .array(z.object({ Name: z.string().regex(/^[\w-]+$/), Value: z.string().regex(/^[\w-]+$/) }).strict())
      .optional(),
    ConfigurationSetName: z.string().optional(),
  })
  .strict();

const awsError = (status: number, type: string, message: string): FakeAnswer => ({
  status,
  headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': 'fake-request' },
  body: { message },
});

export const SES_FAILURES = {
  rejected: () => awsError(400, 'MessageRejected', 'Email address is not verified.'),
  throttled: () => awsError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'),
  suspended: () => awsError(400, 'AccountSuspendedException', 'Account suspended.'),
};

export const startFakeSes = (opts: { accessKeyId: string; region: string }) =>
  startFakeVendor({
    name: 'ses',
    check: async (req) => {
      if (req.method !== 'POST' || req.path !== '/v2/email/outbound-emails')
        return { problem: `unexpected ${req.method} ${req.path}` };
      const auth = String(req.headers.authorization ?? '');
      const sigv4 = new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/\\d{8}/${opts.region}/ses/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`,
      );
      if (!sigv4.test(auth))
        return { problem: `Authorization is not a SigV4 signature for ses in ${opts.region}: ${auth}` };
      if (!req.headers['x-amz-date']) return { problem: 'X-Amz-Date is missing' };
      const body = jsonBody(req);
      if ('problem' in body) return body;
      const parsed = SendEmail.safeParse(body.json);
      return parsed.success ? { parsed: parsed.data } : { problem: parsed.error.message };
    },
    success: (_req, n) => ({
      status: 200,
      body: { MessageId: `0100019ab1c2d3e4-fake-${String(n).padStart(6, '0')}-000000` },
    }),
    failures: SES_FAILURES,
  });
