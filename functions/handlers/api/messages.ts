/**
 * Messaging a customer (`send` access) and asking how she can be reached
 * (`read`):
 *
 *   POST /v1/customers/{customerId}/messages                202 queued, or 400/404/409/422
 *   GET  /v1/customers/{customerId}/messages/{messageId}    status, channel, attempts, receipts
 *   GET  /v1/customers/{customerId}/reachability?purpose=   the plan, a dry run (nothing is sent)
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { EMAIL_TEXT_LIMIT } from '../../connectors/mailgun/send.js';
import { planReach } from '../../domain/reachability/plan.js';
import {
  DECISION_REASONS,
  MESSAGE_TAGS,
  OUTBOUND_CHANNELS,
  POSITION_REASONS,
  PURPOSES,
} from '../../domain/reachability/types.js';
import { IdempotencyKeyRequiredError, TextTooLongError, UnknownChannelError } from '../../outbound/errors.js';
import { MESSAGE_ID_PATTERN, MESSAGE_STATUSES, toMessageView, verdictViews } from '../../outbound/message.js';
import { reachOptions } from '../../outbound/settings.js';
import { submitMessage } from '../../outbound/submit.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { type RouteContracts, respond } from './contract.js';
import { CustomerIdParamsSchema, requireProfile } from './customers.js';
import type { ApiDeps } from './deps.js';
import { parseBody, parseParams, parseQuery, readJsonBody } from './request.js';
import type { ApiRoutes } from './types.js';

const ChannelSchema = z.enum(OUTBOUND_CHANNELS);
const ModeSchema = z.enum(['text', 'template', 'tagged']).meta({
  description: 'Free text, an approved template (WhatsApp), or text with a message tag (Messenger/Instagram)',
});

const TemplateSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and _ (the approved template name)')
      .meta({ description: 'The approved WhatsApp template name' }),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a template language code such as en_US or uk')
      .meta({ description: 'The language it was approved in, e.g. `en_US`, `uk`' }),
    parameters: z
      .array(z.string().min(1).max(1024))
      .max(20)
      .optional()
      .meta({ description: 'Values of the body variables {{1}}, {{2}}, … in order' }),
  })
  .strict();

const SendBodySchema = z
  .object({
    purpose: z.enum(PURPOSES).meta({
      description: '`service` (a reply), `transactional` (order updates) or `marketing` (consent, opt-in, quiet hours)',
    }),
    text: z.string().min(1).optional().meta({ description: 'Free text; limits per channel (400 above the limit)' }),
    subject: z.string().min(1).max(998).optional().meta({ description: 'Email subject (default: the first line)' }),
    template: TemplateSchema.optional().meta({ description: 'For WhatsApp outside the 24 h window and marketing' }),
    channel: ChannelSchema.optional().meta({ description: 'Only this channel (still subject to every rule)' }),
    messageTag: z.enum(MESSAGE_TAGS).optional().meta({
      description: 'Messenger/Instagram outside the 24 h window (never marketing; Instagram: HUMAN_AGENT only)',
    }),
    idempotencyKey: z
      .string()
      .min(1)
      .max(255)
      .meta({ description: 'The same key returns the same message and sends once' }),
  })
  .strict()
  .refine((b) => b.text !== undefined || b.template !== undefined, { error: 'give "text", "template" or both' });

const ChannelVerdictSchema = z
  .object({
    channel: ChannelSchema,
    allowed: z.boolean(),
    mode: ModeSchema.optional(),
    messageTag: z.enum(MESSAGE_TAGS).optional(),
    reasons: z
      .array(z.enum([...POSITION_REASONS, ...DECISION_REASONS]))
      .meta({ description: 'Why the channel is in this place, then why it is allowed, deferred or refused' }),
    message: z.string().meta({ description: 'The same, as sentences' }),
    notBefore: z.string().optional().meta({ description: 'Marketing in quiet hours: the earliest time it may go' }),
    lastInboundAt: z.string().optional().meta({ description: 'Her last message on this channel' }),
  })
  .meta({ id: 'ChannelVerdict' });

/** `GET …/reachability`: the plan. */
export const ReachabilitySchema = z
  .object({
    customerId: z.string(),
    purpose: z.enum(PURPOSES),
    evaluatedAt: z.string(),
    outcome: z.enum(['reachable', 'template_required', 'no_reachable_channel']),
    chosen: ChannelSchema.optional().meta({ description: 'The first allowed channel' }),
    notBefore: z.string().optional(),
    timeZone: z
      .object({ zone: z.string(), source: z.string() })
      .meta({ description: 'Where quiet hours are evaluated: a timezone trait, her phone country, or the default' }),
    channels: z.array(ChannelVerdictSchema).meta({ description: 'Every channel, in the order the hub tries them' }),
  })
  .meta({ id: 'Reachability' });

