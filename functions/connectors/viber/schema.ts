/**
 * Viber REST Bot API callback payload, written from the "Callbacks" section
 * of https://developers.viber.com/docs/api/rest-bot-api/ and the official
 * SDK tests (Viber/viber-bot-python `tests/api/viber_requests/*`). Objects
 * are `.loose()` so fields Viber adds never turn a callback into a 400; only
 * what the normalizer reads is required, per event kind.
 */
import * as z from 'zod';
import type { RawRequest } from '../../shared/http.js';
import { parseJsonBody } from '../shared/body.js';

/**
 * Keys whose values are int64 in Viber's JSON. `JSON.parse` would round them
 * to the nearest double (4912661846655238145 → 4912661846655238000), which
 * breaks deduplication, so they are read as exact strings
 * (`parseJsonPreservingIntegers`).
 */
export const VIBER_INT64_KEYS = ['message_token', 'chat_id'] as const;

const Int64StringSchema = z.string().regex(/^-?\d+$/, 'an integer');

const ViberUserSchema = z
  .object({
    /** Unique per user *and bot*: the same person has another id with another bot. */
    id: z.string().min(1),
    /** May be a placeholder when the user disabled personal data sharing. */
    name: z.string().optional(),
    avatar: z.string().optional(),
    country: z.string().optional(),
    language: z.string().optional(),
    api_version: z.number().optional(),
  })
  .loose();
export type ViberUser = z.infer<typeof ViberUserSchema>;

const ViberMessageSchema = z
  .object({
    /** Not an enum: unknown types (`rich_media`, future ones) are acknowledged and ignored. */
    type: z.string(),
    text: z.string().optional(),
    /** URL of the picture/video/file/sticker, or the URL of a `url` message. */
    media: z.string().optional(),
    thumbnail: z.string().optional(),
    file_name: z.string().optional(),
    file_size: z.number().optional(),
    duration: z.number().optional(),
    sticker_id: z.union([z.number(), z.string()]).optional(),
    location: z.object({ lat: z.number(), lon: z.number(), address: z.string().optional() }).loose().optional(),
    contact: z
      .object({ name: z.string().optional(), phone_number: z.string().optional(), avatar: z.string().optional() })
      .loose()
      .optional(),
    tracking_data: z.string().optional(),
  })
  .loose();
export type ViberMessage = z.infer<typeof ViberMessageSchema>;

/** What each known event must carry to be normalized; other events need only `event`. */
const REQUIRED_BY_EVENT: Record<string, readonly ('sender' | 'message' | 'user' | 'user_id')[]> = {
  message: ['sender', 'message'],
  subscribed: ['user'],
  conversation_started: ['user'],
  unsubscribed: ['user_id'],
  delivered: ['user_id'],
  seen: ['user_id'],
  failed: ['user_id'],
};

const ViberCallbackSchema = z
  .object({
    event: z.string().min(1),
    /** Epoch milliseconds. */
    timestamp: z.number(),
    /** int64, kept as a string (see `VIBER_INT64_KEYS`); the dedup key. */
    message_token: Int64StringSchema.optional(),
    chat_hostname: z.string().optional(),
    /** `message` */
    sender: ViberUserSchema.optional(),
    message: ViberMessageSchema.optional(),
    silent: z.boolean().optional(),
    /** `subscribed`, `conversation_started` */
    user: ViberUserSchema.optional(),
    /** `conversation_started`: `open`, deep-link `context`, whether already subscribed. */
    type: z.string().optional(),
    context: z.string().optional(),
    subscribed: z.boolean().optional(),
    /** `unsubscribed`, `delivered`, `seen`, `failed` */
    user_id: z.string().min(1).optional(),
    /** `failed`: why. */
    desc: z.string().optional(),
  })
  .loose()
  .superRefine((callback, ctx) => {
    for (const field of REQUIRED_BY_EVENT[callback.event] ?? []) {
      if (callback[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `required for a "${callback.event}" callback` });
      }
    }
  });
export type ViberCallback = z.infer<typeof ViberCallbackSchema>;

/** Decodes the raw body (int64 tokens kept exact) and validates it; throws `ValidationError`. */
export const parseViberCallback = (req: RawRequest): ViberCallback =>
  parseJsonBody(req, ViberCallbackSchema, 'Viber callback', VIBER_INT64_KEYS);
