/**
 * The published API contract: docs/openapi.json is what the code generates,
 * is valid OpenAPI 3.1, and describes every `api` route of the route table
 * with its method, parameters, security and access level.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { API_CONTRACTS } from '../../../functions/handlers/api/contracts.js';
import { buildOpenApiDocument, renderOpenApi } from '../../../functions/handlers/api/openapi.js';
import { HTTP_ROUTES, routeKey } from '../../../functions/shared/routes.js';

type Operation = {
  security: Record<string, string[]>[];
  'x-omnihub-access': string;
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
const document = JSON.parse(renderOpenApi()) as {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

describe('OpenAPI document', () => {
  it('docs/openapi.json is current (run `npm run schema`)', () => {
    expect(readFileSync('docs/openapi.json', 'utf8')).toBe(renderOpenApi());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    // Prepare
    const validator = new Validator();

    // Act
    const result = await validator.validate(JSON.parse(renderOpenApi()));

    // Assess
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has every api route of HTTP_ROUTES, with its security and access level', () => {
    const apiRoutes = HTTP_ROUTES.filter((r) => r.fn === 'api');
    expect(apiRoutes.length).toBeGreaterThan(10);
    for (const route of apiRoutes) {
      const op = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, routeKey(route)).toBeDefined();
      expect(op?.security, routeKey(route)).toEqual(
        route.auth === 'iam' ? [{ awsSigV4: [] }, { bearerToken: [] }] : [],
      );
      expect(op?.['x-omnihub-access'], routeKey(route)).toBe(route.access);
      const placeholders = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(
        op?.parameters.filter((p) => p.in === 'path' && p.required).map((p) => p.name),
        routeKey(route),
      ).toEqual(placeholders);
      expect(Object.keys(op?.responses ?? {}), routeKey(route)).toEqual(expect.arrayContaining(['401', '403', '500']));
    }
    for (const scheme of ['awsSigV4', 'bearerToken'])
      expect(document.components.securitySchemes).toHaveProperty(scheme);
    // Nothing but the api function's routes: webhooks authenticate by vendor signature, documented per connector.
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
    expect(operations).toHaveLength(apiRoutes.length);
  });

  it('documents request bodies and query parameters from the schemas the handlers parse', () => {
    const replay = document.paths['/v1/subscriptions/{name}/replay']?.post;
    expect(replay?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { required: ['from', 'to'], additionalProperties: false } } },
    });
    const timeline = document.paths['/v1/customers/{customerId}/timeline']?.get;
    expect(timeline?.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual([
      'limit',
      'cursor',
      'channel',
      'type',
    ]);
    const lookup = document.paths['/v1/customers']?.get;
    expect(lookup?.parameters).toContainEqual(expect.objectContaining({ name: 'identity', required: true }));
  });

  it('refuses to build when a route has no contract (the check can fail)', () => {
    const { 'GET /v1/connectors': _dropped, ...rest } = API_CONTRACTS;
    expect(() => buildOpenApiDocument(rest)).toThrow('No contract for GET /v1/connectors');
  });
});
