/**
 * Every route contract of the `api` function in one map, keyed by the route
 * table: a route declared in `HTTP_ROUTES` without a contract (or a contract
 * without a route) fails the type check, as a route without a handler does.
 */
import * as z from 'zod';
import { connectorContracts } from './connectors.js';
import type { RouteContracts } from './contract.js';
import { customerAdminContracts } from './customer-admin.js';
import { customerContracts } from './customers.js';
import { importContracts } from './imports.js';
import { lookupContracts } from './lookup.js';
import { queueContracts } from './queues.js';
import { metricsContracts } from './metrics.js';
import { messageContracts } from './messages.js';
import { searchContracts } from './search.js';
import { subscriptionContracts } from './subscriptions.js';

const openApiContracts = {
  'GET /v1/openapi.json': {
    summary: 'This document: the OpenAPI 3.1 description of the API',
    status: 200,
    response: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document' }),
  },
} as const satisfies RouteContracts<'GET /v1/openapi.json'>;

export const API_CONTRACTS = {
  ...customerContracts,
  ...customerAdminContracts,
  ...connectorContracts,
  ...metricsContracts,
  ...messageContracts,
  ...searchContracts,
  ...lookupContracts,
  ...importContracts,
  ...subscriptionContracts,
  ...queueContracts,
  ...openApiContracts,
} as const satisfies RouteContracts;
