/**
 * Telegram Bot API `Update`, written from the Bot API reference
 * (https://core.telegram.org/bots/api#update). Only what the normalizer reads
 * is modelled; objects are `.loose()` so new Bot API fields never 400.
 * User and chat ids fit in 52 bits, so JSON numbers hold them exactly.
 */
import * as z from 'zod';

const TelegramUserSchema = z
  .object({
    id: z.number().int(),
    is_bot: z.boolean().optional(),
    first_name: z.string(),
    last_name: z.string().optional(),
    username: z.string().optional(),
    language_code: z.string().optional(),
  })
  .loose();
export type TelegramUser = z.infer<typeof TelegramUserSchema>;

const TelegramChatSchema = z.object({ id: z.number().int(), type: z.string() }).loose();

/** A file Telegram hosts (document, video, audio, voice, sticker, one photo size). */
const FileSchema = z.object({ file_id: z.string(), mime_type: z.string().optional() }).loose();

const TelegramContactSchema = z
  .object({
    phone_number: z.string(),
    first_name: z.string(),
    last_name: z.string().optional(),
    /** Present when the card belongs to a Telegram user; equal to `from.id` when users share their own. */
    user_id: z.number().int().optional(),
    vcard: z.string().optional(),
  })
  .loose();

const TelegramMessageSchema = z
  .object({
    message_id: z.number().int(),
    /** Absent for messages sent on behalf of a chat (channels, anonymous admins). */
    from: TelegramUserSchema.optional(),
    chat: TelegramChatSchema,
    date: z.number().int(),
    edit_date: z.number().int().optional(),
    text: z.string().optional(),
    caption: z.string().optional(),
    /** Sizes of one photo, smallest first. */
    photo: z.array(FileSchema).optional(),
    video: FileSchema.optional(),
    video_note: FileSchema.optional(),
    audio: FileSchema.optional(),
    voice: FileSchema.optional(),
    document: FileSchema.optional(),
    sticker: FileSchema.optional(),
    location: z.object({ latitude: z.number(), longitude: z.number() }).loose().optional(),
    contact: TelegramContactSchema.optional(),
    reply_to_message: z.object({ message_id: z.number().int() }).loose().optional(),
  })
  .loose();
export type TelegramMessage = z.infer<typeof TelegramMessageSchema>;

const TelegramCallbackQuerySchema = z
  .object({
    id: z.string(),
    from: TelegramUserSchema,
    /** May be an inaccessible message (`date: 0`), so only its ids are read. */
    message: z.object({ message_id: z.number().int(), chat: TelegramChatSchema }).loose().optional(),
    chat_instance: z.string().optional(),
    data: z.string().optional(),
    game_short_name: z.string().optional(),
  })
  .loose();
export type TelegramCallbackQuery = z.infer<typeof TelegramCallbackQuerySchema>;

/** One update per request; exactly one optional field besides `update_id` is set. */
export const TelegramUpdateSchema = z
  .object({
    update_id: z.number().int().nonnegative(),
    message: TelegramMessageSchema.optional(),
    edited_message: TelegramMessageSchema.optional(),
    callback_query: TelegramCallbackQuerySchema.optional(),
  })
  .loose();
export type TelegramUpdate = z.infer<typeof TelegramUpdateSchema>;
