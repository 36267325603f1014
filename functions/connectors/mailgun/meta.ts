/**
 * Mailgun (inbound routes and event webhooks): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import type { ConnectorMeta, SecretSpec } from '../types.js';

/** US region; EU domains use `https://api.eu.mailgun.net` (set `apiBaseUrl`). */
export const MAILGUN_API_BASE_URL = 'https://api.mailgun.net';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const mailgunSenderSecrets = [
  {
    name: 'apiToken',
    env: secretEnvName('API_TOKEN', 'mailgun'),
    description: 'Mailgun API key (a sending key of the domain is enough) to send email; HTTP Basic api:<key>',
    required: false,
    rotation: {
      by: 'vendor',
      how: 'Create a new sending key for the domain in the Mailgun control panel, put it, then delete the old one.',
    },
  },
  {
    name: 'sender',
    env: secretEnvName('SENDER', 'mailgun'),
    description: 'Sending domain (mg.example.com → From noreply@mg.example.com) or a From address on it',
    required: false,
    rotation: { by: 'none', how: 'The sending identity (a number, a name, a page or a domain), not a credential.' },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', 'mailgun'),
    description: `API root (default ${MAILGUN_API_BASE_URL}; EU domains: https://api.eu.mailgun.net)`,
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
] as const satisfies readonly SecretSpec[];

export const mailgunMeta = {
  name: 'mailgun',
  displayName: 'Mailgun (inbound routes and event webhooks)',
  channel: 'email',
  docsUrl: 'https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'mailgun'),
      description: 'HTTP webhook signing key (Mailgun → Sending → Webhooks / API Security), not the API key',
      required: true,
      rotation: {
        by: 'vendor',
        how: 'Mailgun issues the HTTP webhook signing key (Sending → Webhooks / API Security) and replaces it there: put the new key right after.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
