/**
 * Mailgun payloads: the form fields a route `forward()`/`store(notify)` posts
 * for an inbound mail (documentation.mailgun.com "Receive, Forward, Store" →
 * HTTP), and the JSON event webhook (`{ signature, event-data }`). Field
 * sets from Mailgun's docs and the django-anymail test payloads. `.loose()`
 * everywhere; only what the normalizer reads is required.
 */
import * as z from 'zod';

/** `timestamp` + `token` + `signature`, as in the body of every Mailgun POST. */
const MailgunSignatureSchema = z
  .object({
    timestamp: z.union([z.string(), z.number()]).transform(String),
    token: z.string().min(1),
    signature: z.string().min(1),
    /** Subaccount events: the same HMAC under the parent account's key. */
    'parent-signature': z.string().optional(),
  })
  .loose();
export type MailgunSignature = z.infer<typeof MailgunSignatureSchema>;

/**
 * Text fields of an inbound mail. Mailgun documents `from`, `subject` and
 * `Message-Id` as fields, but they are also (and in older deliveries only)
 * in `message-headers`, so both are read.
 */
export const MailgunInboundSchema = z
  .object({
    /** The route's recipient: the business's own address. */
    recipient: z.string().min(1),
    /** SMTP envelope sender (MAIL FROM); often a bounce address. */
    sender: z.string().optional(),
    from: z.string().optional(),
    subject: z.string().optional(),
    'Message-Id': z.string().optional(),
    /** JSON list of `[name, value]` pairs, in order. */
    'message-headers': z.string().optional(),
    'body-plain': z.string().optional(),
    'stripped-text': z.string().optional(),
    'attachment-count': z.string().optional(),
    timestamp: z.string().optional(),
    token: z.string().optional(),
  })
  .loose()
  .refine((f) => Boolean(f.from || f.sender || f['message-headers']), {
    message: 'an inbound mail needs from, sender or message-headers',
    path: ['from'],
  });
export type MailgunInbound = z.infer<typeof MailgunInboundSchema>;

const MailgunEventDataSchema = z
  .object({
    event: z.string().min(1),
    id: z.string().optional(),
    /** Unix seconds with a fraction (`1534108637.153125`). */
    timestamp: z.number().optional(),
    recipient: z.string().optional(),
    severity: z.string().optional(),
    reason: z.string().optional(),
    message: z
      .object({
        headers: z
          .object({
            'message-id': z.string().optional(),
            subject: z.string().optional(),
            from: z.string().optional(),
            to: z.string().optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
    'delivery-status': z
      .object({
        code: z.union([z.number(), z.string()]).optional(),
        message: z.string().optional(),
        description: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type MailgunEventData = z.infer<typeof MailgunEventDataSchema>;

export const MailgunEventWebhookSchema = z
  .object({
    signature: MailgunSignatureSchema,
    'event-data': MailgunEventDataSchema,
  })
  .loose();
export type MailgunEventWebhook = z.infer<typeof MailgunEventWebhookSchema>;

/** What `parse` hands to `normalize`. */
export type MailgunPayload =
  | { readonly kind: 'inbound'; readonly fields: MailgunInbound; readonly attachments: number }
  | { readonly kind: 'event'; readonly webhook: MailgunEventWebhook }
  /** Pre-2018 form-encoded event webhooks (`event=delivered&…`): acknowledged, not mapped. */
  | { readonly kind: 'legacy-event'; readonly event: string };
