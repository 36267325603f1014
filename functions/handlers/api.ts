/**
 * The read API of the single customer view. Authentication happens before
 * the handler (IAM on AWS, a bearer token in the local server); this code
 * only routes on the API Gateway route key and validates parameters.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { IdentityTypeSchema } from '../events/hub-event.js';
import type { ProfileStore, SecretStore } from '../adapters/ports.js';
import { normalizeIdentity, type CountryCode } from '../domain/identity.js';
import { toProfileView } from '../domain/profile.js';
import { listConnectors } from '../connectors/index.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { jsonResponse, type HttpResponse } from '../shared/http.js';
import { describeIssues } from '../connectors/shared/body.js';
import { httpErrors } from './middleware.js';

export interface ApiDeps {
  readonly store: ProfileStore;
  readonly secrets: SecretStore;
  readonly defaultCountry: CountryCode;
  /** Base URL shown in `GET /v1/connectors` webhook paths. */
  readonly publicBaseUrl?: string;
  /** More routes by API Gateway route key (subscriptions, …), served by the same function. */
  readonly extraRoutes?: Record<string, ApiRoute>;
}

/** One read-API route: gets the API Gateway v2 event, returns the response. */
export type ApiRoute = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

const TimelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional(),
});

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
    throw new ValidationError(`identity must be <type>:<value> with type one of ${IdentityTypeSchema.options.join(', ')}`);
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

  const routes: Record<string, ApiRoute> = {
    ...deps.extraRoutes,
    'GET /v1/customers': async (event) => {
      const identity = parseIdentityParam(event.queryStringParameters?.identity, deps.defaultCountry);
      const profile = await deps.store.findByIdentity(identity);
      if (!profile) throw new NotFoundError(`No customer with identity ${identity.type}:${identity.value}`);
      return jsonResponse(200, toProfileView(profile));
    },
    'GET /v1/customers/{customerId}': async (event) =>
      jsonResponse(200, toProfileView(await requireProfile(event.pathParameters?.customerId))),
    'GET /v1/customers/{customerId}/timeline': async (event) => {
      const { limit, cursor } = parseQuery(TimelineQuerySchema, event.queryStringParameters);
      const profile = await requireProfile(event.pathParameters?.customerId);
      const page = await deps.store.getTimeline(profile.customerId, { limit, ...(cursor ? { cursor } : {}) });
      return jsonResponse(200, page);
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
            ...(deps.publicBaseUrl ? { webhookUrl: `${deps.publicBaseUrl.replace(/\/+$/, '')}/webhooks/${c.name}` } : {}),
            docsUrl: c.docsUrl,
            secrets: c.secrets.map((s) => ({ name: s.name, env: s.env, description: s.description, required: s.required, configured: Boolean(secrets[s.name]) })),
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
