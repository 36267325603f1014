/**
 * The OpenAPI 3.1 document of the `api` function, built from the route table
 * (paths, methods, security, access) and the route contracts (the zod
 * schemas the handlers parse and answer with). `npm run schema` commits it as
 * `docs/openapi.json` (a test fails when that copy is stale) and the API
 * serves it at `GET /v1/openapi.json`.
 */
import * as z from 'zod';
import { jsonResponse } from '../../shared/http.js';
import { HTTP_ROUTES, type HttpRoute, routeKey } from '../../shared/routes.js';
import { API_CONTRACTS } from './contracts.js';
import { ErrorBodySchema, type ErrorStatus, type RouteContract } from './contract.js';
import type { ApiRoutes } from './types.js';

type JsonSchema = Record<string, unknown>;

/** Version of this document's contract (the `/v1` of the paths). */
const API_VERSION = '1';

const ERROR_DESCRIPTIONS: Record<ErrorStatus | 401 | 403 | 500, string> = {
  400: 'Malformed request: a parameter or the body is invalid; the message names the field',
  401: 'Missing or invalid credentials',
  403: "The caller's access level does not include this route",
  404: 'No such customer, subscription or route',
  409: 'Conflict with the current state; re-read and retry',
  413: 'The request body is too large',
  422: 'Understood but not possible as given (e.g. `template_required`: only a template may go now)',
  500: 'The hub failed; it is safe to retry',
  503: 'A dependency is not configured or unavailable; retry later',
};

/** Per access level: what an operator grants (IAM policy on AWS, console group). */
const ACCESS_DESCRIPTIONS: Record<HttpRoute['access'], string> = {
  none: 'none',
  read: '`read` (console group `viewer`)',
  send: '`send` (console group `agent`)',
  admin: '`admin` (console group `admin`)',
};

/**
 * Collects the named schemas (`.meta({ id })`) of every conversion into
 * `components.schemas`, rewriting zod's local `#/$defs/…` references.
 * The same id converted differently for input and output (defaults make
 * fields optional on input) gets an `Input` suffix on the input side.
 */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = json as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const renames = new Map<string, string>();
    for (const [id, def] of Object.entries($defs ?? {})) {
      const existing = this.components[id];
      const name = existing && JSON.stringify(existing) !== JSON.stringify(def) ? `${id}Input` : id;
      renames.set(id, name);
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value && typeof value === 'object') {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) =>
            k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
              ? [k, `#/components/schemas/${renames.get(v.slice(8)) ?? v.slice(8)}`]
              : [k, rewrite(v)],
          ),
        );
      }
      return value;
    };
    for (const [id, def] of Object.entries($defs ?? {})) {
      const name = renames.get(id) ?? id;
      const rewritten = rewrite(def) as JsonSchema;
      const existing = this.components[name];
      if (existing && JSON.stringify(existing) !== JSON.stringify(rewritten))
        throw new Error(`Two different schemas are both named "${name}" in the API contracts`);
      this.components[name] = rewritten;
    }
    return rewrite(root) as JsonSchema;
  }
}

const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** Query or path parameters, one per property of the object schema. */
const parameters = (
  collector: SchemaCollector,
  where: 'query' | 'path',
  schema: z.ZodObject | undefined,
  path: string,
) => {
  const names = where === 'path' ? [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string) : [];
  const json = schema ? collector.convert(schema, 'input') : { properties: {}, required: [] };
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  const all = where === 'path' ? names : Object.keys(properties);
  return all.map((name) => {
    const { description, ...property } = properties[name] ?? { type: 'string' };
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: property,
    };
  });
};

