/**
 * Zendesk webhook bodies. Two connection methods exist and a webhook keeps
 * the one it was created with: an **event subscription** posts Zendesk's
 * fixed event schema (ticket events carry `requester_id`, never an email or
 * phone), a **trigger** posts the body the admin wrote with placeholders
 * (the README's template adds the requester's email, phone and the
 * satisfaction rating). Template bodies are user-authored: every field is
 * optional text, ids may arrive as numbers or strings.
 */
import * as z from 'zod';

const Id = z.union([z.string(), z.number()]).transform(String);
const Text = z.union([z.string(), z.number()]).transform(String).nullish();

/** `detail` of a ticket event (https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events). */
const TicketDetailSchema = z.looseObject({
  id: Id,
  requester_id: Id.nullish(),
  status: Text,
  priority: Text,
  subject: Text,
  tags: z.array(z.string()).nullish(),
  via: z.looseObject({ channel: Text }).nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});

/** The shared event schema (https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/). */
export const ZendeskEventSchema = z.looseObject({
  type: z.string().startsWith('zen:event-type:'),
  account_id: Id.nullish(),
  id: z.string().min(1),
  time: z.string().nullish(),
  subject: z.string().nullish(),
  detail: z.looseObject({}).nullish(),
  event: z.unknown(),
});
export type ZendeskEvent = z.infer<typeof ZendeskEventSchema>;

export const parseTicketDetail = (detail: unknown) => TicketDetailSchema.safeParse(detail);
export type ZendeskTicketDetail = z.infer<typeof TicketDetailSchema>;

/** The trigger body of the README's template. */
export const ZendeskTriggerSchema = z.looseObject({
  event: Text,
  ticket: z.looseObject({
    id: Id,
    status: Text,
    subject: Text,
    priority: Text,
    via: Text,
    url: Text,
    /** `{{ticket.tags}}` renders space-separated. */
    tags: z.union([z.string(), z.array(z.string())]).nullish(),
    created_at: Text,
    updated_at: Text,
    satisfaction: Text,
    satisfaction_comment: Text,
  }),
  requester: z.looseObject({ id: Text, email: Text, phone: Text, name: Text }).nullish(),
});
export type ZendeskTrigger = z.infer<typeof ZendeskTriggerSchema>;

export type ZendeskDelivery =
  | { readonly kind: 'event'; readonly event: ZendeskEvent }
  | { readonly kind: 'trigger'; readonly trigger: ZendeskTrigger; readonly bodyDigest: string };
