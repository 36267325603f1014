/**
 * A Standard Webhooks delivery as the website and the mobile app post it
 * (the app connector reuses the website's format and signature): the
 * authenticity check over the raw body and its three headers, the
 * `webhook-id` as the delivery's dedup key, and the id a signed sample is
 * sent under. One place, so the two connectors cannot drift apart.
 */
import { createHash } from 'node:crypto';
import type * as z from 'zod';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJsonBody } from '../shared/body.js';
import type { ConnectorSecrets, SampleRequest, SignedSample, VerifyContext, VerifyResult } from '../types.js';
import {
  signStandardWebhook,
  verifyStandardWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './signature.js';

/** Checks the delivery's Standard Webhooks signature with the connector's `secret`. */
export const verifyDelivery = (req: RawRequest, secrets: ConnectorSecrets, ctx: VerifyContext): VerifyResult =>
  verifyStandardWebhook(
    req.body,
    {
      id: req.headers[WEBHOOK_ID_HEADER],
      timestamp: req.headers[WEBHOOK_TIMESTAMP_HEADER],
      signature: req.headers[WEBHOOK_SIGNATURE_HEADER],
    },
    secrets.secret,
    ctx.now,
  );

/** The body parsed with `schema`, keyed by its `webhook-id`. */
export const parseDelivery = <T>(
  req: RawRequest,
  schema: z.ZodType<T>,
  label: string,
): { webhookId: string; event: T } => {
  // verify already refused a delivery without it; parse must not rely on that ordering.
  const webhookId = req.headers[WEBHOOK_ID_HEADER];
  if (!webhookId) throw new ValidationError("Missing webhook-id header; it is the delivery's dedup key");
  return { webhookId, event: parseJsonBody(req, schema, label) };
};

/**
 * The id a sample is sent under: derived from the body, so re-sending the
 * same sample is a redelivery (same id, same hub event), as it would be for
 * a sender retrying one message.
 */
const sampleId = (body: Buffer): string => `msg_${createHash('sha256').update(body).digest('hex').slice(0, 27)}`;

/** Signs a sample as a sender would (`omnihub send`, tests, benchmarks). */
export const signDeliverySample = (sample: SampleRequest, secrets: ConnectorSecrets): SignedSample => ({
  url: sample.url,
  headers: secrets.secret ? signStandardWebhook(sample.body, secrets.secret, sampleId(sample.body), sample.now) : {},
});
