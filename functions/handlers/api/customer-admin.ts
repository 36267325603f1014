/**
 * Changing or removing what the hub holds about a person: export, unmerge,
 * erase. `admin` access in the route table, so an operator grants these
 * apart from reading.
 */
import * as z from 'zod';
import { identityKey } from '../../domain/identity.js';
import type { Notification } from '../../domain/store-model.js';
import { HubError, NotFoundError } from '../../shared/errors.js';
import { createOutboxRelay } from '../outbox-relay.js';
import { lakeErasure, lakeReassignments } from './lake-facts.js';
import { type RouteContracts, respond } from './contract.js';
import { CustomerIdParamsSchema, profileView, requireProfile } from './customers.js';
import type { ApiDeps } from './deps.js';
import { parseBody, parseIdentityParam, parseParams } from './request.js';
import type { ApiRoutes } from './types.js';
import { ProfileViewSchema, TimelineItemSchema } from './views.js';

const UnmergeBodySchema = z.object({
  identities: z
    .array(z.string().min(3))
    .min(1)
    .max(100)
    .meta({ description: '`type:value` identities to split off into a new profile, e.g. `email:ann@example.com`' }),
});

const ExportSchema = z
  .object({
    exportedAt: z.string(),
    profile: ProfileViewSchema,
    timeline: z.array(TimelineItemSchema),
    identityLog: z
      .array(z.record(z.string(), z.unknown()))
      .meta({ description: 'Every identity link and merge, as recorded' }),
  })
  .meta({ id: 'CustomerExport', description: 'Everything the hub holds about one person' });

export type CustomerAdminRouteKey =
  | 'GET /v1/customers/{customerId}/export'
  | 'POST /v1/customers/{customerId}/unmerge'
  | 'DELETE /v1/customers/{customerId}';

export const customerAdminContracts = {
  'GET /v1/customers/{customerId}/export': {
    summary: 'Export everything held about a customer (a subject access request)',
    params: CustomerIdParamsSchema,
    status: 200,
    response: ExportSchema,
    responseDescription: 'The export, as an attachment named `<customerId>.json`',
    errors: [404],
  },
  'POST /v1/customers/{customerId}/unmerge': {
    summary: 'Split identities wrongly linked to a customer off into a new profile',
    description:
      'Publishes `customer.unmerged`, so subscribers follow. Idempotent: repeating the request returns the same ' +
      'split. A 503 means the split is done but its notification is not published yet: repeat the request.',
    params: CustomerIdParamsSchema,
    body: UnmergeBodySchema,
    status: 200,
    response: z.object({ customer: ProfileViewSchema, split: ProfileViewSchema }),
    errors: [400, 404, 503],
  },
  'DELETE /v1/customers/{customerId}': {
    summary: 'Erase a customer (right to erasure)',
    description:
      'Deletes the profile, its timeline and identity links; publishes `customer.erased`. Idempotent: erasing an ' +
      'erased customer answers 200 with `alreadyErased` and publishes the notification if it is still pending. ' +
      'A 503 means the erasure is done but `customer.erased` is not published yet: repeat the request (the outbox ' +
      'sweep publishes it otherwise).',
    params: CustomerIdParamsSchema,
    status: 200,
    response: z.object({
      status: z.literal('erased'),
      customerId: z.string(),
      deletedItems: z.number().int(),
      alreadyErased: z.boolean().meta({ description: 'The customer was erased by an earlier request' }),
    }),
    errors: [404, 503],
  },
} as const satisfies RouteContracts<CustomerAdminRouteKey>;

/** The change is committed, its notification is in the outbox but could not be published: repeat the request. */
class NotificationPendingError extends HubError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(
      `${what}; its notification could not be published yet and stays in the outbox: repeat the request to publish it`,
      503,
      'notification_pending',
      options,
    );
  }
}

export const customerAdminRoutes = (deps: ApiDeps): ApiRoutes<CustomerAdminRouteKey> => {
  const relay = createOutboxRelay(deps);
  const publish = async (notifications: readonly Notification[], what: string) => {
    try {
      await relay.publish(notifications);
    } catch (err) {
      throw new NotificationPendingError(what, { cause: err });
    }
  };
  return {
    'GET /v1/customers/{customerId}/export': async (event) => {
      const contract = customerAdminContracts['GET /v1/customers/{customerId}/export'];
      const { customerId } = parseParams(contract.params, event);
      const exported = await deps.store.exportCustomer(customerId);
      if (!exported) throw new NotFoundError(`No customer with id "${customerId}"`);
      return respond(
        contract,
        { ...exported, profile: profileView(deps, exported.profile) },
        { 'content-disposition': `attachment; filename="${exported.profile.customerId}.json"` },
      );
    },

    'DELETE /v1/customers/{customerId}': async (event) => {
      const contract = customerAdminContracts['DELETE /v1/customers/{customerId}'];
      const { customerId } = parseParams(contract.params, event);
      // The lake hears of it first: should the erasure then fail, a retry finishes it; the lake never lags behind.
      await lakeErasure(deps, customerId);
      const erased = await deps.store.eraseCustomer(customerId);
      if (!erased) throw new NotFoundError(`No customer with id "${customerId}"`);
      await deps.scrubber?.scrub(erased);
      await publish(erased.notifications, `Customer ${erased.customerId} is erased`);
      return respond(contract, {
        status: 'erased',
        customerId: erased.customerId,
        deletedItems: erased.deletedItems,
        alreadyErased: erased.alreadyErased,
      });
    },

    'POST /v1/customers/{customerId}/unmerge': async (event) => {
      const contract = customerAdminContracts['POST /v1/customers/{customerId}/unmerge'];
      const body = parseBody(contract.body, event);
      const keys = body.identities.map((raw) => identityKey(parseIdentityParam(raw, deps.defaultCountry)));
      const profile = await requireProfile(deps, parseParams(contract.params, event).customerId);
      const result = await deps.store.unmerge(profile.customerId, keys);
      await lakeReassignments(deps, result.split.customerId);
      await publish(
        result.notifications,
        `Identities are split off ${profile.customerId} into ${result.split.customerId}`,
      );
      return respond(contract, {
        customer: profileView(deps, result.customer),
        split: profileView(deps, result.split),
      });
    },
  };
};
