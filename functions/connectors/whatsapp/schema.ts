/**
 * WhatsApp Cloud API webhook payload, written from Meta's webhook reference
 * (messages and statuses) and the pywa SDK fixtures. Objects are `.loose()`
 * so fields Meta adds later never turn a delivery into a 400; only what the
 * normalizer reads is required.
 */
import * as z from 'zod';

/** Meta sends unix seconds as a string; a number is accepted too. */
const UnixSecondsSchema = z.union([z.string(), z.number()]);

/** Media object of image/video/audio/document/sticker messages. */
const WhatsAppMediaSchema = z
  .object({
    id: z.string(),
    mime_type: z.string().optional(),
    sha256: z.string().optional(),
    caption: z.string().optional(),
    filename: z.string().optional(),
  })
  .loose();

const WhatsAppMessageSchema = z
  .object({
    from: z.string().min(1),
    id: z.string().min(1),
    timestamp: UnixSecondsSchema,
    /** Not an enum: Meta adds types (`order`, `system`, `unsupported`, …) and unknown ones are ignored. */
    type: z.string(),
    text: z.object({ body: z.string() }).loose().optional(),
    image: WhatsAppMediaSchema.optional(),
    video: WhatsAppMediaSchema.optional(),
    audio: WhatsAppMediaSchema.optional(),
    document: WhatsAppMediaSchema.optional(),
    sticker: WhatsAppMediaSchema.optional(),
    location: z
      .object({
        latitude: z.number(),
        longitude: z.number(),
        name: z.string().optional(),
        address: z.string().optional(),
      })
      .loose()
      .optional(),
    /** Contact cards the customer shared: other people's numbers, never identities of the sender. */
    contacts: z
      .array(z.object({ name: z.object({ formatted_name: z.string().optional() }).loose().optional() }).loose())
      .optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string(), title: z.string() }).loose().optional(),
        list_reply: z
          .object({ id: z.string(), title: z.string(), description: z.string().optional() })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
    /** Quick-reply button of a template message. */
    button: z.object({ text: z.string(), payload: z.string().optional() }).loose().optional(),
    reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).loose().optional(),
    context: z.object({ from: z.string().optional(), id: z.string().optional() }).loose().optional(),
  })
  .loose();
export type WhatsAppMessage = z.infer<typeof WhatsAppMessageSchema>;

const WhatsAppStatusErrorSchema = z
  .object({
    code: z.union([z.number(), z.string()]),
    title: z.string().optional(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).loose().optional(),
  })
  .loose();

const WhatsAppStatusSchema = z
  .object({
    /** wamid of the business's outbound message. */
    id: z.string().min(1),
    /** Not an enum: `deleted`, `warning`, … are acknowledged and ignored. */
    status: z.string(),
    timestamp: UnixSecondsSchema,
    recipient_id: z.string().min(1),
    recipient_type: z.string().optional(),
    recipient_participant_id: z.string().optional(),
    conversation: z.object({ id: z.string() }).loose().optional(),
    errors: z.array(WhatsAppStatusErrorSchema).optional(),
  })
  .loose();
export type WhatsAppStatus = z.infer<typeof WhatsAppStatusSchema>;

/** `value` of a change with `field: "messages"`. */
const WhatsAppMessagesValueSchema = z
  .object({
    messaging_product: z.string().optional(),
    metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }).loose(),
    contacts: z
      .array(
        z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).loose().optional() }).loose(),
      )
      .optional(),
    messages: z.array(WhatsAppMessageSchema).optional(),
    statuses: z.array(WhatsAppStatusSchema).optional(),
  })
  .loose();
export type WhatsAppMessagesValue = z.infer<typeof WhatsAppMessagesValueSchema>;

/** A change the hub understands, or just the name of one it acknowledges and ignores. */
export type WhatsAppChange =
  | { readonly field: 'messages'; readonly value: WhatsAppMessagesValue }
  | { readonly field: string; readonly value?: undefined };

/**
 * Only `messages` changes are validated in depth; other fields
 * (`account_update`, template updates, …) have their own shapes and are
 * ignored. Issues keep their full path (`…changes.0.value.messages.0.id`) so
 * the 400 names the bad field.
 */
const WhatsAppChangeSchema = z
  .object({ field: z.string(), value: z.unknown() })
  .loose()
  .transform((change, ctx): WhatsAppChange => {
    if (change.field !== 'messages') return { field: change.field };
    const value = WhatsAppMessagesValueSchema.safeParse(change.value);
    if (!value.success) {
      for (const issue of value.error.issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: ['value', ...issue.path] });
      }
      return z.NEVER;
    }
    return { field: 'messages', value: value.data };
  });

export const WhatsAppWebhookSchema = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          /** WhatsApp Business Account id. */
          id: z.string(),
          changes: z.array(WhatsAppChangeSchema),
        })
        .loose(),
    ),
  })
  .loose();
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhookSchema>;
