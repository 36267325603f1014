/**
 * Bitrix24 CRM: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import type { ConnectorMeta } from '../types.js';

export const bitrix24Meta = {
  name: 'bitrix24',
  displayName: 'Bitrix24 CRM',
  channel: 'crm',
  docsUrl: 'https://apidocs.bitrix24.com/api-reference/events/safe-event-handlers.html',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'bitrix24'),
      description:
        'Application token of the outbound webhook (shown after saving it); Bitrix24 sends it as auth[application_token]',
      required: true,
      rotation: {
        by: 'vendor',
        how: 'Bitrix24 shows the application token when the outbound webhook is saved: recreate the outbound webhook to get a new token, then put it.',
      },
    },
    {
      name: 'apiBaseUrl',
      env: secretEnvName('API_BASE_URL', 'bitrix24'),
      description:
        'Inbound webhook URL with the crm scope, https://<portal>.bitrix24.<tld>/rest/<user>/<key>/ (itself a credential), to fetch leads, contacts and deals',
      required: false,
      rotation: {
        by: 'vendor',
        how: 'The inbound webhook URL embeds its key: create a new inbound webhook (crm scope), put its URL, then delete the old webhook in Bitrix24.',
      },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
