/**
 * Amazon SES (email receiving via SNS): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import type { ConnectorMeta } from '../types.js';

export const sesMeta = {
  name: 'ses',
  displayName: 'Amazon SES (email receiving via SNS)',
  channel: 'email',
  docsUrl: 'https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html',
  secrets: [
    {
      name: 'secret',
      env: secretEnvName('SECRET', 'ses'),
      description:
        'ARN of the SNS topic your SES receipt rule publishes to (several separated by commas); messages signed by SNS for any other topic are refused',
      required: true,
      rotation: {
        by: 'none',
        how: "The ARN of the SNS topic the receipt rule publishes to, not a credential: messages are checked against SNS's signing certificate, which AWS rotates.",
      },
    },
  ],
  hydrates: true,
} as const satisfies ConnectorMeta;
