/**
 * Kommo (amoCRM) account webhook and the API v4 objects the hydrator reads.
 *
 * The webhook is `application/x-www-form-urlencoded` with PHP nested keys,
 * `{entity: {action: {0: {fields}}}}` per the docs
 * (https://www.amocrm.ru/developers/content/crm_platform/webhooks-format,
 * https://developers.kommo.com/docs/webhooks-general), e.g.
 * `leads[status][0][id]=…&leads[status][0][status_id]=…&account[subdomain]=…`.
 * Only the actions the hub tracks are validated (lead add / status change,
 * contact add / update, notes on a contact or lead); other entities and
 * actions (tasks, companies, talks, …) pass through untouched and are ignored.
 */
import * as z from 'zod';

const IdSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

/** Form values are strings; API values are numbers. */
const NumericSchema = z
  .union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()])
  .optional()
  .transform((v) => (v === undefined ? undefined : Number(v)));

/** Unix seconds as a string (form) or number; empty strings read as absent. */
const UnixSchema = z
  .union([z.string(), z.number()])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : String(v)));

const KommoItemSchema = z
  .object({
    id: IdSchema,
    name: z.string().optional(),
    status_id: IdSchema.optional(),
    old_status_id: IdSchema.optional(),
    pipeline_id: IdSchema.optional(),
    old_pipeline_id: IdSchema.optional(),
    /** Lead budget, in the account currency (whole units). */
    price: NumericSchema,
    last_modified: UnixSchema,
    updated_at: UnixSchema,
    date_create: UnixSchema,
    created_at: UnixSchema,
  })
  .loose();
export type KommoItem = z.infer<typeof KommoItemSchema>;

/** `[0]`, `[1]`, … become an array; past qs's array limit an object keyed by index. */
const ItemsSchema = z
  .union([z.array(KommoItemSchema), z.record(z.string(), KommoItemSchema)])
  .transform((items) => (Array.isArray(items) ? items : Object.values(items)));

/**
 * A note added to a contact or lead (`contacts[note][0][note][…]`): the
 * note's fields sit under `note` (no top-level id); a flat item is accepted
 * too. `element_type` 1 = contact, 2 = lead, 3 = company, 12 = customer.
 */
const NoteFieldsSchema = z
  .object({
    id: IdSchema,
    note_type: z
      .union([z.string(), z.number()])
      .optional()
      .transform((v) => (v === undefined ? undefined : String(v))),
    element_id: IdSchema,
    element_type: z.union([z.string(), z.number()]).transform(String),
    text: z.string().optional(),
    date_create: UnixSchema,
    created_at: UnixSchema,
  })
  .loose();
const KommoNoteItemSchema = z
  .union([z.object({ note: NoteFieldsSchema }).loose(), NoteFieldsSchema])
  .transform(
    (item) => ('note' in item && typeof item.note === 'object' ? item.note : item) as z.infer<typeof NoteFieldsSchema>,
  );
export type KommoNote = z.infer<typeof KommoNoteItemSchema>;
export const KommoNoteItemsSchema = z
  .union([z.array(KommoNoteItemSchema), z.record(z.string(), KommoNoteItemSchema)])
  .transform((items) => (Array.isArray(items) ? items : Object.values(items)));

export const KommoWebhookSchema = z
  .object({
    leads: z.object({ add: ItemsSchema.optional(), status: ItemsSchema.optional() }).loose().optional(),
    contacts: z.object({ add: ItemsSchema.optional(), update: ItemsSchema.optional() }).loose().optional(),
    account: z.object({ id: IdSchema.optional(), subdomain: z.string().optional() }).loose(),
  })
  .loose()
  .refine((w) => Boolean(w.account.id ?? w.account.subdomain), {
    message: 'account[id] or account[subdomain] is required',
    path: ['account'],
  });
export type KommoWebhook = z.infer<typeof KommoWebhookSchema>;

// ---------------------------------------------------------------- API v4

const CustomFieldSchema = z
  .object({
    field_id: z.number().optional(),
    field_name: z.string().nullish(),
    /** `PHONE` and `EMAIL` for the built-in multi-value fields. */
    field_code: z.string().nullish(),
    values: z
      .array(
        z
          .object({ value: z.union([z.string(), z.number(), z.boolean()]).nullish(), enum_code: z.string().nullish() })
          .loose(),
      )
      .nullish(),
  })
  .loose();

/** `GET /api/v4/contacts/{id}` */
export const KommoContactSchema = z
  .object({
    id: z.number().int(),
    name: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    custom_fields_values: z.array(CustomFieldSchema).nullish(),
  })
  .loose();
export type KommoContact = z.infer<typeof KommoContactSchema>;

/** `GET /api/v4/leads/{id}?with=contacts` */
export const KommoLeadSchema = z
  .object({
    id: z.number().int(),
    name: z.string().nullish(),
    price: z.number().nullish(),
    status_id: z.number().int().nullish(),
    pipeline_id: z.number().int().nullish(),
    _embedded: z
      .object({
        contacts: z.array(z.object({ id: z.number().int(), is_main: z.boolean().optional() }).loose()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type KommoLead = z.infer<typeof KommoLeadSchema>;
