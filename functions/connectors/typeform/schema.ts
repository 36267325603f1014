/**
 * Typeform webhook payload (https://www.typeform.com/developers/webhooks/example-payload/).
 * Only what the hub reads is validated — the envelope, the response token and
 * the answers' field ids; every object is `.loose()` so the answer types and
 * definition properties Typeform keeps adding never 400.
 */
import * as z from 'zod';

/** Event type of a completed submission; the only one turned into events. */
export const TYPEFORM_FORM_RESPONSE = 'form_response';

const TypeformAnswerSchema = z
  .object({
    /** Which value key is set: `text`, `email`, `phone_number`, `number`, `boolean`, `date`, `choice`, `choices`, `url`, `file_url`, `payment`, … */
    type: z.string(),
    field: z.object({ id: z.string(), type: z.string().optional(), ref: z.string().optional() }).loose(),
    text: z.string().optional(),
    email: z.string().optional(),
    phone_number: z.string().optional(),
    number: z.number().optional(),
    boolean: z.boolean().optional(),
    date: z.string().optional(),
    url: z.string().optional(),
    file_url: z.string().optional(),
    choice: z.object({ label: z.string().optional(), other: z.string().optional() }).loose().optional(),
    choices: z
      .object({ labels: z.array(z.string()).optional(), other: z.string().optional() })
      .loose()
      .optional(),
    payment: z.object({ amount: z.string().optional(), name: z.string().optional() }).loose().optional(),
  })
  .loose();
export type TypeformAnswer = z.infer<typeof TypeformAnswerSchema>;

/** A sub-field of a group block (contact_info): `subfield_key` says which part it is (`first_name`, `email`, …). */
const TypeformSubfieldSchema = z
  .object({
    id: z.string().optional(),
    ref: z.string().optional(),
    title: z.string().optional(),
    type: z.string().optional(),
    subfield_key: z.string().optional(),
  })
  .loose();

const TypeformFieldSchema = z
  .object({
    id: z.string(),
    title: z.string().optional(),
    ref: z.string().optional(),
    type: z.string().optional(),
    /** contact_info (and other group blocks) list their parts here. */
    properties: z
      .object({ fields: z.array(TypeformSubfieldSchema).optional() })
      .loose()
      .optional(),
  })
  .loose();

/** Hidden field values arrive as strings; anything else is kept but not read. */
const HiddenSchema = z.record(z.string(), z.unknown());

export const TypeformFormResponseSchema = z
  .object({
    form_id: z.string(),
    /** The response's id: the same on every delivery of this response (the dedup key). */
    token: z.string().min(1),
    /** ISO-8601 UTC, e.g. `2018-01-18T18:17:02Z`. */
    submitted_at: z.string(),
    landed_at: z.string().optional(),
    calculated: z.object({ score: z.number().optional() }).loose().optional(),
    hidden: HiddenSchema.nullish(),
    definition: z
      .object({
        id: z.string().optional(),
        title: z.string().optional(),
        fields: z.array(TypeformFieldSchema).nullish(),
      })
      .loose()
      .optional(),
    /** Absent when every question was skipped. */
    answers: z.array(TypeformAnswerSchema).nullish(),
  })
  .loose();
export type TypeformFormResponse = z.infer<typeof TypeformFormResponseSchema>;

/**
 * The envelope. `form_response` is only validated (by the connector's
 * `parse`) for `form_response` events: other event types are acknowledged
 * and ignored, so their shape must not turn into a 400 that Typeform retries.
 */
export const TypeformEnvelopeSchema = z
  .object({
    /** Id of this webhook event, assigned by Typeform. */
    event_id: z.string(),
    /** `form_response`; `form_response_partial` when partial responses are enabled. */
    event_type: z.string(),
    form_response: z.unknown().optional(),
  })
  .loose();

/** A parsed delivery: `form_response` is set and validated exactly when `event_type` is `form_response`. */
export interface TypeformWebhook {
  readonly event_id: string;
  readonly event_type: string;
  readonly form_response?: TypeformFormResponse;
}
