/**
 * SendGrid Inbound Parse: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

export const sendgridInboundMeta = {
  name: 'sendgrid-inbound',
  displayName: 'SendGrid Inbound Parse',
  channel: 'email',
  docsUrl: 'https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_SENDGRID_INBOUND',
      description:
        'Random token appended to the Inbound Parse destination URL as ?token=…; SendGrid signs no parse post',
      required: true,
      ...STRONG_SECRET,
      rotation: {
        by: 'operator',
        how: 'Generate a new random token (24+ bytes), put it, then change `?token=` in the destination URL under Settings → Inbound Parse in SendGrid.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
