/**
 * Viber REST Bot API callback payload, written from the "Callbacks" section
 * of https://developers.viber.com/docs/api/rest-bot-api/ and the official
 * SDK tests (Viber/viber-bot-python `tests/api/viber_requests/*`). Objects
 * are `.loose()` so fields Viber adds never turn a callback into a 400; only
 * what the normalizer reads is required, per event kind.
 */
import { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { validate } from '../shared/body.js';

/**
 * Keys whose values are int64 in Viber's JSON. `JSON.parse` would round them
 * to the nearest double (4912661846655238145 → 4912661846655238000), which
 * breaks deduplication, so they are quoted in the raw text before parsing.
 */
const INT64_KEYS = ['message_token', 'chat_id'] as const;

/**
 * Quotes bare integer values of `INT64_KEYS`. Safe on arbitrary JSON: a key
 * can only appear as `"message_token"` followed by `:` outside a string,
 * because quotes inside strings are escaped (`\"message_token\"` never
 * matches); the lookahead makes sure the whole number is taken.
 */
export const quoteInt64 = (json: string): string =>
  INT64_KEYS.reduce(
    (text, key) => text.replace(new RegExp(`"${key}"(\\s*):(\\s*)(-?\\d+)(?=\\s*[,}\\]])`, 'g'), `"${key}"$1:$2"$3"`),
    json,
  );

const Int64StringSchema = z.string().regex(/^-?\d+$/, 'an integer');

export const ViberUserSchema = z
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

export const ViberMessageSchema = z
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

export const ViberCallbackSchema = z
  .object({
    event: z.string().min(1),
    /** Epoch milliseconds. */
    timestamp: z.number(),
    /** int64, kept as a string (see `quoteInt64`); the dedup key. */
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
export const parseViberCallback = (req: RawRequest): ViberCallback => {
  if (req.body.length === 0) throw new ValidationError('The request body is empty; a JSON payload was expected');
  let json: unknown;
  try {
    json = JSON.parse(quoteInt64(req.body.toString('utf8')));
  } catch (err) {
    throw new ValidationError(`The request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validate(ViberCallbackSchema, json, 'Viber callback');
};
