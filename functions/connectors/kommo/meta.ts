/**
 * Kommo (amoCRM): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

/** Currency of lead budgets when the `currency` setting is absent. */
export const KOMMO_DEFAULT_CURRENCY = 'UAH';

export const kommoMeta = {
  name: 'kommo',
  displayName: 'Kommo (amoCRM)',
  channel: 'crm',
  docsUrl: 'https://developers.kommo.com/docs/webhooks-general',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'kommo'),
      description: 'Random token appended to the webhook URL as ?token=…; Kommo has no request signature',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: "Generate a new random token (24+ bytes), put it, then change `?token=` in the webhook URL in Kommo's settings.",
      },
    },
    {
      name: 'apiToken',
      env: secretEnvName('API_TOKEN', 'kommo'),
      description:
        'Long-lived token of a private integration (Settings → Integrations → Keys and scopes), to fetch leads and contacts',
      required: false,
      rotation: {
        by: 'vendor',
        how: 'Issue a new long-lived token in the private integration (Settings → Integrations → Keys and scopes), put it, then revoke the old one.',
      },
    },
    {
      name: 'apiBaseUrl',
      env: secretEnvName('API_BASE_URL', 'kommo'),
      description: 'Account URL, https://<subdomain>.kommo.com (or https://<subdomain>.amocrm.ru)',
      required: false,
      rotation: { by: 'none', how: 'The account address, not a credential.' },
    },
    {
      name: 'currency',
      env: 'OMNIHUB_CURRENCY_KOMMO',
      description: `ISO 4217 code of the account currency, for lead budgets (default ${KOMMO_DEFAULT_CURRENCY})`,
      required: false,
      rotation: { by: 'none', how: 'A currency code, not a credential.' },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
