/**
 * Fake Mailgun Messages API: `POST /v3/{domain}/messages`, HTTP Basic
 * `api:<key>`, `multipart/form-data` with from, to, subject, text; answers
 * `{ id: "<…@domain>", message: "Queued. Thank you." }`.
 */
import { startFakeVendor } from './vendor-server.js';

export const MAILGUN_FAILURES = {
  badAddress: () => ({
    status: 400,
    body: { message: "'to' parameter is not a valid address. please check documentation" },
  }),
  rateLimited: () => ({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } }),
  unauthorized: () => ({ status: 401, body: 'Forbidden' }),
};

export const startFakeMailgun = (opts: { apiKey: string; domain: string }) =>
  startFakeVendor({
    name: 'mailgun',
    check: async (req) => {
      if (req.method !== 'POST' || req.path !== `/v3/${opts.domain}/messages`)
        return { problem: `unexpected ${req.method} ${req.path}` };
      if (req.headers.authorization !== `Basic ${Buffer.from(`api:${opts.apiKey}`).toString('base64')}`)
        return { problem: 'Authorization must be Basic api:<API key>' };
      const type = String(req.headers['content-type'] ?? '');
      if (!type.startsWith('multipart/form-data')) return { problem: 'body must be multipart/form-data' };
      const form = await new Response(req.body, { headers: { 'content-type': type } }).formData();
      for (const field of ['from', 'to', 'subject']) if (!form.get(field)) return { problem: `${field} is required` };
      if (!form.get('text') && !form.get('html') && !form.get('template'))
        return { problem: 'text, html or template is required' };
      return { parsed: Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)])) };
    },
    success: (_req, n) => ({
      status: 200,
      body: { id: `<20261123120000.${n}.fake@${opts.domain}>`, message: 'Queued. Thank you.' },
    }),
    failures: MAILGUN_FAILURES,
  });
