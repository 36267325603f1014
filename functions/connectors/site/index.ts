/**
 * The company's own website: lead forms, callback requests, chat widget
 * messages, cart and order events, in the hub's own versioned JSON format,
 * authenticated with Standard Webhooks so any team can post with an
 * off-the-shelf library. Format and setup: ./README.md, ./schema.json.
 */
import { defineConnector } from '../types.js';
import { parseDelivery, signDeliverySample, verifyDelivery } from './delivery.js';
import { siteMeta } from './meta.js';
import { normalizeSite } from './normalize.js';
import { SiteEventSchema, type SiteDelivery } from './schema.js';

export const siteConnector = defineConnector({
  ...siteMeta,
  verify: verifyDelivery,
  parse: (req): SiteDelivery => parseDelivery(req, SiteEventSchema, 'Website event'),
  normalize: normalizeSite,
  signSample: signDeliverySample,
});
