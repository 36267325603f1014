/**
 * Square: payments (online and at the till), orders and their lifecycle
 * (ready for pickup, completed, cancelled), refunds and the customer directory. Setup: ./README.md.
 */
import type { RawRequest } from '../../shared/http.js';
import { parseJsonBody, validate } from '../shared/body.js';
import { hmac, safeEqual } from '../shared/signature.js';
import { defineConnector, type VerifyResult } from '../types.js';
import { hydrateSquare } from './hydrate.js';
import { normalizeSquare } from './normalize.js';
import {
  SquareCustomerSchema,
  SquareEnvelopeSchema,
  SquareOrderCreatedSchema,
  SquareOrderFulfillmentUpdatedSchema,
  SquareOrderUpdatedSchema,
  SquarePaymentSchema,
  SquareRefundSchema,
  type SquareNotification,
  type SquareResource,
} from './schema.js';
import { squareMeta } from './meta.js';

const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/**
 * base64(HMAC-SHA256(signature key, notification URL + raw body)). The URL
 * is the one registered in the subscription, i.e. the public URL the hub is
 * called on (`RawRequest.url`, set via OMNIHUB_PUBLIC_BASE_URL behind API
 * Gateway stages or custom domains).
 */
const squareSignature = (notificationUrl: string, body: Buffer, signatureKey: string): string =>
  hmac('sha256', signatureKey, Buffer.concat([Buffer.from(notificationUrl, 'utf8'), body]), 'base64');

/** Square signs no timestamp (retries keep the original body), so there is no replay window; `event_id` dedups. */
const verify = (req: RawRequest, signatureKey: string | undefined): VerifyResult => {
  if (!signatureKey) return { ok: false, reason: 'No Square signature key is configured' };
  const provided = req.headers[SQUARE_SIGNATURE_HEADER]?.trim();
  if (!provided) return { ok: false, reason: 'Missing x-square-hmacsha256-signature header' };
  return safeEqual(provided, squareSignature(req.url, req.body, signatureKey))
    ? { ok: true }
    : { ok: false, reason: 'x-square-hmacsha256-signature does not match the notification URL and body' };
};

/** The changed resource, validated by the notification type's own schema. */
const resourceOf = (type: string, object: Record<string, unknown> | undefined): SquareResource => {
  const what = `Square ${type} notification`;
  if (type.startsWith('payment.') && object?.payment !== undefined)
    return { kind: 'payment', payment: validate(SquarePaymentSchema, object.payment, what) };
  if (type.startsWith('refund.') && object?.refund !== undefined)
    return { kind: 'refund', refund: validate(SquareRefundSchema, object.refund, what) };
  if (type === 'order.created' && object?.order_created !== undefined)
    return { kind: 'order_created', order: validate(SquareOrderCreatedSchema, object.order_created, what) };
  if (type === 'order.updated' && object?.order_updated !== undefined)
    return { kind: 'order_updated', order: validate(SquareOrderUpdatedSchema, object.order_updated, what) };
  if (type === 'order.fulfillment.updated' && object?.order_fulfillment_updated !== undefined)
    return {
      kind: 'order_fulfillment_updated',
      order: validate(SquareOrderFulfillmentUpdatedSchema, object.order_fulfillment_updated, what),
    };
  if (type.startsWith('customer.') && object?.customer !== undefined)
    return { kind: 'customer', customer: validate(SquareCustomerSchema, object.customer, what) };
  return { kind: 'other' };
};

const parse = (req: RawRequest): SquareNotification => {
  const envelope = parseJsonBody(req, SquareEnvelopeSchema, 'Square notification');
  return { envelope, resource: resourceOf(envelope.type, envelope.data.object) };
};

export const squareConnector = defineConnector({
  ...squareMeta,
  verify: (req, secrets) => verify(req, secrets.secret),
  parse,
  normalize: normalizeSquare,
  hydrate: hydrateSquare,
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret)
      headers['x-square-hmacsha256-signature'] = squareSignature(sample.url, sample.body, secrets.secret);
    return { url: sample.url, headers };
  },
});
