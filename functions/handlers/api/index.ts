/**
 * The `api` function: the read/admin API of the hub. Authentication happens
 * before it (IAM on AWS, a bearer token in the local server); this only
 * dispatches on the API Gateway route key to the route modules, whose union
 * the type checker holds to the route table.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '../../shared/errors.js';
import type { HttpResponse } from '../../shared/http.js';
import { httpErrors } from '../middleware.js';
import { connectorRoutes } from './connectors.js';
import { customerAdminRoutes } from './customer-admin.js';
import { customerRoutes } from './customers.js';
import type { ApiDeps } from './deps.js';
import { importRoutes } from './imports.js';
import { lookupRoutes } from './lookup.js';
import { metricsRoutes } from './metrics.js';
import { messageRoutes } from './messages.js';
import { openApiRoutes } from './openapi.js';
import { searchRoutes } from './search.js';
import type { ApiRoute, ApiRoutes } from './types.js';

export type { ApiDeps } from './deps.js';
export type { ApiRoute, ApiRoutes } from './types.js';

export const createApiHandler = (deps: ApiDeps) => {
  const routes: ApiRoutes = {
    ...customerRoutes(deps),
    ...customerAdminRoutes(deps),
    ...connectorRoutes(deps),
    ...metricsRoutes(deps),
    ...messageRoutes(deps),
    ...searchRoutes(deps),
    ...lookupRoutes(deps),
    ...importRoutes(deps),
    ...deps.subscriptionRoutes,
    ...deps.queueRoutes,
    ...openApiRoutes(),
  };
  const byKey = new Map<string, ApiRoute>(Object.entries(routes));
  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(httpErrors())
    .handler(async (event) => {
      const route = byKey.get(event.routeKey);
      if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
      return route(event);
    });
};
