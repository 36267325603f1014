/**
 * `EmailTransport` over Amazon SES v2 `SendEmail` with the AWS SDK: plain
 * text (`Content.Simple`, UTF-8), one `To`, the hub's message id as an email
 * tag. Every SDK error becomes a result with the exception name, which the
 * `ses` sender's table classifies; the SDK's own retries (throttling, 5xx)
 * are limited to 2 attempts so the pipeline's backoff stays in charge.
 * Locally the client points at a fake SES endpoint (`endpoint`).
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSendResult, EmailTransport, OutboundEmail } from '../../ports.js';

export interface SesV2EmailTransportOptions {
  /** Endpoint override (a local fake); default the region's SES endpoint. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Static credentials (local fakes only; on AWS the function's role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export class SesV2EmailTransport implements EmailTransport {
  private readonly client: SESv2Client;

  constructor(options: SesV2EmailTransportOptions = {}, client?: SESv2Client) {
    this.client =
      client ??
      new SESv2Client({
        maxAttempts: 2,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
  }

  async sendEmail(email: OutboundEmail): Promise<EmailSendResult> {
    try {
      const res = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: email.text, Charset: 'UTF-8' } },
            },
          },
          ...(email.tags?.length ? { EmailTags: email.tags.map((t) => ({ Name: t.name, Value: t.value })) } : {}),
          ...(email.configurationSetName ? { ConfigurationSetName: email.configurationSetName } : {}),
        }),
      );
      return res.MessageId
        ? { ok: true, messageId: res.MessageId }
        : { ok: false, code: 'unexpected_response', message: 'SES answered without a MessageId' };
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      return { ok: false, code: e.name || 'Error', message: e.message, ...(status ? { httpStatus: status } : {}) };
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