/** `POST …/messages`: the 202 body. */
export const MessageAcceptedSchema = z.object({
  messageId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  channel: ChannelSchema.meta({ description: 'The channel the hub chose (fallbacks may move it)' }),
  mode: ModeSchema,
  notBefore: z.string().optional().meta({ description: 'Deferred (quiet hours) until then' }),
  reasons: z
    .array(ChannelVerdictSchema)
    .meta({ description: 'Why this channel: the channels before it in the plan (refused, and why) and itself' }),
});

const AttemptSchema = z.object({
  n: z.number().int(),
  channel: ChannelSchema,
  connector: z.string(),
  mode: ModeSchema,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(['sending', 'sent', 'retrying', 'failed', 'skipped']),
  failure: z.enum(['recipient', 'payload', 'channel', 'transient']).optional(),
  code: z.string().optional().meta({ description: "The vendor's error code" }),
  message: z.string().optional(),
  vendorMessageId: z.string().optional(),
  nextAttemptAt: z.string().optional(),
});

/** `GET …/messages/{messageId}`: the message. */
const MessageSchema = z
  .object({
    messageId: z.string(),
    customerId: z.string(),
    purpose: z.enum(PURPOSES),
    status: z.enum(MESSAGE_STATUSES),
    channel: ChannelSchema,
    mode: ModeSchema,
    connector: z.string().optional(),
    vendorMessageId: z.string().optional().meta({ description: "The vendor's id of the sent message" }),
    text: z.string().optional(),
    subject: z.string().optional(),
    template: TemplateSchema.optional(),
    messageTag: z.enum(MESSAGE_TAGS).optional(),
    forcedChannel: ChannelSchema.optional(),
    notBefore: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().optional(),
    deliveredAt: z.string().optional(),
    readAt: z.string().optional(),
    failedAt: z.string().optional(),
    attempts: z.array(AttemptSchema).meta({ description: 'Every try, with its outcome (the newest 20)' }),
    receipts: z
      .array(z.object({ status: z.enum(MESSAGE_STATUSES), at: z.string(), eventId: z.string() }))
      .meta({ description: 'Delivery receipts that moved the status' }),
    reasons: z
      .array(ChannelVerdictSchema)
      .meta({ description: 'Why its first channel was chosen: the channels before it (refused, and why) and itself' }),
  })
  .meta({ id: 'Message' });

const MessageParamsSchema = CustomerIdParamsSchema.extend({
  messageId: z.string().min(1).meta({ description: 'The `messageId` the POST answered' }),
});

const ReachabilityQuerySchema = z.object({
  purpose: z.enum(PURPOSES).default('service'),
  channel: ChannelSchema.optional().meta({ description: 'Only this channel' }),
});

export type MessageRouteKey =
  | 'POST /v1/customers/{customerId}/messages'
  | 'GET /v1/customers/{customerId}/messages/{messageId}'
  | 'GET /v1/customers/{customerId}/reachability';

