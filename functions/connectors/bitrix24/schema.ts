/**
 * Bitrix24 outbound-webhook event (form-urlencoded, PHP-style nested keys,
 * e.g. `event=ONCRMLEADADD&data[FIELDS][ID]=1001&ts=…&auth[application_token]=…`)
 * and the CRM REST objects the hydrator reads (`crm.lead.get`,
 * `crm.contact.get`, `crm.deal.get`). Written from apidocs.bitrix24.com
 * (event pages and method "Response Handling" examples). Only `event` is
 * required of a webhook: an outbound webhook can be bound to non-CRM events
 * with other `data` shapes, and those are acknowledged and ignored.
 */
import * as z from 'zod';

/** Bitrix24 sends every value as a string; REST ids are strings too ("123"). */
const IdSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

/** A link to another entity: empty, null and "0" all mean "none". */
const LinkIdSchema = z
  .union([IdSchema, z.literal(''), z.null()])
  .optional()
  .transform((v) => (v && v !== '0' ? v : undefined));

const OptionalText = z.string().nullish();

export const Bitrix24EventSchema = z
  .object({
    /** Upper-case event code: ONCRMLEADADD, ONCRMDEALUPDATE, … */
    event: z.string().min(1),
    event_handler_id: z.string().optional(),
    data: z
      .object({ FIELDS: z.object({ ID: IdSchema.optional() }).loose().optional() })
      .loose()
      .optional(),
    /** Unix seconds when the event left Bitrix24's queue. */
    ts: z.string().optional(),
    auth: z
      .object({
        application_token: z.string().optional(),
        member_id: z.string().optional(),
        domain: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type Bitrix24Event = z.infer<typeof Bitrix24EventSchema>;

// ---------------------------------------------------------------- REST objects

/** `crm_multifield`: PHONE, EMAIL, IM, WEB entries. Omitted by Bitrix24 when empty. */
const MultiFieldSchema = z
  .array(z.object({ VALUE: OptionalText, VALUE_TYPE: OptionalText, TYPE_ID: OptionalText }).loose())
  .nullish();

export const Bitrix24LeadSchema = z
  .object({
    ID: IdSchema,
    TITLE: OptionalText,
    NAME: OptionalText,
    SECOND_NAME: OptionalText,
    LAST_NAME: OptionalText,
    /** The contact a repeat lead belongs to. */
    CONTACT_ID: LinkIdSchema,
    STATUS_ID: OptionalText,
    PHONE: MultiFieldSchema,
    EMAIL: MultiFieldSchema,
  })
  .loose();
export type Bitrix24Lead = z.infer<typeof Bitrix24LeadSchema>;

export const Bitrix24ContactSchema = z
  .object({
    ID: IdSchema,
    NAME: OptionalText,
    SECOND_NAME: OptionalText,
    LAST_NAME: OptionalText,
    PHONE: MultiFieldSchema,
    EMAIL: MultiFieldSchema,
  })
  .loose();
export type Bitrix24Contact = z.infer<typeof Bitrix24ContactSchema>;

export const Bitrix24DealSchema = z
  .object({
    ID: IdSchema,
    TITLE: OptionalText,
    STAGE_ID: z.string().min(1),
    /** Sales funnel (pipeline); "0" is the general one. */
    CATEGORY_ID: z
      .union([z.string(), z.number()])
      .nullish()
      .transform((v) => (v === null || v === undefined ? undefined : String(v))),
    /** Decimal string, e.g. "1000000.00". */
    OPPORTUNITY: z.union([z.string(), z.number()]).nullish(),
    CURRENCY_ID: OptionalText,
    CONTACT_ID: LinkIdSchema,
    LEAD_ID: LinkIdSchema,
    /** When the deal entered its current stage (ISO 8601 with offset). */
    MOVED_TIME: OptionalText,
  })
  .loose();
export type Bitrix24Deal = z.infer<typeof Bitrix24DealSchema>;

/** REST envelope: `{ result }` on success, `{ error, error_description }` on failure. */
export const Bitrix24ResponseSchema = z
  .object({ result: z.unknown().optional(), error: z.string().optional(), error_description: z.string().optional() })
  .loose();
