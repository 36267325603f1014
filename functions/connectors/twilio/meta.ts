/**
 * Twilio (SMS, WhatsApp, Voice): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta, SecretSpec } from '../types.js';

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const twilioSenderSecrets = [
  {
    name: 'apiToken',
    env: secretEnvName('API_TOKEN', 'twilio'),
    description: 'AccountSid:AuthToken (or AccountSid:ApiKeySid:ApiKeySecret) to send SMS; HTTP Basic',
    required: false,
    rotation: {
      by: 'vendor',
      how: 'Create a new API key (or promote the secondary auth token) in the Twilio Console, put it, then delete the old one.',
    },
  },
  {
    name: 'sender',
    env: secretEnvName('SENDER', 'twilio'),
    description: 'The From: a Twilio number in E.164 or alphanumeric sender id, or a Messaging Service sid (MG…)',
    required: false,
    rotation: { by: 'none', how: 'The sending identity (a number, a name, a page or a domain), not a credential.' },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', 'twilio'),
    description: `REST API root (default ${TWILIO_API_BASE_URL})`,
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
] as const satisfies readonly SecretSpec[];

export const twilioMeta = {
  name: 'twilio',
  displayName: 'Twilio (SMS, WhatsApp, Voice)',
  channel: 'sms',
  docsUrl: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_TWILIO',
      description:
        'Twilio Auth Token of the account (Console → Account info); signs every request as X-Twilio-Signature',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'vendor',
        how: 'The account Auth Token is issued by Twilio (Console → Account info): after Twilio makes a new one primary, put it.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
