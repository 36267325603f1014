/**
 * SendGrid Event Webhook: what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import type { ConnectorMeta } from '../types.js';

export const sendgridMeta = {
  name: 'sendgrid',
  displayName: 'SendGrid Event Webhook',
  channel: 'email',
  docsUrl:
    'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_SENDGRID',
      description:
        'The Event Webhook verification key (Settings → Mail Settings → Event Webhook → Signature verification), base64 as shown; public, not secret',
      required: true,
      // A public P-256 key issued by SendGrid: its strength is the curve's, and a malformed key fails to parse.
      rotation: {
        by: 'vendor',
        how: 'Issued by SendGrid: turn signature verification off and on again (Settings → Mail Settings → Event Webhook) to get a new key pair, then put the new verification key.',
      },
    },
    {
      name: 'signingKey',
      env: 'OMNIHUB_SIGNING_KEY_SENDGRID',
      description:
        'Only for omnihub send against a local hub: a P-256 private key (PEM or base64 PKCS#8) matching the verification key; never set in production',
      required: false,
      rotation: {
        by: 'none',
        how: 'A local test key only (SendGrid keeps the production private key); never set in a deployed stack.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
