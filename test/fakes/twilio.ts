/**
 * Fake Twilio Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * HTTP Basic `AccountSid:AuthToken`, form-encoded `To`, `From` or
 * `MessagingServiceSid` (exactly one), `Body`, optional `StatusCallback`;
 * answers 201 with the Message resource or Twilio's error JSON.
 */
import { startFakeVendor, type FakeAnswer } from './vendor-server.js';

const error = (status: number, code: number, message: string, headers?: Record<string, string>): FakeAnswer => ({
  status,
  ...(headers ? { headers } : {}),
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

export const TWILIO_FAILURES = {
  stop: () => error(400, 21610, 'Attempt to send to unsubscribed recipient'),
  invalidTo: () => error(400, 21211, "The 'To' number is not a valid phone number."),
  tooMany: () => error(429, 20429, 'Too Many Requests', { 'retry-after': '2' }),
  server: () => ({ status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } }),
};

export const startFakeTwilio = (opts: { accountSid: string; authToken: string }) =>
  startFakeVendor({
    name: 'twilio',
    check: async (req) => {
      if (req.method !== 'POST' || req.path !== `/2010-04-01/Accounts/${opts.accountSid}/Messages.json`)
        return { problem: `unexpected ${req.method} ${req.path}` };
      const basic = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
      if (req.headers.authorization !== basic) return { problem: 'Authorization must be Basic AccountSid:AuthToken' };
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
        return { problem: 'body must be form-encoded' };
      const form = new URLSearchParams(req.body.toString('utf8'));
      const keys = [...new Set(form.keys())];
      const unknown = keys.filter((k) => !['To', 'From', 'MessagingServiceSid', 'Body', 'StatusCallback'].includes(k));
      if (unknown.length) return { problem: `unexpected parameters ${unknown.join(',')}` };
      if (!/^\+\d{8,15}$/.test(form.get('To') ?? '')) return { problem: 'To must be E.164' };
      if (form.has('From') === form.has('MessagingServiceSid'))
        return { problem: 'exactly one of From / MessagingServiceSid' };
      const body = form.get('Body') ?? '';
      if (!body || body.length > 1600) return { problem: 'Body must be 1–1600 characters' };
      return { parsed: Object.fromEntries(form) };
    },
    success: (req, n) => {
      const p = req.parsed as Record<string, string>;
      const sid = `SM${String(n).padStart(32, '0')}`;
      return {
        status: 201,
        body: {
          sid,
          account_sid: opts.accountSid,
          to: p.To,
          from: p.From ?? null,
          messaging_service_sid: p.MessagingServiceSid ?? null,
          body: p.Body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          error_code: null,
          error_message: null,
          uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
        },
      };
    },
    failures: TWILIO_FAILURES,
  });
