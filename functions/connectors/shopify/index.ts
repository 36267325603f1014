/**
 * Shopify: orders and their lifecycle (fulfillments, pickups, cancellations,
 * refunds), checkouts (attempted purchases), customers and marketing consent.
 * Setup: ./README.md.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { validate } from '../shared/body.js';
import { hmac, safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { hydrateShopify, SHOPIFY_API_VERSION } from './hydrate.js';
import { normalizeShopify } from './normalize.js';
import {
  BODY_SCHEMAS,
  parseLosslessJson,
  shopifyBodyKind,
  type ShopifyDelivery,
  type ShopifyKnownBody,
} from './schema.js';
import { shopifyMeta } from './meta.js';

const SHOPIFY_HMAC_HEADER = 'x-shopify-hmac-sha256';
const SHOPIFY_TOPIC_HEADER = 'x-shopify-topic';

/** The header value Shopify sends for `body`: base64 HMAC-SHA256 with the app's client secret. */
const shopifySignature = (body: Buffer, secret: string): string => hmac('sha256', secret, body, 'base64');

/**
 * Over the raw bytes, constant time, fail closed. `X-Shopify-Triggered-At`
 * is not covered by the HMAC, so it cannot be a replay window (anyone
 * replaying a captured delivery could rewrite it); nor are `X-Shopify-Topic`
 * and `X-Shopify-Webhook-Id`, so the event type and the dedup key come from
 * the signed body (./normalize.ts) and a replay collapses into the events
 * the genuine delivery made.
 */
const verify = (req: RawRequest, secret: string | undefined): VerifyResult => {
  if (!secret) return { ok: false, reason: 'No Shopify client secret is configured' };
  const provided = req.headers[SHOPIFY_HMAC_HEADER]?.trim();
  if (!provided) return { ok: false, reason: 'Missing X-Shopify-Hmac-Sha256 header' };
  return safeEqual(provided, shopifySignature(req.body, secret))
    ? { ok: true }
    : { ok: false, reason: 'X-Shopify-Hmac-Sha256 does not match the body' };
};

const header = (req: RawRequest, name: string): string | undefined => req.headers[name]?.trim() || undefined;

const decode = (req: RawRequest): Record<string, unknown> => {
  if (req.body.length === 0)
    throw new ValidationError('The request body is empty; a Shopify JSON payload was expected');
  let json: unknown;
  try {
    json = parseLosslessJson(req.body.toString('utf8'));
  } catch (err) {
    throw new ValidationError(`The request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ValidationError('A Shopify webhook body is a JSON object');
  return json as Record<string, unknown>;
};

/**
 * The body decides what the delivery is (`shopifyBodyKind`); the headers
 * travel along as unsigned metadata. A delivery without `X-Shopify-Topic`
 * is still refused: Shopify always sends it, so its absence means the
 * request did not come from Shopify's webhook pipeline.
 */
const parse = (req: RawRequest): ShopifyDelivery => {
  const topic = header(req, SHOPIFY_TOPIC_HEADER);
  if (!topic) throw new ValidationError('Missing X-Shopify-Topic header');
  const json = decode(req);
  const delivery: ShopifyDelivery = {
    topic,
    webhookId: header(req, 'x-shopify-webhook-id'),
    shopDomain: header(req, 'x-shopify-shop-domain'),
    triggeredAt: header(req, 'x-shopify-triggered-at'),
    apiVersion: header(req, 'x-shopify-api-version'),
  };
  const kind = shopifyBodyKind(json);
  if (!Object.hasOwn(BODY_SCHEMAS, kind)) return { ...delivery, unmapped: kind };
  // Each kind's own schema; the union of all of them is too wide for `validate`'s inference.
  const schema = BODY_SCHEMAS[kind as keyof typeof BODY_SCHEMAS] as z.ZodType<unknown>;
  const body = validate(schema, json, `Shopify ${kind} webhook (${topic})`);
  return { ...delivery, known: { kind, body } as ShopifyKnownBody };
};

/**
 * Which topic a sample body would be sent as. Only for `signSample` (CLI,
 * tests, benchmarks), whose samples carry no headers: order bodies are sent
 * as orders/create, checkouts as checkouts/create, fulfillments as
 * fulfillments/create and customer bodies as customers/update (their payloads
 * are identical to orders/paid and customers/create). The header is
 * realism only: on the request path the body decides, not the topic.
 */
const sampleTopic = (body: Buffer): string => {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return 'orders/create';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'orders/create';
  const has = (key: string) => Object.hasOwn(json as object, key);
  if (has('refund_line_items') && has('order_id')) return 'refunds/create';
  if (has('order_id') && (has('shipment_status') || has('tracking_company'))) return 'fulfillments/create';
  if (has('line_items') && has('financial_status')) return 'orders/create';
  if (has('token') && (has('abandoned_checkout_url') || has('cart_token'))) return 'checkouts/create';
  if (has('token') && has('line_items')) return 'carts/update';
  if (has('line_items')) return 'orders/create';
  if (has('email_marketing_consent') && has('customer_id')) return 'customers_email_marketing_consent/update';
  if (has('sms_marketing_consent') && !has('email')) return 'customers_marketing_consent/update';
  if (has('id') && (has('email') || has('first_name'))) return 'customers/update';
  return 'orders/create';
};

/** A stable UUID-shaped delivery id for a sample body, so a re-sent sample dedups like a Shopify retry. */
const sampleWebhookId = (body: Buffer): string => {
  const h = createHash('sha256').update(body).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export const shopifyConnector = defineConnector({
  ...shopifyMeta,
  verify: (req, secrets) => verify(req, secrets.secret),
  parse,
  normalize: normalizeShopify,
  hydrate: hydrateShopify,
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {
      'X-Shopify-Topic': sampleTopic(sample.body),
      'X-Shopify-Webhook-Id': sampleWebhookId(sample.body),
      'X-Shopify-Shop-Domain': 'example.myshopify.com',
      'X-Shopify-API-Version': SHOPIFY_API_VERSION,
      'X-Shopify-Triggered-At': sample.now.toISOString(),
    };
    if (secrets.secret) headers['X-Shopify-Hmac-Sha256'] = shopifySignature(sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
