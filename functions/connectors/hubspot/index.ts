/**
 * HubSpot CRM webhooks (Webhooks API, signature v3): contact creations,
 * property changes (including email opt-outs) and deal stage changes. The
 * payload holds only object ids, so the hub acknowledges at once and the
 * hydrator fetches the contact (and deal) afterwards. Setup: ./README.md.
 */
import { parseJsonBody } from '../shared/body.js';
import { defineConnector } from '../types.js';
import { hydrateHubSpot } from './hydrate.js';
import { normalizeHubSpot } from './normalize.js';
import { HubSpotWebhookSchema } from './schema.js';
import {
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_TIMESTAMP_HEADER,
  hubspotSignatureUri,
  hubspotSignatureV3,
  verifyHubSpotSignature,
} from './signature.js';
import { hubspotMeta } from './meta.js';

export const hubspotConnector = defineConnector({
  ...hubspotMeta,
  verify: (req, secrets, ctx) => verifyHubSpotSignature(req, secrets.secret, ctx.now),
  parse: (req) => parseJsonBody(req, HubSpotWebhookSchema, 'HubSpot webhook batch'),
  normalize: normalizeHubSpot,
  hydrate: hydrateHubSpot,
  signSample: (sample, secrets) => {
    const headers: Record<string, string> = {};
    if (secrets.secret) {
      const timestamp = String(sample.now.getTime());
      headers[HUBSPOT_TIMESTAMP_HEADER] = timestamp;
      headers[HUBSPOT_SIGNATURE_HEADER] = hubspotSignatureV3(
        secrets.secret,
        sample.method,
        hubspotSignatureUri(sample.url),
        sample.body,
        timestamp,
      );
    }
    return { url: sample.url, headers };
  },
});
