/**
 * Amazon SES (email receiving via SNS): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { secretEnvName } from '../shared/secret-env.js';
import type { ConnectorMeta, SecretSpec } from '../types.js';

/** Keys of the sender (./send.ts), joined to the connector's secret by the registry: known without loading the sender. */
export const sesSenderSecrets = [
  {
    name: 'sender',
    env: secretEnvName('SENDER', 'ses'),
    description:
      'From of outgoing email ("Shop <shop@example.com>") on the SES identity the stack grants ses:SendEmail on',
    required: false,
    rotation: { by: 'none', how: 'The sending identity (a number, a name, a page or a domain), not a credential.' },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', 'ses'),
    description: 'SES endpoint override (local runs and tests point it at a fake); default the region’s endpoint',
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
] as const satisfies readonly SecretSpec[];

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
