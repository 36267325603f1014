/**
 * HubSpot webhook payload (Webhooks API v3) and the two CRM API v3 objects
 * the hydrator reads. Written from the webhooks guide's field table and
 * example payloads (see fixtures/fixtures.json) and the CRM objects API.
 * Everything is `.loose()`: HubSpot adds fields (`sourceId`, `isSensitive`,
 * merge and association fields, …) and those must never turn a delivery
 * into a 400, because HubSpot retries any 4xx for a day.
 */
import * as z from 'zod';

/**
 * HubSpot ids are JSON numbers today (far below 2^53); strings are accepted
 * too, and both are kept as strings from here on.
 */
const IdSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

/** `propertyValue` is a string in every example; anything else is rendered as text. */
const PropertyValueSchema = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));

export const HubSpotEventSchema = z
  .object({
    objectId: IdSchema,
    /** "Not guaranteed to be unique" (HubSpot docs): never the dedup key on its own. */
    eventId: IdSchema.optional(),
    subscriptionId: IdSchema,
    portalId: IdSchema,
    appId: IdSchema.optional(),
    /** Epoch milliseconds. */
    occurredAt: z.number().int().nonnegative(),
    /** `contact.creation`, `deal.propertyChange`, `object.creation`, … */
    subscriptionType: z.string().min(1).optional(),
    /** The older docs' name of `subscriptionType`. */
    eventType: z.string().min(1).optional(),
    /** Generic `object.*` subscriptions: `0-1` contacts, `0-3` deals, … */
    objectTypeId: z.string().optional(),
    propertyName: z.string().optional(),
    propertyValue: PropertyValueSchema,
    changeSource: z.string().optional(),
    changeFlag: z.string().optional(),
    attemptNumber: z.number().int().nonnegative().optional(),
  })
  .loose()
  .refine((e) => Boolean(e.subscriptionType ?? e.eventType), {
    message: 'subscriptionType (or eventType) is required',
    path: ['subscriptionType'],
  });
export type HubSpotEvent = z.infer<typeof HubSpotEventSchema>;

/** One delivery: a batch of events (up to 100, per HubSpot). */
export const HubSpotWebhookSchema = z.array(HubSpotEventSchema).min(1, 'a delivery holds at least one event');
export type HubSpotWebhook = z.infer<typeof HubSpotWebhookSchema>;

// ---------------------------------------------------------------- CRM API v3

/** Property values come back as strings, or null when empty. */
const PropertiesSchema = z.record(z.string(), z.string().nullable().optional()).default({});

/** `GET /crm/v3/objects/contacts/{id}?properties=…` */
export const HubSpotContactSchema = z
  .object({
    id: z.string().min(1),
    properties: PropertiesSchema,
    archived: z.boolean().optional(),
  })
  .loose();
export type HubSpotContact = z.infer<typeof HubSpotContactSchema>;

const AssociationsSchema = z
  .object({
    results: z.array(z.object({ id: IdSchema, type: z.string().optional() }).loose()).default([]),
  })
  .loose();

/** `GET /crm/v3/objects/deals/{id}?associations=contacts&properties=…` */
export const HubSpotDealSchema = z
  .object({
    id: z.string().min(1),
    properties: PropertiesSchema,
    associations: z.object({ contacts: AssociationsSchema.optional() }).loose().optional(),
  })
  .loose();
export type HubSpotDeal = z.infer<typeof HubSpotDealSchema>;

/** `GET /crm/v3/objects/tickets/{id}?associations=contacts&properties=…` */
export const HubSpotTicketSchema = HubSpotDealSchema;
export type HubSpotTicket = z.infer<typeof HubSpotTicketSchema>;

/** `GET /crm/v3/pipelines/tickets/{pipelineId}`: each stage's label and whether it is an open or closed state. */
export const HubSpotPipelineSchema = z
  .object({
    id: z.string(),
    label: z.string().optional(),
    stages: z
      .array(
        z
          .object({
            id: z.string(),
            label: z.string().optional(),
            metadata: z.object({ ticketState: z.string().optional() }).loose().optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type HubSpotPipeline = z.infer<typeof HubSpotPipelineSchema>;
