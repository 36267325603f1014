/**
 * `POST /v1/search`: the console's one search box. Free text in the body —
 * never in the URL, where phones and emails would end up in access logs and
 * browser history — read by `planSearch` as the identities it may be; each is
 * looked up (one GetItem per candidate, no scan) and the distinct customers
 * found are returned, merged ids resolved to their survivor.
 */
import { z } from 'zod';
import { identityKey } from '../../domain/identity.js';
import type { Profile } from '../../domain/profile.js';
import { MAX_SEARCH_LENGTH, planSearch } from '../../domain/search.js';
import { ValidationError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/http.js';
import type { ApiDeps } from './deps.js';
import { parseBody } from './request.js';
import type { ApiRoutes } from './types.js';

const SearchBodySchema = z.object({ query: z.string().max(MAX_SEARCH_LENGTH + 100) }).strict();

/** What a result list shows of a customer; the page loads the rest. */
const summarize = (profile: Profile, matchedBy: string) => ({
  customerId: profile.customerId,
  matchedBy,
  ...(typeof profile.traits.name === 'string' ? { name: profile.traits.name } : {}),
  channels: Object.keys(profile.channels),
  ...(profile.lastInteractionAt ? { lastInteractionAt: profile.lastInteractionAt } : {}),
});

export const searchRoutes = (deps: ApiDeps): ApiRoutes<'POST /v1/search'> => ({
  'POST /v1/search': async (event) => {
    const { query } = parseBody(SearchBodySchema, event, 'search');
    const plan = planSearch(query, deps.defaultCountry);
    if (plan.kind === 'invalid') throw new ValidationError(plan.problem);
    if (plan.kind === 'customer') {
      const profile = await deps.store.getProfile(plan.customerId);
      return jsonResponse(200, { matches: profile ? [summarize(profile, `customerId:${plan.customerId}`)] : [] });
    }
    const found = await Promise.all(plan.identities.map((identity) => deps.store.findByIdentity(identity)));
    const seen = new Set<string>();
    const matches = found.flatMap((profile, i) => {
      if (!profile || seen.has(profile.customerId)) return [];
      seen.add(profile.customerId);
      return [summarize(profile, identityKey(plan.identities[i] as (typeof plan.identities)[number]))];
    });
    return jsonResponse(200, { matches });
  },
});
