/**
 * The body a Freshdesk automation rule's "Trigger Webhook" action posts with
 * the README's advanced-mode template. Freshdesk has no fixed webhook
 * payload: the admin writes the body with placeholders, which are pasted in
 * as text, so every field is optional text and ids may arrive as numbers.
 */
import * as z from 'zod';

const Id = z.union([z.string().min(1), z.number()]).transform(String);
const Text = z.union([z.string(), z.number()]).transform(String).nullish();

export const FreshdeskWebhookSchema = z.looseObject({
  /** `created` in the ticket-creation rule, `updated` in ticket-update rules (set by the template). */
  event: Text,
  ticket_id: Id,
  subject: Text,
  /** A label (`Open`, `Resolved`, `Waiting on Customer`) or the API's code (2–5). */
  status: Text,
  priority: Text,
  source: Text,
  url: Text,
  tags: Text,
  created_at: Text,
  updated_at: Text,
  satisfaction: Text,
  satisfaction_comment: Text,
  requester: z.looseObject({ id: Text, name: Text, email: Text, phone: Text, mobile: Text }).nullish(),
});
export type FreshdeskWebhook = z.infer<typeof FreshdeskWebhookSchema>;

export interface FreshdeskDelivery {
  readonly body: FreshdeskWebhook;
  /** Digest of the raw body: the dedup key when the template has no `updated_at`. */
  readonly bodyDigest: string;
}
