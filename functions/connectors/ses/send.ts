/**
 * Sending email through Amazon SES v2 `SendEmail` (`POST
 * /v2/email/outbound-emails`, SigV4). The request is built here; the call
 * goes through the `EmailTransport` port, whose AWS adapter uses the SDK's
 * `SendEmailCommand` (connectors never import the AWS SDK). Credentials are
 * the function's IAM role; the From is the connector's `sender`. The
 * vendor id is `MessageId`.
 *
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
import type { OutboundEmail } from '../../ports.js';
import { defaultSubject, EMAIL_TEXT_LIMIT } from '../mailgun/send.js';
import { secretEnvName } from '../shared/secret-env.js';
import {
  notConfigured,
  type ErrorRule,
  type OutboundMessage,
  type SendContext,
  type Sender,
  type SendOutcome,
} from '../shared/sender.js';
import { sesSenderSecrets } from './meta.js';

const CONNECTOR = 'ses';

/** SES v2 exceptions (the SDK error `name`), classified. */
const SES_ERRORS: Readonly<Record<string, ErrorRule>> = {
  MessageRejected: { failure: 'payload', meaning: 'SES rejected the message (content, or an unverified address)' },
  BadRequestException: { failure: 'payload', meaning: 'Invalid request' },
  LimitExceededException: { failure: 'payload', meaning: 'A size or recipient limit was exceeded' },
  AccountSuspendedException: { failure: 'channel', meaning: 'SES sending is suspended for the account' },
  SendingPausedException: { failure: 'channel', meaning: 'Sending is paused for the account or configuration set' },
  MailFromDomainNotVerifiedException: { failure: 'channel', meaning: 'The MAIL FROM domain is not verified' },
  NotFoundException: { failure: 'channel', meaning: 'Configuration set or identity not found' },
  AccessDeniedException: { failure: 'channel', meaning: 'Not allowed to send from this identity' },
  TooManyRequestsException: { failure: 'transient', meaning: 'Sending rate exceeded' },
  Throttling: { failure: 'transient', meaning: 'Maximum sending rate exceeded' },
  ThrottlingException: { failure: 'transient', meaning: 'Maximum sending rate exceeded' },
  InternalFailure: { failure: 'transient', meaning: 'SES internal error' },
  ServiceUnavailable: { failure: 'transient', meaning: 'SES unavailable' },
};

const sesEmail = (message: OutboundMessage, from: string, configurationSetName?: string): OutboundEmail => ({
  from,
  to: message.to,
  subject: message.subject ?? defaultSubject(message.text ?? ''),
  text: message.text ?? '',
  // Tag values allow only A-Z a-z 0-9 _ - (the hub's ids are in that alphabet).
  tags: [
    { name: 'hub_message_id', value: message.messageId },
    { name: 'purpose', value: message.purpose },
  ],
  ...(configurationSetName ? { configurationSetName } : {}),
});

const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
  const from = ctx.secrets.sender;
  if (!from) return notConfigured(`${secretEnvName('SENDER', CONNECTOR)} (the From on a verified identity) is not set`);
  if (!ctx.email) return notConfigured('No SES transport in this runtime');
  const result = await ctx.email.sendEmail(sesEmail(message, from));
  if (result.ok) return { kind: 'sent', vendorMessageId: result.messageId };
  const rule = SES_ERRORS[result.code];
  const status = result.httpStatus;
  return {
    kind: 'failed',
    failure:
      rule?.failure ??
      (status === undefined || status >= 500 || status === 429 ? 'transient' : status === 403 ? 'channel' : 'payload'),
    code: result.code,
    message: rule ? `${rule.meaning}: ${result.message}` : result.message,
    ...(status !== undefined ? { httpStatus: status } : {}),
  };
};

export const sesSender: Sender = {
  connector: CONNECTOR,
  channel: 'email',
  textLimit: { max: EMAIL_TEXT_LIMIT, unit: 'characters' },
  templates: false,
  secrets: sesSenderSecrets,
  missingConfiguration: (secrets) =>
    secrets.sender ? undefined : `${secretEnvName('SENDER', CONNECTOR)} (the From address) is not set`,
  send,
};
