/**
 * HubSpot CRM webhooks (Webhooks API, signature v3): contact creations,
 * property changes (including email opt-outs) and deal stage changes. The
 * payload holds only object ids, so the hub acknowledges at once and the
 * hydrator fetches the contact (and deal) afterwards. Setup: ./README.md.
 */
import { parseJsonBody } from '../shared/body.js';
import { secretEnvName } from '../shared/secret-env.js';
import { defineConnector } from '../types.js';
import { HUBSPOT_API_BASE_URL } from './api.js';
import { hydrateHubSpot } from './hydrate.js';
import { HUBSPOT, normalizeHubSpot } from './normalize.js';
import { HubSpotWebhookSchema } from './schema.js';
import {
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_TIMESTAMP_HEADER,
  hubspotSignatureUri,
  hubspotSignatureV3,
  verifyHubSpotSignature,
} from './signature.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';

export const hubspotConnector = defineConnector({
  name: HUBSPOT,
  displayName: 'HubSpot CRM',
  channel: 'crm',
  docsUrl: 'https://developers.hubspot.com/docs/api/webhooks',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', HUBSPOT),
      description: "The app's client secret (app → Auth); signs every delivery as X-HubSpot-Signature-v3",
      required: true,
      ...STRONG_SECRET,
    },
    {
      name: 'apiToken',
      env: secretEnvName('API_TOKEN', HUBSPOT),
      description:
        'Private app access token with crm.objects.contacts.read and crm.objects.deals.read, to fetch contacts and deals',
      required: false,
    },
    {
      name: 'apiBaseUrl',
      env: secretEnvName('API_BASE_URL', HUBSPOT),
      description: `HubSpot API base URL (default ${HUBSPOT_API_BASE_URL})`,
      required: false,
    },
    {
      name: 'currency',
      env: 'OMNIHUB_CURRENCY_HUBSPOT',
      description:
        "ISO 4217 code of the account's company currency, for deals without deal_currency_code (no amount when unset)",
      required: false,
    },
  ],
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
