/**
 * `GET /v1/lookup?phone=…`: caller recognition for screen-pops. The phone is
 * normalized as events are (`050 111 22 33` finds `+380501112233`), looked
 * up in one key read (the caller card, `domain/caller-card.ts`) and answered
 * as the agent's card: name, customer id,
 * lifetime value, open leads and tickets, the last interaction and a console
 * link. The same directory answers telephony webhooks that wait for it
 * (Binotel `apiCallSettings`).
 */
import * as z from 'zod';
import { MAX_OPEN_LEADS } from '../../domain/caller-card.js';
import { type CountryCode, normalizePhone } from '../../domain/identity.js';
import { ChannelSchema, HUB_EVENT_TYPES, type HubEventType, MoneySchema } from '../../events/hub-event.js';
import { createCallerDirectory } from '../caller-directory.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { type RouteContracts, respond } from './contract.js';
import type { ApiDeps } from './deps.js';
import { parseQuery } from './request.js';
import type { ApiRoutes } from './types.js';

const LookupQuerySchema = z.object({
  phone: z
    .string({ error: '"phone" is required, e.g. phone=+380501112233' })
    .min(1, '"phone" is required, e.g. phone=+380501112233')
    .max(64)
    .meta({
      description:
        "The caller's number in any spelling: `+380501112233`, `380501112233`, `050 111 22 33` (national numbers are read in the hub's default country)",
      example: '050 111 22 33',
    }),
});

const CallerCardSchema = z
  .object({
    customerId: z.string(),
    phone: z.string().meta({ description: 'The number as the hub stores it (E.164)' }),
    name: z.string().optional().meta({ description: '`traits.name`, else first and last name' }),
    lifetimeValue: MoneySchema.optional(),
    orderCount: z.number().int(),
    openLeads: z
      .number()
      .int()
      .meta({ description: 'Leads and callback requests no order, deal move or call followed' }),
    openTickets: z.number().int().meta({ description: 'Help-desk tickets not solved yet' }),
    open: z
      .array(
        z.object({
          kind: z.enum(['lead', 'ticket']),
          type: z.string(),
          at: z.string(),
          summary: z.string(),
          channel: ChannelSchema,
        }),
      )
      .meta({
        description: `The open requests, newest first (at most the ${MAX_OPEN_LEADS} newest leads, and every unsolved ticket of the newest 20)`,
      }),
    lastInteraction: z
      .object({
        at: z.string(),
        channel: ChannelSchema.optional(),
        type: z.enum(HUB_EVENT_TYPES as [HubEventType, ...HubEventType[]]).optional(),
        summary: z.string().optional(),
      })
      .optional(),
    consoleUrl: z.string().optional().meta({ description: "The customer's page in the console (ids only in the URL)" }),
  })
  .meta({ id: 'CallerCard' });

export const lookupContracts = {
  'GET /v1/lookup': {
    summary: 'Recognize a caller by phone: the card a screen-pop shows',
    description:
      'Answers from one key read (the caller card the profile writer keeps under each phone number), so it is fast enough to run while the phone rings. The last interaction shown is the first of the newest 15-minute window, so it may trail the newest message of a conversation by up to 15 minutes. Unknown numbers are `404`; text that cannot be a phone number is `400`.',
    query: LookupQuerySchema,
    status: 200,
    response: CallerCardSchema,
    errors: [400, 404],
  },
} as const satisfies RouteContracts<'GET /v1/lookup'>;

/** `phone` as E.164, or a 400 that says why. */
const parseCallerPhone = (raw: string, defaultCountry: CountryCode): string => {
  const phone = normalizePhone(raw, defaultCountry);
  // Not echoed: a near-miss is still most of someone's number.
  if (!phone) throw new ValidationError('"phone" is not a phone number (e.g. +380501112233 or 050 111 22 33)');
  return phone;
};

export { createCallerDirectory } from '../caller-directory.js';

export const lookupRoutes = (deps: ApiDeps): ApiRoutes<'GET /v1/lookup'> => {
  const callers = createCallerDirectory(deps);
  return {
    'GET /v1/lookup': async (event) => {
      const contract = lookupContracts['GET /v1/lookup'];
      const phone = parseCallerPhone(parseQuery(contract.query, event).phone, deps.defaultCountry);
      const card = await callers.lookup(phone);
      // The number is not repeated in the message: error bodies end up in logs.
      if (!card) throw new NotFoundError('No customer with this phone number');
      return respond(contract, { ...card, phone });
    },
  };
};
