/**
 * WooCommerce store webhooks: orders (placed, paid, completed, cancelled,
 * refunded, the block checkout's drafts) and customer accounts.
 * Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import { hmac, safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { normalizeWooCommerce } from './normalize.js';
import { WooCustomerSchema, WooOrderSchema, type WooDelivery } from './schema.js';
import { woocommerceMeta } from './meta.js';

const WOO_SIGNATURE_HEADER = 'x-wc-webhook-signature';

/** The header value WooCommerce sends for `body`: base64 HMAC-SHA256 with the webhook's secret as UTF-8 text. */
const wooSignature = (body: Buffer, secret: string): string => hmac('sha256', secret, body, 'base64');

/**
 * `WC_Webhook::deliver_ping()` posts `webhook_id=<id>` when a webhook is
 * saved, unsigned and without any `X-WC-*` header, and refuses to activate
 * the webhook unless the answer is exactly 200.
 */
const PING = /^webhook_id=(\d{1,20})$/;
const pingOf = (body: Buffer): string | undefined => PING.exec(body.toString('utf8').trim())?.[1];

/**
 * Over the raw bytes, constant time, fail closed. WooCommerce signs no
 * timestamp and retries nothing (a failed delivery is dropped; five in a row
 * disable the webhook), so there is no replay window: a replayed delivery
 * collapses into the events the body already made (dedup keys come from the
 * body). The ping is the one unsigned request accepted: it carries no data
 * and yields no event.
 */
const verify = (req: RawRequest, secret: string | undefined): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No WooCommerce webhook secret is configured' };
  if (pingOf(req.body) !== undefined) return { ok: true };
  const provided = req.headers[WOO_SIGNATURE_HEADER]?.trim();
  if (!provided) return { ok: false, reason: 'Missing X-WC-Webhook-Signature header' };
  return safeEqual(provided, wooSignature(req.body, secret))
    ? { ok: true }
    : { ok: false, reason: 'X-WC-Webhook-Signature does not match the body' };
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a (signed) body is, from its own keys: the topic header is not signed. */
const wooBodyKind = (json: Record<string, unknown>): 'order' | 'customer' | string => {
  const has = (key: string) => Object.hasOwn(json, key);
  if (has('order_key') && has('line_items')) return 'order';
  if (has('id') && !has('line_items') && (has('username') || has('role')) && has('email')) return 'customer';
  if (has('id') && Object.keys(json).length === 1) return 'a deletion ({"id": …} only)';
  if (has('discount_type')) return 'a coupon';
  if (has('sku') && (has('regular_price') || has('price'))) return 'a product';
  if (has('action') && has('arg')) return `a custom action (${String(json.action)})`;
  return 'a body that is no order or customer';
};

const sourceHost = (req: RawRequest): string | undefined => {
  const raw = req.headers['x-wc-webhook-source']?.trim();
  if (!raw) return undefined;
  try {
    return new URL(raw).host || undefined;
  } catch {
    return undefined;
  }
};

const parse = (req: RawRequest): WooDelivery => {
  const ping = pingOf(req.body);
  if (ping !== undefined) return { kind: 'ping', webhookId: ping };
  const json = parseJson(req);
  if (!isObject(json)) throw new ValidationError('A WooCommerce webhook body is a JSON object');
  const kind = wooBodyKind(json);
  const source = sourceHost(req);
  if (kind === 'order') return { kind, order: validate(WooOrderSchema, json, 'WooCommerce order'), source };
  if (kind === 'customer') return { kind, customer: validate(WooCustomerSchema, json, 'WooCommerce customer'), source };
  return { kind: 'other', what: kind };
};

/** The topic WooCommerce would send a sample body under (realism only: the body decides). */
const sampleTopic = (body: Buffer): string => {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return isObject(json) && wooBodyKind(json) === 'customer' ? 'customer.updated' : 'order.updated';
  } catch {
    return 'order.updated';
  }
};

export const woocommerceConnector = defineConnector({
  ...woocommerceMeta,
  verify: (req, secrets) => verify(req, secrets.secret),
  parse,
  normalize: normalizeWooCommerce,
  signSample: (sample, secrets) => {
    if (pingOf(sample.body) !== undefined) return { url: sample.url, headers: {} };
    const topic = sampleTopic(sample.body);
    const [resource = 'order', event = 'updated'] = topic.split('.');
    const headers: Record<string, string> = {
      'X-WC-Webhook-Source': 'https://shop.example.com/',
      'X-WC-Webhook-Topic': topic,
      'X-WC-Webhook-Resource': resource,
      'X-WC-Webhook-Event': event,
      'X-WC-Webhook-ID': '3',
      'X-WC-Webhook-Delivery-ID': createHash('md5').update(sample.body).digest('hex'),
    };
    if (secrets.secret) headers['X-WC-Webhook-Signature'] = wooSignature(sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
