/** Reading the single customer view: lookup, profile, timeline, conversation. */
import * as z from 'zod';
import { toProfileView } from '../../domain/traits.js';
import { ChannelSchema, HUB_EVENT_TYPES, type HubEventType, MESSAGING_CHANNELS } from '../../events/hub-event.js';
import type { Profile } from '../../domain/profile.js';
import { NotFoundError } from '../../shared/errors.js';
import { type RouteContracts, respond } from './contract.js';
import type { ApiDeps } from './deps.js';
import { parseIdentityParam, parseParams, parseQuery } from './request.js';
import type { ApiRoutes } from './types.js';
import { ProfileViewSchema, TimelinePageSchema } from './views.js';

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

/** `customerId` of a path; a merged-away id answers for the survivor. */
export const CustomerIdParamsSchema = z.object({
  customerId: z.string().min(1).meta({ description: 'A customer id; an id merged away answers for the survivor' }),
});

const LookupQuerySchema = z.object({
  identity: z
    .string({ error: '"identity" is required, e.g. identity=phone:+380501112233' })
    .meta({ description: '`type:value`, normalized as events are: `phone:050 111 22 33` finds `+380501112233`' }),
});

const TimelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional().meta({ description: '`nextCursor` of the previous page' }),
  channel: csv(ChannelSchema).meta({ description: 'Comma-separated channels, e.g. `telegram,whatsapp`' }),
  type: csv(z.enum(HUB_EVENT_TYPES as [HubEventType, ...HubEventType[]])).meta({
    description: 'Comma-separated event types, e.g. `message.received,call.completed`',
  }),
});

const ConversationQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

const ConversationSchema = z
  .object({
    customerId: z.string(),
    messages: z
      .array(
        z.object({
          at: z.string(),
          channel: ChannelSchema,
          direction: z.enum(['inbound', 'outbound']),
          text: z.string(),
          eventId: z.string(),
        }),
      )
      .meta({ description: 'Oldest first, as a chat reads' }),
  })
  .meta({ id: 'Conversation' });

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

export const customerContracts = {
  'GET /v1/customers': {
    summary: 'Look a customer up by an identity',
    query: LookupQuerySchema,
    status: 200,
    response: ProfileViewSchema,
    errors: [400, 404],
  },
  'GET /v1/customers/{customerId}': {
    summary: "Read a customer's profile",
    params: CustomerIdParamsSchema,
    status: 200,
    response: ProfileViewSchema,
    errors: [404],
  },
  'GET /v1/customers/{customerId}/timeline': {
    summary: "Page through a customer's timeline, newest first",
    params: CustomerIdParamsSchema,
    query: TimelineQuerySchema,
    status: 200,
    response: TimelinePageSchema,
    errors: [400, 404],
  },
  'GET /v1/customers/{customerId}/conversation': {
    summary: 'Read the latest messages in and out, across messaging channels',
    params: CustomerIdParamsSchema,
    query: ConversationQuerySchema,
    status: 200,
    response: ConversationSchema,
    errors: [400, 404],
  },
} as const satisfies RouteContracts<CustomerRouteKey>;

export const customerRoutes = (deps: ApiDeps): ApiRoutes<CustomerRouteKey> => ({
  'GET /v1/customers': async (event) => {
    const contract = customerContracts['GET /v1/customers'];
    const identity = parseIdentityParam(parseQuery(contract.query, event).identity, deps.defaultCountry);
    const profile = await deps.store.findByIdentity(identity);
    if (!profile) throw new NotFoundError(`No customer with identity ${identity.type}:${identity.value}`);
    return respond(contract, profileView(deps, profile));
  },

  'GET /v1/customers/{customerId}': async (event) => {
    const contract = customerContracts['GET /v1/customers/{customerId}'];
    const { customerId } = parseParams(contract.params, event);
    return respond(contract, profileView(deps, await requireProfile(deps, customerId)));
  },

  'GET /v1/customers/{customerId}/timeline': async (event) => {
    const contract = customerContracts['GET /v1/customers/{customerId}/timeline'];
    const { limit, cursor, channel, type } = parseQuery(contract.query, event);
    const profile = await requireProfile(deps, parseParams(contract.params, event).customerId);
    const page = await deps.store.getTimeline(profile.customerId, {
      limit,
      ...(cursor ? { cursor } : {}),
      ...(channel?.length ? { channels: channel } : {}),
      ...(type?.length ? { types: type } : {}),
    });
    return respond(contract, page);
  },

  'GET /v1/customers/{customerId}/conversation': async (event) => {
    const contract = customerContracts['GET /v1/customers/{customerId}/conversation'];
    const { limit } = parseQuery(contract.query, event);
    const profile = await requireProfile(deps, parseParams(contract.params, event).customerId);
    const page = await deps.store.getTimeline(profile.customerId, {
      limit,
      channels: [...MESSAGING_CHANNELS],
      types: CONVERSATION_TYPES,
    });
    // Oldest first, as a chat reads; `direction` tells in from out. A vendor's "sent" status (WhatsApp
    // `statuses`, a Twilio callback) is a receipt of a message, not one: no content, not shown.
    const isStatus = (i: (typeof page.items)[number]) =>
      i.type === 'message.sent' &&
      (i.data as { contentType?: string; text?: string }).contentType === 'other' &&
      (i.data as { text?: string }).text === undefined;
    const messages = page.items
      .filter((i) => !isStatus(i))
      .reverse()
      .map((i) => ({
        at: i.occurredAt,
        channel: i.channel,
        direction: i.type === 'message.sent' ? ('outbound' as const) : ('inbound' as const),
        text:
          (i.data as { text?: string; snippet?: string; subject?: string }).text ??
          (i.data as { snippet?: string }).snippet ??
          i.summary,
        eventId: i.eventId,
      }));
    return respond(contract, { customerId: profile.customerId, messages });
  },
});