export const messageContracts = {
  'POST /v1/customers/{customerId}/messages': {
    summary: 'Send a message to a customer on the channel she actually uses',
    description:
      'The hub picks the channel by the reachability rules (docs/outbound.md) unless `channel` forces one, queues the message and answers at once; `GET …/messages/{messageId}` follows it. 409 `no_reachable_channel` and 422 `template_required` carry every channel with its reasons.',
    params: CustomerIdParamsSchema,
    body: SendBodySchema,
    status: 202,
    response: MessageAcceptedSchema,
    responseDescription: 'Queued (the same idempotency key answers the same message)',
    errors: [400, 404, 409, 422],
  },
  'GET /v1/customers/{customerId}/messages/{messageId}': {
    summary: "Read an outbound message's status, channel, attempts and receipts",
    params: MessageParamsSchema,
    status: 200,
    response: MessageSchema,
    errors: [404],
  },
  'GET /v1/customers/{customerId}/reachability': {
    summary: 'The channel plan the hub would use now, each channel allowed or refused and why (nothing is sent)',
    params: CustomerIdParamsSchema,
    query: ReachabilityQuerySchema,
    status: 200,
    response: ReachabilitySchema,
    errors: [400, 404],
  },
} as const satisfies RouteContracts<MessageRouteKey>;

/** The refusals with their own codes, before the schema names the rest. */
const precheck = (event: APIGatewayProxyEventV2): void => {
  const body = readJsonBody(event);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('The request body must be a JSON object');
  const { idempotencyKey, channel, text } = body as Record<string, unknown>;
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0) throw new IdempotencyKeyRequiredError();
  if (channel !== undefined && !(OUTBOUND_CHANNELS as readonly unknown[]).includes(channel))
    throw new UnknownChannelError(String(channel), OUTBOUND_CHANNELS);
  // The hub's own ceiling, whatever the channel: it bounds the message record.
  if (typeof text === 'string' && text.length > EMAIL_TEXT_LIMIT)
    throw new TextTooLongError(text.length, [{ channel: 'any', max: EMAIL_TEXT_LIMIT, unit: 'characters' }]);
};

export const messageRoutes = (deps: ApiDeps): ApiRoutes<MessageRouteKey> => {
  const now = () => deps.now?.() ?? new Date();
  return {
    'POST /v1/customers/{customerId}/messages': async (event) => {
      const contract = messageContracts['POST /v1/customers/{customerId}/messages'];
      const { customerId } = parseParams(contract.params, event);
      precheck(event);
      const request = parseBody(contract.body, event, 'message');
      const profile = await requireProfile(deps, customerId);
      const { record } = await submitMessage(
        {
          messages: deps.messages,
          publisher: deps.publisher,
          settings: deps.outbound,
          defaultCountry: deps.defaultCountry,
          now,
        },
        profile,
        customerId,
        request,
      );
      return respond(contract, {
        messageId: record.messageId,
        status: record.status,
        channel: record.channel,
        mode: record.mode,
        ...(record.notBefore && record.status === 'queued' ? { notBefore: record.notBefore } : {}),
        reasons: verdictViews(record.plan),
      });
    },

    'GET /v1/customers/{customerId}/messages/{messageId}': async (event) => {
      const contract = messageContracts['GET /v1/customers/{customerId}/messages/{messageId}'];
      const { customerId, messageId } = parseParams(contract.params, event);
      const profile = await requireProfile(deps, customerId);
      if (MESSAGE_ID_PATTERN.test(messageId)) {
        // A message sent before a merge lives in the partition of the profile it was sent to.
        for (const partition of [profile.customerId, ...profile.mergedIds.slice(0, 50)]) {
          const record = await deps.messages.get(partition, messageId);
          if (record) return respond(contract, toMessageView(record));
        }
      }
      throw new NotFoundError(`No message "${messageId}" for customer "${customerId}"`);
    },

    'GET /v1/customers/{customerId}/reachability': async (event) => {
      const contract = messageContracts['GET /v1/customers/{customerId}/reachability'];
      const { customerId } = parseParams(contract.params, event);
      const query = parseQuery(contract.query, event);
      const profile = await requireProfile(deps, customerId);
      const plan = planReach(
        profile,
        { purpose: query.purpose, ...(query.channel ? { channel: query.channel } : {}) },
        reachOptions(deps.outbound, now(), deps.defaultCountry),
      );
      return respond(contract, { customerId: profile.customerId, ...plan, channels: verdictViews(plan.channels) });
    },
  };
};
