/**
 * SendGrid Event Webhook bodies: a JSON array of events
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event).
 * Common fields: `email`, `timestamp` (unix s), `event`, `sg_event_id`
 * (unique per event: the dedup key), `sg_message_id`; the rest depends on
 * the event and on the sender's `custom_args` (top-level keys).
 */
import * as z from 'zod';

const SendGridEventSchema = z.looseObject({
  email: z.string().nullish(),
  timestamp: z.number().nullish(),
  event: z.string(),
  sg_event_id: z.string().min(1),
  sg_message_id: z.string().nullish(),
  reason: z.string().nullish(),
  status: z.string().nullish(),
  response: z.string().nullish(),
  type: z.string().nullish(),
  url: z.string().nullish(),
  asm_group_id: z.number().nullish(),
});
export type SendGridEvent = z.infer<typeof SendGridEventSchema>;

export const SendGridBatchSchema = z.array(SendGridEventSchema).min(1);
