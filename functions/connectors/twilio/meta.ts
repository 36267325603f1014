/**
 * Twilio (SMS, WhatsApp, Voice): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

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
      rotation: {
        by: 'vendor',
        how: 'The account Auth Token is issued by Twilio (Console → Account info): after Twilio makes a new one primary, put it.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
