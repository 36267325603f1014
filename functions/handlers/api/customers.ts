/** Reading the single customer view: lookup, profile, timeline, conversation. */
import { z } from 'zod';
import { toProfileView } from '../../domain/traits.js';
import { ChannelSchema, HUB_EVENT_TYPES, type HubEventType, MESSAGING_CHANNELS } from '../../events/hub-event.js';
import type { Profile } from '../../domain/profile.js';
import { NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/http.js';
import type { ApiDeps } from './deps.js';
import { parseIdentityParam, parseQuery } from './request.js';
import type { ApiRoutes } from './types.js';

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

/** The profile behind an id (merged ids land on the survivor), or 404. */
export const requireProfile = async (
  deps: Pick<ApiDeps, 'store'>,
  customerId: string | undefined,
): Promise<Profile> => {
  const profile = customerId ? await deps.store.getProfile(customerId) : undefined;
  if (!profile) throw new NotFoundError(`No customer with id "${customerId ?? ''}"`);
  return profile;
};

/** The profile as the API shows it: stored aggregates plus computed traits as of now. */
export const profileView = (deps: Pick<ApiDeps, 'traits' | 'now'>, profile: Profile) =>
  toProfileView(profile, { ...deps.traits, now: deps.now?.() ?? new Date() });

export type CustomerRouteKey =
  | 'GET /v1/customers'
  | 'GET /v1/customers/{customerId}'
  | 'GET /v1/customers/{customerId}/timeline'
  | 'GET /v1/customers/{customerId}/conversation';

export const customerRoutes = (deps: ApiDeps): ApiRoutes<CustomerRouteKey> => ({
  'GET /v1/customers': async (event) => {
    const identity = parseIdentityParam(event.queryStringParameters?.identity, deps.defaultCountry);
    const profile = await deps.store.findByIdentity(identity);
    if (!profile) throw new NotFoundError(`No customer with identity ${identity.type}:${identity.value}`);
    return jsonResponse(200, profileView(deps, profile));
  },

  'GET /v1/customers/{customerId}': async (event) =>
    jsonResponse(200, profileView(deps, await requireProfile(deps, event.pathParameters?.customerId))),

  'GET /v1/customers/{customerId}/timeline': async (event) => {
    const { limit, cursor, channel, type } = parseQuery(TimelineQuerySchema, event);
    const profile = await requireProfile(deps, event.pathParameters?.customerId);
    const page = await deps.store.getTimeline(profile.customerId, {
      limit,
      ...(cursor ? { cursor } : {}),
      ...(channel?.length ? { channels: channel } : {}),
      ...(type?.length ? { types: type } : {}),
    });
    return jsonResponse(200, page);
  },

  'GET /v1/customers/{customerId}/conversation': async (event) => {
    const { limit } = parseQuery(ConversationQuerySchema, event);
    const profile = await requireProfile(deps, event.pathParameters?.customerId);
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
});
