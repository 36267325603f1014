/**
 * Sending through the Telegram Bot API: `POST /bot<token>/sendMessage`
 * (the token is part of the path; there is no auth header) with JSON
 * `{ chat_id, text }`. A bot may only write to people who started it; there
 * are no templates and no delivery receipts, so `ok: true` is final.
 *
 * https://core.telegram.org/bots/api#making-requests
 * https://core.telegram.org/bots/api#sendmessage
 */
import * as z from 'zod';
import { secretEnvName } from '../shared/secret-env.js';
import {
  baseUrlOf,
  callVendor,
  classifyHttpStatus,
  isFailure,
  notConfigured,
  unexpectedBody,
  type ErrorRule,
  type FailureClass,
  type OutboundMessage,
  type SendContext,
  type Sender,
  type SendOutcome,
} from '../shared/sender.js';
import { TELEGRAM_API_BASE_URL, telegramSenderSecrets } from './meta.js';

const CONNECTOR = 'telegram';

/** `text`: 1–4096 characters after entity parsing (the hub sends plain text, no parse_mode). */
const TELEGRAM_TEXT_LIMIT = 4096;

/**
 * Telegram's errors, keyed `<error_code>:<description substring>` (matched
 * in order; Telegram publishes no list of descriptions and says
 * `error_code` may change, so a description match wins over a bare code).
 */
const TELEGRAM_ERRORS: readonly (ErrorRule & { readonly status: number; readonly match?: string })[] = [
  { status: 403, match: 'bot was blocked by the user', failure: 'recipient', meaning: 'She blocked the bot' },
  { status: 403, match: 'user is deactivated', failure: 'recipient', meaning: 'Her account is deleted' },
  {
    status: 403,
    match: "bot can't initiate conversation",
    failure: 'recipient',
    meaning: 'She never started the bot',
  },
  { status: 403, match: 'bot was kicked', failure: 'recipient', meaning: 'The bot was removed from the chat' },
  // Seen transiently for minutes by operators: retried before anything is marked.
  {
    status: 403,
    match: "bot can't send messages to the user",
    failure: 'transient',
    meaning: 'Telegram refused for now',
  },
  {
    status: 400,
    match: 'chat not found',
    failure: 'recipient',
    meaning: 'No such chat (or she never started the bot)',
  },
  { status: 400, match: 'message is too long', failure: 'payload', meaning: 'Text over 4096 characters' },
  { status: 400, match: "can't parse entities", failure: 'payload', meaning: 'Bad formatting entities' },
  { status: 400, match: 'message text is empty', failure: 'payload', meaning: 'Empty text' },
  { status: 400, match: 'group chat was upgraded', failure: 'payload', meaning: 'Group moved to a supergroup' },
  { status: 401, failure: 'channel', meaning: 'Bot token rejected' },
  // A token that is not a bot's answers 404 on every method.
  { status: 404, failure: 'channel', meaning: 'Bot token unknown' },
  { status: 429, failure: 'transient', meaning: 'Flood control' },
];

/** The class of a Telegram error: the first matching row, else the HTTP status. */
const classifyTelegramError = (status: number, description: string): { failure: FailureClass; meaning?: string } => {
  const lower = description.toLowerCase();
  const rule = TELEGRAM_ERRORS.find((r) => r.status === status && (!r.match || lower.includes(r.match.toLowerCase())));
  return rule ? { failure: rule.failure, meaning: rule.meaning } : { failure: classifyHttpStatus(status) };
};

const SuccessSchema = z.object({
  ok: z.literal(true),
  result: z.object({ message_id: z.number().int(), chat: z.object({ id: z.number() }) }),
});
const ErrorSchema = z.object({
  ok: z.literal(false),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});

/** `chat_id` as the documented Integer when it is one JS can hold exactly, else as the String form. */
const chatId = (to: string): number | string => {
  const n = Number(to);
  return /^-?\d+$/.test(to) && Number.isSafeInteger(n) ? n : to;
};

const telegramRequestBody = (message: OutboundMessage) => ({
  chat_id: chatId(message.to),
  text: message.text ?? '',
});

const send = async (message: OutboundMessage, ctx: SendContext): Promise<SendOutcome> => {
  const token = ctx.secrets.apiToken;
  if (!token) return notConfigured(`${secretEnvName('API_TOKEN', CONNECTOR)} (bot token from @BotFather) is not set`);
  const res = await callVendor(ctx.fetch, `${baseUrlOf(ctx.secrets, TELEGRAM_API_BASE_URL)}/bot${token}/sendMessage`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(telegramRequestBody(message)),
  });
  if (isFailure(res)) return res;
  const ok = SuccessSchema.safeParse(res.json);
  if (ok.success) {
    // message_id is unique only within its chat.
    return { kind: 'sent', vendorMessageId: `${ok.data.result.chat.id}:${ok.data.result.message_id}` };
  }
  const error = ErrorSchema.safeParse(res.json);
  if (res.status >= 200 && res.status < 300 && !error.success) return unexpectedBody('Telegram', res);
  const status = error.success ? (error.data.error_code ?? res.status) : res.status;
  const description = error.success ? (error.data.description ?? `HTTP ${status}`) : `HTTP ${status}`;
  const { failure, meaning } = classifyTelegramError(status, description);
  const retryAfter = error.success ? error.data.parameters?.retry_after : undefined;
  return {
    kind: 'failed',
    failure,
    code: String(status),
    message: meaning ? `${meaning}: ${description}` : description,
    httpStatus: res.status,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
};

export const telegramSender: Sender = {
  connector: CONNECTOR,
  channel: 'telegram',
  textLimit: { max: TELEGRAM_TEXT_LIMIT, unit: 'characters' },
  templates: false,
  secrets: telegramSenderSecrets,
  missingConfiguration: (secrets) =>
    secrets.apiToken ? undefined : `${secretEnvName('API_TOKEN', CONNECTOR)} (bot token) is not set`,
  send,
};
