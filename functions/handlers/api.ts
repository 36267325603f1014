/**
 * The read API of the single customer view. Authentication happens before
 * the handler (IAM on AWS, a bearer token in the local server); this code
 * only routes on the API Gateway route key and validates parameters.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import {
  ChannelSchema,
  HUB_EVENT_TYPES,
  IdentityTypeSchema,
  MESSAGING_CHANNELS,
  type HubEventType,
} from '../events/hub-event.js';
import type { EventPublisher, ProfileStore, SecretStore } from '../ports.js';
import { identityKey, normalizeIdentity, type CountryCode } from '../domain/identity.js';
import { toProfileView, type TraitOptions } from '../domain/traits.js';
import { listConnectors } from '../connectors/index.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { jsonResponse, type HttpResponse } from '../shared/http.js';
import { describeIssues } from '../connectors/shared/body.js';
import { httpErrors } from './middleware.js';

export interface ApiDeps {
  readonly store: ProfileStore;
  readonly secrets: SecretStore;
  /** Publishes `customer.erased` / `customer.unmerged` so subscribers follow. */
  readonly publisher: EventPublisher;
  readonly defaultCountry: CountryCode;
  /** Lifetime value and abandoned-cart settings. */
  readonly traits?: Omit<TraitOptions, 'now'>;
  readonly now?: () => Date;
  /** Base URL shown in `GET /v1/connectors` webhook paths. */
  readonly publicBaseUrl?: string;
  /** More routes by API Gateway route key (subscriptions, …), served by the same function. */
  readonly extraRoutes?: Record<string, ApiRoute>;
}

/** One read-API route: gets the API Gateway v2 event, returns the response. */
export type ApiRoute = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

const csv = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(25))
    .optional();

const TimelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional(),
  /** `channel=telegram,whatsapp` */
  channel: csv(ChannelSchema),
  /** `type=message.received,call.completed` */
  type: csv(z.enum(HUB_EVENT_TYPES as [HubEventType, ...HubEventType[]])),
});

const ConversationQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** Messages in and out: what an operator needs to continue a dialogue. */
const CONVERSATION_TYPES: HubEventType[] = ['message.received', 'message.sent', 'email.received'];

const UnmergeBodySchema = z.object({ identities: z.array(z.string().min(3)).min(1).max(100) });

const parseQuery = <T>(schema: z.ZodType<T>, query: APIGatewayProxyEventV2['queryStringParameters']): T => {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw new ValidationError(`Invalid query: ${describeIssues(result.error)}`);
  return result.data;
};

/** `phone:+380501112233` → a normalized identity (so `phone:050 111 22 33` finds the same customer). */
const parseIdentityParam = (raw: string | undefined, defaultCountry: CountryCode) => {
  if (!raw) throw new ValidationError('Query parameter "identity" is required, e.g. identity=phone:+380501112233');
  const sep = raw.indexOf(':');
  const type = IdentityTypeSchema.safeParse(raw.slice(0, sep));
  if (sep < 1 || !type.success) {
    throw new ValidationError(
      `identity must be <type>:<value> with type one of ${IdentityTypeSchema.options.join(', ')}`,
    );
  }
  const identity = normalizeIdentity({ type: type.data, value: raw.slice(sep + 1) }, defaultCountry);
  if (!identity) throw new ValidationError(`"${raw.slice(sep + 1)}" is not a valid ${type.data}`);
  return identity;
};