const operation = (collector: SchemaCollector, route: HttpRoute, contract: RouteContract) => {
  const errors: (ErrorStatus | 401 | 403 | 500)[] = [...(contract.errors ?? []), 401, 403, 500];
  const accessNote = `Access: ${ACCESS_DESCRIPTIONS[route.access]}.`;
  return {
    operationId: routeKey(route)
      .replace(/[{}]/g, '')
      .split(/[\s/.-]+/)
      .filter((w) => w && w !== 'v1')
      .map((w, i) => (i === 0 ? w.toLowerCase() : `${w[0]?.toUpperCase()}${w.slice(1)}`))
      .join(''),
    summary: contract.summary,
    description: contract.description ? `${contract.description}\n\n${accessNote}` : accessNote,
    tags: [route.path.split('/')[2] ?? 'api'],
    'x-omnihub-access': route.access,
    security: route.auth === 'iam' ? [{ awsSigV4: [] }, { bearerToken: [] }] : [],
    parameters: [
      ...parameters(collector, 'path', contract.params, route.path),
      ...parameters(collector, 'query', contract.query, route.path),
    ],
    ...(contract.body
      ? { requestBody: { required: true, content: jsonContent(collector.convert(contract.body, 'input')) } }
      : {}),
    responses: {
      [contract.status]: {
        description: contract.responseDescription ?? 'OK',
        content: jsonContent(collector.convert(contract.response, 'output')),
      },
      ...Object.fromEntries(
        [...new Set(errors)]
          .sort((a, b) => a - b)
          .map((status) => [status, { $ref: `#/components/responses/Error${status}` }]),
      ),
    },
  };
};

/** The whole document, in route-table order. */
export const buildOpenApiDocument = (
  contracts: Readonly<Record<string, RouteContract>> = API_CONTRACTS,
  routes: readonly HttpRoute[] = HTTP_ROUTES,
) => {
  const collector = new SchemaCollector();
  const errorSchema = collector.convert(ErrorBodySchema, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.fn !== 'api') continue;
    const contract = contracts[routeKey(route)];
    if (!contract) throw new Error(`No contract for ${routeKey(route)}`);
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operation(collector, route, contract);
    paths[route.path] = item;
  }
  const statuses = Object.keys(ERROR_DESCRIPTIONS).map(Number) as (keyof typeof ERROR_DESCRIPTIONS)[];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Omnihub API',
      version: API_VERSION,
      description:
        'The read and admin API of Omnihub: the single customer view, connectors and subscriptions. Generated from the route table (functions/shared/routes.ts) and the zod contracts beside each handler (functions/handlers/api/*); `npm run schema` regenerates it. Errors are always `{ "error": { "code", "message" } }`. Webhooks (`/webhooks/{connector}`) are not part of this API: each connector authenticates its vendor by signature (functions/connectors/<name>/README.md).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://localhost:3000', description: 'The local hub (`npm start`)' }],
    tags: [
      { name: 'customers', description: 'The single customer view: lookup, profile, timeline, privacy requests' },
      { name: 'connectors', description: 'Channel connectors and their configuration state' },
      { name: 'subscriptions', description: 'Subscriber integrations: delivery state, redrive, replay' },
      { name: 'openapi.json', description: 'This document' },
    ],
    paths,
    components: {
      securitySchemes: {
        awsSigV4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'On AWS: IAM authorization, requests signed with AWS Signature Version 4 (service `execute-api`). Each route needs the IAM policy of its access level (`x-omnihub-access`: read, send or admin).',
        },
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The local hub: `Authorization: Bearer <token>`, the token `npm start` prints (OMNIHUB_API_TOKEN, else generated into <data dir>/api-token).',
        },
      },
      responses: Object.fromEntries(
        statuses.map((status) => [
          `Error${status}`,
          { description: ERROR_DESCRIPTIONS[status], content: jsonContent(errorSchema) },
        ]),
      ),
      schemas: collector.components,
    },
  };
};

/** `docs/openapi.json` exactly as committed. */
export const renderOpenApi = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

/** `GET /v1/openapi.json`; the document is built on the first call, not at cold start. */
export const openApiRoutes = (): ApiRoutes<'GET /v1/openapi.json'> => {
  let document: string | undefined;
  return {
    'GET /v1/openapi.json': async () => {
      document ??= renderOpenApi();
      return { ...jsonResponse(200, null), body: document };
    },
  };
};
