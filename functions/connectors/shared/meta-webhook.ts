/**
 * Meta Page/Instagram webhook payload (`object: "page"` / `"instagram"`),
 * shared by the Messenger and Instagram connectors, which name it in their
 * own `schema.ts`. Written from Meta's Messenger Platform webhook-event
 * references (messages, message_echoes, messaging_postbacks,
 * message_deliveries, message_reads, message_reactions), the Instagram
 * messaging webhook reference and the lead ads (`leadgen`) webhook. Objects are `.loose()` so fields Meta adds never turn a delivery
 * into a 400; only what the normalizers read is required.
 */
import * as z from 'zod';
import type { RawRequest } from '../../shared/http.js';
import { parseJsonBody } from './body.js';

/**
 * Graph ids Meta may send as bare JSON numbers. Lead ids are 15–17 digits
 * (55459717045641545 > 2^53): `JSON.parse` would round them and the lead
 * fetched later would be somebody else's, so they are read as exact strings
 * (`parseJsonPreservingIntegers`; the signature was already checked on the
 * raw bytes).
 */
const GRAPH_ID_KEYS = ['leadgen_id', 'form_id', 'page_id', 'ad_id', 'adgroup_id', 'app_id'] as const;

/** Graph ids arrive as strings (bare numbers under `GRAPH_ID_KEYS` are read as exact strings); numbers are accepted for hand-built payloads. */
const GraphIdSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

/** Messenger sends epoch ms as a number; some newer samples use a numeric string. */
const MetaTimeSchema = z.union([z.number(), z.string()]);

const MetaAttachmentSchema = z
  .object({
    /** image, video, audio, file, location, fallback, template, share, story_mention, ig_reel, reel, … */
    type: z.string(),
    title: z.string().optional(),
    url: z.string().optional(),
    payload: z
      .object({
        url: z.string().optional(),
        title: z.string().optional(),
        sticker_id: z.union([z.number(), z.string()]).optional(),
        coordinates: z.object({ lat: z.number(), long: z.number() }).loose().optional(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type MetaAttachment = z.infer<typeof MetaAttachmentSchema>;

const MetaMessageSchema = z
  .object({
    /** Message id: the dedup key ("To de-duplicate messages use the mid parameter"). */
    mid: z.string().min(1),
    text: z.string().optional(),
    /** True for a message the business sent (Page inbox, another app, the API). */
    is_echo: z.boolean().optional(),
    app_id: GraphIdSchema.optional(),
    metadata: z.string().optional(),
    quick_reply: z.object({ payload: z.string().optional() }).loose().optional(),
    reply_to: z.object({ mid: z.string().optional() }).loose().optional(),
    attachments: z.array(MetaAttachmentSchema).optional(),
    /** Instagram: the customer unsent the message. */
    is_deleted: z.boolean().optional(),
    /** Instagram: content the API cannot show. */
    is_unsupported: z.boolean().optional(),
  })
  .loose();
export type MetaMessage = z.infer<typeof MetaMessageSchema>;

const MetaMessagingEventSchema = z
  .object({
    /** PSID / IGSID of the customer, or the Page / IG account for echoes; `user_ref` for chat-plugin guests. */
    sender: z.object({ id: z.string().optional(), user_ref: z.string().optional() }).loose(),
    recipient: z.object({ id: z.string().optional() }).loose().optional(),
    timestamp: MetaTimeSchema.optional(),
    message: MetaMessageSchema.optional(),
    postback: z
      .object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() })
      .loose()
      .optional(),
    delivery: z
      .object({ mids: z.array(z.string()).optional(), watermark: MetaTimeSchema })
      .loose()
      .optional(),
    /** Messenger: `watermark`; Instagram (`messaging_seen`): `mid`. */
    read: z.object({ watermark: MetaTimeSchema.optional(), mid: z.string().optional() }).loose().optional(),
    message_edit: z
      .object({ mid: z.string(), text: z.string().optional(), num_edit: z.number().optional() })
      .loose()
      .optional(),
  })
  .loose();
export type MetaMessagingEvent = z.infer<typeof MetaMessagingEventSchema>;

/** `value` of a `leadgen` change: only ids, the lead itself is fetched from the Graph API. */
const LeadgenValueSchema = z
  .object({
    leadgen_id: GraphIdSchema,
    form_id: GraphIdSchema.optional(),
    page_id: GraphIdSchema.optional(),
    ad_id: GraphIdSchema.optional(),
    adgroup_id: GraphIdSchema.optional(),
    /** Unix seconds. */
    created_time: MetaTimeSchema.optional(),
  })
  .loose();
export type LeadgenValue = z.infer<typeof LeadgenValueSchema>;

/** A change the hub understands, or just the name of one it acknowledges and ignores. */
export type MetaChange =
  | { readonly field: 'leadgen'; readonly value: LeadgenValue }
  | { readonly field: string; readonly value?: undefined };

/**
 * Only `leadgen` changes are validated in depth; other Page/Instagram fields
 * (`feed`, `comments`, `mentions`, …) have their own shapes and are ignored.
 * Issues keep their full path so the 400 names the bad field.
 */
const MetaChangeSchema = z
  .object({ field: z.string(), value: z.unknown() })
  .loose()
  .transform((change, ctx): MetaChange => {
    if (change.field !== 'leadgen') return { field: change.field };
    const value = LeadgenValueSchema.safeParse(change.value);
    if (!value.success) {
      for (const issue of value.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: ['value', ...issue.path] });
      return z.NEVER;
    }
    return { field: 'leadgen', value: value.data };
  });

const MetaEntrySchema = z
  .object({
    /** Page id / Instagram professional account id. */
    id: GraphIdSchema.optional(),
    time: MetaTimeSchema.optional(),
    messaging: z.array(MetaMessagingEventSchema).optional(),
    /** Handover protocol: events of threads another app currently controls. */
    standby: z.array(MetaMessagingEventSchema).optional(),
    changes: z.array(MetaChangeSchema).optional(),
  })
  .loose();
export type MetaEntry = z.infer<typeof MetaEntrySchema>;

const MetaWebhookSchema = z
  .object({
    /** `page` (Messenger, lead ads) or `instagram`. */
    object: z.string().min(1),
    entry: z.array(MetaEntrySchema),
  })
  .loose();
export type MetaWebhook = z.infer<typeof MetaWebhookSchema>;

/** Decodes the raw body (Graph ids kept exact) and validates it; throws `ValidationError`. */
export const parseMetaWebhook = (req: RawRequest, what: string): MetaWebhook =>
  parseJsonBody(req, MetaWebhookSchema, what, GRAPH_ID_KEYS);
