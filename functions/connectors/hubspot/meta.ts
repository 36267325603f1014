/**
 * HubSpot CRM: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

/** HubSpot's API host; `apiBaseUrl` overrides it (tests, proxies). */
export const HUBSPOT_API_BASE_URL = 'https://api.hubapi.com';

export const hubspotMeta = {
  name: 'hubspot',
  displayName: 'HubSpot CRM',
  channel: 'crm',
  docsUrl: 'https://developers.hubspot.com/docs/api/webhooks',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'hubspot'),
      description: "The app's client secret (app → Auth); signs every delivery as X-HubSpot-Signature-v3",
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'vendor',
        how: "The app's client secret is issued by HubSpot (app → Auth): put the new value when HubSpot issues one.",
      },
    },
    {
      name: 'apiToken',
      env: secretEnvName('API_TOKEN', 'hubspot'),
      description:
        'Private app access token with crm.objects.contacts.read, crm.objects.deals.read and tickets, to fetch contacts, deals and tickets',
      required: false,
      rotation: {
        by: 'vendor',
        how: 'Issue a new access token for the private app in HubSpot, put it, then retire the old one there.',
      },
    },
    {
      name: 'apiBaseUrl',
      env: secretEnvName('API_BASE_URL', 'hubspot'),
      description: `HubSpot API base URL (default ${HUBSPOT_API_BASE_URL})`,
      required: false,
      rotation: { by: 'none', how: 'An API address, not a credential.' },
    },
    {
      name: 'currency',
      env: 'OMNIHUB_CURRENCY_HUBSPOT',
      description:
        "ISO 4217 code of the account's company currency, for deals without deal_currency_code (no amount when unset)",
      required: false,
      rotation: { by: 'none', how: 'A currency code, not a credential.' },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
