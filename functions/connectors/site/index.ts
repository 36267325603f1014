/**
 * The company's own website: lead forms, callback requests, chat widget
 * messages, cart and order events, in the hub's own versioned JSON format,
 * authenticated with Standard Webhooks so any team can post with an
 * off-the-shelf library. Format and setup: ./README.md, ./schema.json.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJsonBody } from '../shared/body.js';
import { defineConnector } from '../types.js';
import { normalizeSite } from './normalize.js';
import { SiteEventSchema, type SiteDelivery } from './schema.js';
import {
  signStandardWebhook,
  verifyStandardWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './signature.js';
import { siteMeta } from './meta.js';

const parse = (req: RawRequest): SiteDelivery => {
  // verify already refused a delivery without it; parse must not rely on that ordering.
  const webhookId = req.headers[WEBHOOK_ID_HEADER];
  if (!webhookId) throw new ValidationError("Missing webhook-id header; it is the delivery's dedup key");
  return { webhookId, event: parseJsonBody(req, SiteEventSchema, 'Website event') };
};

/**
 * The id a sample is sent under: derived from the body, so re-sending the
 * same sample is a redelivery (same id, same hub event), as it would be for
 * a sender retrying one message.
 */
const sampleId = (body: Buffer): string => `msg_${createHash('sha256').update(body).digest('hex').slice(0, 27)}`;

export const siteConnector = defineConnector({
  ...siteMeta,
  verify: (req, secrets, ctx) =>
    verifyStandardWebhook(
      req.body,
      {
        id: req.headers[WEBHOOK_ID_HEADER],
        timestamp: req.headers[WEBHOOK_TIMESTAMP_HEADER],
        signature: req.headers[WEBHOOK_SIGNATURE_HEADER],
      },
      secrets.secret,
      ctx.now,
    ),
  parse,
  normalize: normalizeSite,
  signSample: (sample, secrets) => ({
    url: sample.url,
    headers: secrets.secret ? signStandardWebhook(sample.body, secrets.secret, sampleId(sample.body), sample.now) : {},
  }),
});
