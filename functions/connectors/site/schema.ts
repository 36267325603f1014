/**
 * The hub's own webhook format for the company's website (lead forms,
 * callback requests, chat widget, cart and checkout), version 1.
 *
 * One JSON object per delivery: `{ version, type, occurredAt, visitor, data }`.
 * `type` is a hub event type and `data` is that type's hub data schema,
 * reused from `events/hub-event.ts` (with defaults where the website has
 * nothing to add), so the mapping is 1:1 and the format cannot drift from the
 * hub's catalogue. The JSON Schema in `./schema.json` is generated from this
 * file (`renderSiteJsonSchema`); a test keeps it current.
 *
 * Additive changes keep `version: 1`; unknown fields are dropped, not
 * refused, so a website may start sending a field before the hub reads it. A
 * breaking change becomes `version: 2`, accepted side by side.
 */
import * as z from 'zod';
import {
  CartDataSchema,
  CheckoutDataSchema,
  FormDataSchema,
  MessageDataSchema,
  OrderDataSchema,
  ProductViewDataSchema,
  SearchDataSchema,
} from '../../events/hub-event.js';

const SITE_PAYLOAD_VERSION = 1 as const;

const SiteVisitorSchema = z
  .object({
    id: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .optional()
      .describe("The website's own visitor or user id (cookie id, account id) → identity `site:<id>`"),
    phone: z
      .string()
      .max(64)
      .optional()
      .describe('Phone as typed; national numbers are read in the hub default country → identity `phone`'),
    email: z.string().max(320).optional().describe('→ identity `email` (lowercased)'),
    name: z.string().max(200).optional().describe('→ trait `name`'),
    telegram: z
      .string()
      .max(64)
      .optional()
      .describe('Telegram @username or t.me link the visitor typed → identity `telegram_username`'),
    telegramId: z
      .union([z.string().regex(/^\d{1,20}$/), z.number().int().positive()])
      .optional()
      .describe('Numeric Telegram user id (Telegram Login Widget) → identity `telegram`, the id the Telegram bot sees'),
    language: z.string().max(35).optional().describe('BCP 47 language of the page, e.g. `uk` → trait `language`'),
  })
  .describe('Who did it: at least one of id, phone, email, telegram, telegramId');
export type SiteVisitor = z.infer<typeof SiteVisitorSchema>;

const hasIdentifier = (v: SiteVisitor): boolean =>
  [v.id, v.phone, v.email, v.telegram, v.telegramId].some((x) => x !== undefined && String(x).trim() !== '');

/** An order the website placed: the lifecycle fields (refunds, fulfilment, cancellation) come from the shop, not the page. */
const SiteOrderDataSchema = OrderDataSchema.omit({ refunded: true, fulfillment: true, cancelReason: true });

/** Form answers may be omitted (a bare callback button). */
const SiteFormDataSchema = FormDataSchema.extend({ answers: FormDataSchema.shape.answers.default([]) });

/** A chat widget message from the visitor: always inbound, text unless said otherwise; `error` belongs to outbound failures. */
const SiteMessageDataSchema = MessageDataSchema.omit({ error: true }).extend({
  direction: z.literal('inbound').default('inbound'),
  contentType: MessageDataSchema.shape.contentType.default('text'),
});

/** The envelope every delivery of this format has (the app connector's format shares it). */
export const envelope = {
  version: z.literal(SITE_PAYLOAD_VERSION).describe('Format version of this payload'),
  occurredAt: z.iso
    .datetime({ offset: true })
    .describe('When it happened on the website (ISO 8601 with Z or an offset)'),
  visitor: SiteVisitorSchema.refine(hasIdentifier, {
    message: 'visitor needs at least one of id, phone, email, telegram, telegramId',
  }),
};

/** The event kinds of the format, shared with the app connector (which adds push receipts). */
export const SITE_EVENT_VARIANTS = [
  z
    .object({ ...envelope, type: z.literal('lead.submitted'), data: SiteFormDataSchema })
    .describe('A lead form with contacts was submitted'),
  z
    .object({ ...envelope, type: z.literal('form.submitted'), data: SiteFormDataSchema })
    .describe('A non-lead form (survey, feedback) was submitted'),
  z
    .object({ ...envelope, type: z.literal('callback.requested'), data: SiteFormDataSchema })
    .describe('The visitor asked to be called back'),
  z
    .object({ ...envelope, type: z.literal('message.received'), data: SiteMessageDataSchema })
    .describe('The visitor wrote in the chat widget'),
  z
    .object({ ...envelope, type: z.literal('cart.updated'), data: CartDataSchema })
    .describe("The visitor's cart changed"),
  z
    .object({ ...envelope, type: z.literal('order.placed'), data: SiteOrderDataSchema })
    .describe('The visitor placed an order'),
  z
    .object({ ...envelope, type: z.literal('checkout.started'), data: CheckoutDataSchema })
    .describe('The visitor started a checkout: an attempted purchase until an order follows'),
  z
    .object({ ...envelope, type: z.literal('product.viewed'), data: ProductViewDataSchema })
    .describe('The visitor looked at a product'),
  z
    .object({ ...envelope, type: z.literal('search.performed'), data: SearchDataSchema })
    .describe('The visitor searched the catalogue'),
] as const;

export const SiteEventSchema = z
  .discriminatedUnion('type', [...SITE_EVENT_VARIANTS])
  .describe('A website event posted to /webhooks/site, signed with Standard Webhooks');
export type SiteEvent = z.infer<typeof SiteEventSchema>;
export type SiteEventType = SiteEvent['type'];

/** What the connector's `parse` returns: the body plus the `webhook-id` it was delivered under (the dedup key). */
export interface SiteDelivery {
  readonly webhookId: string;
  readonly event: SiteEvent;
}

/** `./schema.json`: the payload's JSON Schema as a website team would validate against (input side: defaults optional). */
export const renderSiteJsonSchema = (): string =>
  `${JSON.stringify(
    {
      ...z.toJSONSchema(SiteEventSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
      $id: `https://omnihub.dev/schemas/site-webhook/v${SITE_PAYLOAD_VERSION}.json`,
      title: `Omnihub website webhook v${SITE_PAYLOAD_VERSION}`,
    },
    null,
    2,
  )}\n`;
