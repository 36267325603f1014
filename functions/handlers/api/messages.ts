/**
 * Messaging a customer (`send` access) and asking how she can be reached
 * (`read`):
 *
 *   POST /v1/customers/{customerId}/messages                202 queued, or 400/404/409/422
 *   GET  /v1/customers/{customerId}/messages/{messageId}    status, channel, attempts, receipts
 *   GET  /v1/customers/{customerId}/reachability?purpose=   the plan, a dry run (nothing is sent)
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { planReach } from '../../domain/reachability/plan.js';
import { MESSAGE_TAGS, OUTBOUND_CHANNELS, PURPOSES, type OutboundChannel } from '../../domain/reachability/types.js';
import { EMAIL_TEXT_LIMIT } from '../../connectors/mailgun/send.js';
import { IdempotencyKeyRequiredError, TextTooLongError, UnknownChannelError } from '../../outbound/errors.js';
import { MESSAGE_ID_PATTERN, toMessageView, type MessageRecord } from '../../outbound/message.js';
import { reachOptions } from '../../outbound/settings.js';
import { submitMessage } from '../../outbound/submit.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/http.js';
import { requireProfile } from './customers.js';
import type { ApiDeps } from './deps.js';
import { parseBody, parseQuery, readJsonBody } from './request.js';
import type { ApiRoutes } from './types.js';

const TemplateSchema = z
  .object({
    /** WhatsApp template names: lowercase letters, digits and underscores. */
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and _ (the approved template name)'),
    /** `en_US`, `uk`, … as the template was approved. */
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a template language code such as en_US or uk'),
    parameters: z.array(z.string().min(1).max(1024)).max(20).optional(),
  })
  .strict();

const SendBodySchema = z
  .object({
    purpose: z.enum(PURPOSES),
    text: z.string().min(1).optional(),
    subject: z.string().min(1).max(998).optional(),
    template: TemplateSchema.optional(),
    channel: z.enum(OUTBOUND_CHANNELS).optional(),
    messageTag: z.enum(MESSAGE_TAGS).optional(),
    idempotencyKey: z.string().min(1).max(255),
  })
  .strict()
  .refine((b) => b.text !== undefined || b.template !== undefined, { error: 'give "text", "template" or both' });

const ReachabilityQuerySchema = z.object({
  purpose: z.enum(PURPOSES).default('service'),
  channel: z.enum(OUTBOUND_CHANNELS).optional(),
});

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

const accepted = (record: MessageRecord) =>
  jsonResponse(202, {
    messageId: record.messageId,
    status: record.status,
    channel: record.channel,
    mode: record.mode,
    ...(record.notBefore && record.status === 'queued' ? { notBefore: record.notBefore } : {}),
    reasons: record.plan,
  });

export type MessageRouteKey =
  | 'POST /v1/customers/{customerId}/messages'
  | 'GET /v1/customers/{customerId}/messages/{messageId}'
  | 'GET /v1/customers/{customerId}/reachability';

export const messageRoutes = (deps: ApiDeps): ApiRoutes<MessageRouteKey> => {
  const now = () => deps.now?.() ?? new Date();
  return {
    'POST /v1/customers/{customerId}/messages': async (event) => {
      precheck(event);
      const request = parseBody(SendBodySchema, event, 'message');
      const pathId = event.pathParameters?.customerId ?? '';
      const profile = await requireProfile(deps, pathId);
      const { record } = await submitMessage(
        {
          messages: deps.messages,
          publisher: deps.publisher,
          settings: deps.outbound,
          defaultCountry: deps.defaultCountry,
          now,
        },
        profile,
        pathId,
        request,
      );
      return accepted(record);
    },

    'GET /v1/customers/{customerId}/messages/{messageId}': async (event) => {
      const messageId = event.pathParameters?.messageId ?? '';
      const profile = await requireProfile(deps, event.pathParameters?.customerId);
      if (MESSAGE_ID_PATTERN.test(messageId)) {
        // A message sent before a merge lives in the partition of the profile it was sent to.
        for (const partition of [profile.customerId, ...profile.mergedIds.slice(0, 50)]) {
          const record = await deps.messages.get(partition, messageId);
          if (record) return jsonResponse(200, toMessageView(record));
        }
      }
      throw new NotFoundError(`No message "${messageId}" for customer "${event.pathParameters?.customerId ?? ''}"`);
    },

    'GET /v1/customers/{customerId}/reachability': async (event) => {
      const query = parseQuery(ReachabilityQuerySchema, event);
      const profile = await requireProfile(deps, event.pathParameters?.customerId);
      const plan = planReach(
        profile,
        { purpose: query.purpose, ...(query.channel ? { channel: query.channel as OutboundChannel } : {}) },
        reachOptions(deps.outbound, now(), deps.defaultCountry),
      );
      return jsonResponse(200, { customerId: profile.customerId, ...plan });
    },
  };
};
