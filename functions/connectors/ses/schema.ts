/**
 * Amazon SNS HTTP(S) message envelope and the Amazon SES email-receiving
 * notification carried in its `Message` (a JSON string). Written from the
 * SNS "HTTP/HTTPS notification JSON format" and "subscription confirmation"
 * references and SES "Contents of notifications for email receiving"; real
 * messages from the AWS SDK for Java v2 SNS message-manager tests check it.
 * Objects are `.loose()` so AWS additions never turn a delivery into a 400.
 */
import * as z from 'zod';

/** SNS message types; the string to sign differs between notifications and (un)subscribe confirmations. */
const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

/**
 * Every field the signature covers is kept as the exact string SNS sent:
 * the canonical string is rebuilt from these values, never re-serialized.
 */
export const SnsEnvelopeSchema = z
  .object({
    Type: z.string().min(1),
    MessageId: z.string().min(1),
    TopicArn: z.string().min(1),
    Message: z.string(),
    Timestamp: z.string().min(1),
    SignatureVersion: z.string().min(1),
    Signature: z.string().min(1),
    SigningCertURL: z.string().min(1),
    /** Notifications only, and only when the publisher set one (Lambda-style `null` is treated as absent). */
    Subject: z.string().nullish(),
    /** (Un)subscribe confirmations only. */
    Token: z.string().optional(),
    SubscribeURL: z.string().optional(),
    UnsubscribeURL: z.string().optional(),
  })
  .loose();
export type SnsEnvelope = z.infer<typeof SnsEnvelopeSchema>;

/** `{ "status": "PASS" | "FAIL" | "GRAY" | "PROCESSING_FAILED" | "DISABLED" }`. */
const VerdictSchema = z.object({ status: z.string() }).loose();

const SesCommonHeadersSchema = z
  .object({
    from: z.array(z.string()).optional(),
    to: z.array(z.string()).optional(),
    cc: z.array(z.string()).optional(),
    replyTo: z.array(z.string()).optional(),
    returnPath: z.string().optional(),
    messageId: z.string().optional(),
    subject: z.string().optional(),
    date: z.string().optional(),
  })
  .loose();

/** The `Message` of a notification published by an SES receipt rule (`notificationType: "Received"`). */
export const SesReceivedNotificationSchema = z
  .object({
    notificationType: z.literal('Received'),
    receipt: z
      .object({
        timestamp: z.string().optional(),
        /** Envelope recipients this receipt rule accepted: the business's own addresses. */
        recipients: z.array(z.string()).default([]),
        spamVerdict: VerdictSchema.optional(),
        virusVerdict: VerdictSchema.optional(),
        spfVerdict: VerdictSchema.optional(),
        dkimVerdict: VerdictSchema.optional(),
        dmarcVerdict: VerdictSchema.optional(),
        action: z
          .object({
            type: z.string(),
            topicArn: z.string().optional(),
            /** SNS action only: `UTF8` (default) or `BASE64` encoding of `content`. */
            encoding: z.string().optional(),
          })
          .loose(),
      })
      .loose(),
    mail: z
      .object({
        timestamp: z.string(),
        /** Envelope sender (MAIL FROM / Return-Path); often a bounce address, see normalize.ts. */
        source: z.string(),
        /** SES's own id of the received message: the dedup key. */
        messageId: z.string().min(1),
        destination: z.array(z.string()).default([]),
        commonHeaders: SesCommonHeadersSchema.optional(),
      })
      .loose(),
    /** Raw MIME, present only for the SNS action (mails up to 150 KB). */
    content: z.string().optional(),
  })
  .loose();
export type SesReceivedNotification = z.infer<typeof SesReceivedNotificationSchema>;

/**
 * What `parse` hands to `normalize`: the verified SNS envelope, plus the SES
 * receipt when the notification is one, or why it is not (`skipped`).
 */
export interface SesPayload {
  readonly envelope: SnsEnvelope;
  readonly received?: SesReceivedNotification;
  readonly skipped?: string;
}