export const createApiHandler = (deps: ApiDeps) => {
  const requireProfile = async (customerId: string | undefined) => {
    const profile = customerId ? await deps.store.getProfile(customerId) : undefined;
    if (!profile) throw new NotFoundError(`No customer with id "${customerId ?? ''}"`);
    return profile;
  };
  const view = (profile: Parameters<typeof toProfileView>[0]) =>
    toProfileView(profile, { ...deps.traits, now: deps.now?.() ?? new Date() });
  const parseBody = <T>(schema: z.ZodType<T>, event: APIGatewayProxyEventV2): T => {
    let json: unknown;
    try {
      json = JSON.parse(
        event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''),
      );
    } catch {
      throw new ValidationError('The request body must be JSON');
    }
    const result = schema.safeParse(json);
    if (!result.success) throw new ValidationError(`Invalid body: ${describeIssues(result.error)}`);
    return result.data;
  };

  const routes: Record<string, ApiRoute> = {
    ...deps.extraRoutes,
    'GET /v1/customers': async (event) => {
      const identity = parseIdentityParam(event.queryStringParameters?.identity, deps.defaultCountry);
      const profile = await deps.store.findByIdentity(identity);
      if (!profile) throw new NotFoundError(`No customer with identity ${identity.type}:${identity.value}`);
      return jsonResponse(200, view(profile));
    },
    'GET /v1/customers/{customerId}': async (event) =>
      jsonResponse(200, view(await requireProfile(event.pathParameters?.customerId))),
    'GET /v1/customers/{customerId}/timeline': async (event) => {
      const { limit, cursor, channel, type } = parseQuery(TimelineQuerySchema, event.queryStringParameters);
      const profile = await requireProfile(event.pathParameters?.customerId);
      const page = await deps.store.getTimeline(profile.customerId, {
        limit,
        ...(cursor ? { cursor } : {}),
        ...(channel?.length ? { channels: channel } : {}),
        ...(type?.length ? { types: type } : {}),
      });
      return jsonResponse(200, page);
    },
    'GET /v1/customers/{customerId}/conversation': async (event) => {
      const { limit } = parseQuery(ConversationQuerySchema, event.queryStringParameters);
      const profile = await requireProfile(event.pathParameters?.customerId);
      const page = await deps.store.getTimeline(profile.customerId, {
        limit,
        channels: [...MESSAGING_CHANNELS],
        types: CONVERSATION_TYPES,
      });
      // Oldest first, as a chat reads; `direction` tells in from out.
      const messages = page.items.reverse().map((i) => ({
        at: i.occurredAt,
        channel: i.channel,
        direction: i.type === 'message.sent' ? 'outbound' : 'inbound',
        text:
          (i.data as { text?: string; snippet?: string; subject?: string }).text ??
          (i.data as { snippet?: string }).snippet ??
          i.summary,
        eventId: i.eventId,
      }));
      return jsonResponse(200, { customerId: profile.customerId, messages });
    },
    'GET /v1/customers/{customerId}/export': async (event) => {
      const exported = await deps.store.exportCustomer(event.pathParameters?.customerId ?? '');
      if (!exported) throw new NotFoundError(`No customer with id "${event.pathParameters?.customerId ?? ''}"`);
      return jsonResponse(
        200,
        { ...exported, profile: view(exported.profile) },
        { 'content-disposition': `attachment; filename="${exported.profile.customerId}.json"` },
      );
    },
    'DELETE /v1/customers/{customerId}': async (event) => {
      const erased = await deps.store.eraseCustomer(event.pathParameters?.customerId ?? '');
      if (!erased) throw new NotFoundError(`No customer with id "${event.pathParameters?.customerId ?? ''}"`);
      await deps.publisher.putEntries(erased.notifications);
      return jsonResponse(200, { status: 'erased', customerId: erased.customerId, deletedItems: erased.deletedItems });
    },
    'POST /v1/customers/{customerId}/unmerge': async (event) => {
      const body = parseBody(UnmergeBodySchema, event);
      const keys = body.identities.map((raw) => identityKey(parseIdentityParam(raw, deps.defaultCountry)));
      const profile = await requireProfile(event.pathParameters?.customerId);
      const result = await deps.store.unmerge(profile.customerId, keys);
      await deps.publisher.putEntries(result.notifications);
      return jsonResponse(200, { customer: view(result.customer), split: view(result.split) });
    },
    'GET /v1/connectors': async () => {
      const connectors = await Promise.all(
        listConnectors().map(async (c) => {
          const secrets = await deps.secrets.get(c.name);
          return {
            name: c.name,
            displayName: c.displayName,
            channel: c.channel,
            webhookPath: `/webhooks/${c.name}`,
            ...(deps.publicBaseUrl
              ? { webhookUrl: `${deps.publicBaseUrl.replace(/\/+$/, '')}/webhooks/${c.name}` }
              : {}),
            docsUrl: c.docsUrl,
            secrets: c.secrets.map((s) => ({
              name: s.name,
              env: s.env,
              description: s.description,
              required: s.required,
              configured: Boolean(secrets[s.name]),
            })),
            configured: c.secrets.every((s) => !s.required || Boolean(secrets[s.name])),
          };
        }),
      );
      return jsonResponse(200, { connectors });
    },
  };

  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(httpErrors())
    .handler(async (event) => {
      const route = routes[event.routeKey];
      if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
      return route(event);
    });
};
