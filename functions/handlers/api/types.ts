/**
 * The shape every route module of the `api` function shares: one route is a
 * function from the API Gateway v2 event to the response, and the whole map
 * is keyed by the route table's keys, so the type checker proves every
 * declared route has a handler.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResponse } from '../../shared/http.js';
import type { ApiRouteKey } from '../../shared/routes.js';

/** One API route: gets the API Gateway v2 event, returns the response. */
export type ApiRoute = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** Handlers for a subset of the route table (one module's share). */
export type ApiRoutes<K extends ApiRouteKey = ApiRouteKey> = { readonly [Key in K]: ApiRoute };
