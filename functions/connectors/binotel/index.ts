/**
 * Binotel (Ukrainian cloud PBX) PUSH webhooks: finished calls. Binotel signs
 * nothing; the webhook URL carries a shared secret as `?token=` and,
 * optionally, requests are accepted only from Binotel's servers.
 * Setup: ./README.md.
 */
import { jsonResponse } from '../../shared/http.js';
import { parseNestedForm, validate } from '../shared/body.js';
import { safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { answerBinotel } from './answer.js';
import { normalizeBinotel } from './normalize.js';
import { BinotelCallCompletedSchema, BinotelRequestSchema, type BinotelWebhook } from './schema.js';
import { binotelMeta } from './meta.js';

/** Query parameter of the webhook URL holding the shared secret. */
const BINOTEL_TOKEN_PARAM = 'token';

/**
 * Binotel's webhook servers, from the SDK `sashalenz/binotel-api`
 * (`src/Http/Requests/WebhookRequest.php`) and Binotel's WebHooks docs.
 * A suggested value for the `allowedIps` secret; Binotel may change it.
 */
export const BINOTEL_SERVER_IPS: readonly string[] = [
  '194.88.218.114',
  '194.88.218.116',
  '194.88.218.117',
  '194.88.218.118',
  '194.88.218.119',
  '194.88.218.120',
  '194.88.219.67',
  '194.88.219.70',
  '194.88.219.71',
  '194.88.219.72',
  '194.88.219.78',
  '194.88.219.79',
  '194.88.219.80',
  '194.88.219.81',
  '194.88.219.82',
  '194.88.219.83',
  '194.88.219.84',
  '194.88.219.85',
  '194.88.219.86',
  '194.88.219.87',
  '194.88.219.88',
  '194.88.219.89',
  '194.88.219.92',
  '185.100.66.145',
  '185.100.66.146',
  '185.100.66.147',
  '45.91.130.36',
  '45.91.130.51',
];

/** IPv4 clients seen through a dual-stack socket arrive as `::ffff:a.b.c.d`. */
const plainIp = (ip: string): string => ip.trim().replace(/^::ffff:/i, '');

/** Comma/space separated list; empty means "no allowlist". */
const parseAllowlist = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/[\s,]+/)
    .map(plainIp)
    .filter(Boolean);

const checkSource = (sourceIp: string | undefined, allowedIps: string | undefined): VerifyResult => {
  const allowed = parseAllowlist(allowedIps);
  if (allowed.length === 0) return { ok: true };
  if (!sourceIp) return { ok: false, reason: 'The source IP is unknown and an IP allowlist is configured' };
  return allowed.includes(plainIp(sourceIp))
    ? { ok: true }
    : { ok: false, reason: `Source IP ${plainIp(sourceIp)} is not in the Binotel allowlist` };
};

const parse = (req: Parameters<typeof parseNestedForm>[0]): BinotelWebhook => {
  const form = parseNestedForm(req);
  const base = validate(BinotelRequestSchema, form, 'Binotel webhook');
  return base.requestType === 'apiCallCompleted'
    ? validate(BinotelCallCompletedSchema, form, 'Binotel apiCallCompleted')
    : base;
};

export const binotelConnector = defineConnector({
  ...binotelMeta,
  verify: (req, secrets) => {
    if (!secrets.secret) return { ok: false, reason: 'No URL token is configured' };
    const token = req.query[BINOTEL_TOKEN_PARAM];
    if (!token) return { ok: false, reason: 'Missing ?token= in the webhook URL' };
    if (!safeEqual(token, secrets.secret)) return { ok: false, reason: '?token= does not match' };
    return checkSource(req.sourceIp, secrets.allowedIps);
  },
  parse,
  normalize: normalizeBinotel,
  // Binotel redelivers apiCallCompleted (up to 7 times over ~38 h) unless the answer is exactly {"status":"success"}.
  acknowledge: () => jsonResponse(200, { status: 'success' }),
  // apiCallSettings waits for the caller's card while the phone rings (./answer.ts).
  answer: answerBinotel,
  signSample: (sample, secrets) => {
    const url = new URL(sample.url);
    if (secrets.secret) url.searchParams.set(BINOTEL_TOKEN_PARAM, secrets.secret);
    return { url: url.toString(), headers: {} };
  },
});
