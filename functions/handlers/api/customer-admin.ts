/**
 * Changing or removing what the hub holds about a person: export, unmerge,
 * erase. `admin` access in the route table, so an operator grants these
 * apart from reading.
 */
import { z } from 'zod';
import { identityKey } from '../../domain/identity.js';
import { NotFoundError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/http.js';
import { profileView, requireProfile } from './customers.js';
import type { ApiDeps } from './deps.js';
import { parseBody, parseIdentityParam } from './request.js';
import type { ApiRoutes } from './types.js';

const UnmergeBodySchema = z.object({ identities: z.array(z.string().min(3)).min(1).max(100) });

export type CustomerAdminRouteKey =
  | 'GET /v1/customers/{customerId}/export'
  | 'POST /v1/customers/{customerId}/unmerge'
  | 'DELETE /v1/customers/{customerId}';

export const customerAdminRoutes = (deps: ApiDeps): ApiRoutes<CustomerAdminRouteKey> => ({
  'GET /v1/customers/{customerId}/export': async (event) => {
    const exported = await deps.store.exportCustomer(event.pathParameters?.customerId ?? '');
    if (!exported) throw new NotFoundError(`No customer with id "${event.pathParameters?.customerId ?? ''}"`);
    return jsonResponse(
      200,
      { ...exported, profile: profileView(deps, exported.profile) },
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
    const profile = await requireProfile(deps, event.pathParameters?.customerId);
    const result = await deps.store.unmerge(profile.customerId, keys);
    await deps.publisher.putEntries(result.notifications);
    return jsonResponse(200, { customer: profileView(deps, result.customer), split: profileView(deps, result.split) });
  },
});
