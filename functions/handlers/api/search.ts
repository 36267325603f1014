/**
 * `POST /v1/search`: the console's one search box. Free text in the body —
 * never in the URL, where phones and emails would end up in access logs and
 * browser history — read by `planSearch` as the identities it may be; each is
 * looked up (one GetItem per candidate, no scan) and the distinct customers
 * found are returned, merged ids resolved to their survivor.
 */
import * as z from 'zod';
import { identityKey } from '../../domain/identity.js';
import type { Profile } from '../../domain/profile.js';
import { MAX_SEARCH_LENGTH, planSearch } from '../../domain/search.js';
import { ChannelSchema } from '../../events/hub-event.js';
import { ValidationError } from '../../shared/errors.js';
import { type RouteContracts, respond } from './contract.js';
import type { ApiDeps } from './deps.js';
import { parseBody } from './request.js';
import type { ApiRoutes } from './types.js';

const SearchBodySchema = z
  .object({
    query: z
      .string()
      .max(MAX_SEARCH_LENGTH + 100)
      .meta({
        description:
          'What the person typed: a phone in any spelling (`050 111 22 33`, `+380501112233`), an email, `type:value` (`telegram:123`), `@username` or a customer id',
        example: '050 111 22 33',
      }),
  })
  .strict();

const SearchMatchSchema = z
  .object({
    customerId: z.string().meta({ description: 'The surviving profile (merged ids are followed)' }),
    matchedBy: z.string().meta({ description: 'The normalized identity that matched, `type:value`' }),
    name: z.string().optional(),
    channels: z.array(ChannelSchema),
    lastInteractionAt: z.string().optional(),
  })
  .meta({ id: 'SearchMatch' });

export const searchContracts = {
  'POST /v1/search': {
    summary: 'Find customers from free text; the hub decides which kind of identifier it is',
    description:
      "The console's search box. The text goes in the body so it never appears in URLs or access logs. Every reading of it (a phone, then the same digits as a messenger id or card, …) is looked up by key; the distinct customers found are returned, most likely first. No match is `200` with `matches: []`; text that is no identifier at all is `400`.",
    body: SearchBodySchema,
    status: 200,
    response: z.object({ matches: z.array(SearchMatchSchema) }),
    errors: [400],
  },
} as const satisfies RouteContracts<'POST /v1/search'>;

/** What a result list shows of a customer; the page loads the rest. */
const summarize = (profile: Profile, matchedBy: string) => ({
  customerId: profile.customerId,
  matchedBy,
  ...(typeof profile.traits.name === 'string' ? { name: profile.traits.name } : {}),
  channels: Object.keys(profile.channels) as z.infer<typeof ChannelSchema>[],
  ...(profile.lastInteractionAt ? { lastInteractionAt: profile.lastInteractionAt } : {}),
});

export const searchRoutes = (deps: ApiDeps): ApiRoutes<'POST /v1/search'> => ({
  'POST /v1/search': async (event) => {
    const contract = searchContracts['POST /v1/search'];
    const { query } = parseBody(contract.body, event, 'search');
    const plan = planSearch(query, deps.defaultCountry);
    if (plan.kind === 'invalid') throw new ValidationError(plan.problem);
    if (plan.kind === 'customer') {
      const profile = await deps.store.getProfile(plan.customerId);
      return respond(contract, { matches: profile ? [summarize(profile, `customerId:${plan.customerId}`)] : [] });
    }
    const found = await Promise.all(plan.identities.map((identity) => deps.store.findByIdentity(identity)));
    const seen = new Set<string>();
    const matches = found.flatMap((profile, i) => {
      if (!profile || seen.has(profile.customerId)) return [];
      seen.add(profile.customerId);
      return [summarize(profile, identityKey(plan.identities[i] as (typeof plan.identities)[number]))];
    });
    return respond(contract, { matches });
  },
});
