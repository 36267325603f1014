/**
 * What a route of the `api` function promises, declared beside its handler:
 * the zod schemas of its path parameters, query, body and success response.
 * The handler parses its input with these very schemas and builds its answer
 * through `respond`, which types the body by the response schema, so the
 * published OpenAPI document (`docs/openapi.json`, generated from the
 * contracts) cannot drift from what the code accepts and returns.
 */
import * as z from 'zod';
import { type HttpResponse, jsonResponse } from '../../shared/http.js';
import type { ApiRouteKey } from '../../shared/routes.js';

/** Error statuses a route may answer besides the ones every route has (401, 403, 500). */
export type ErrorStatus = 400 | 404 | 409 | 413 | 422 | 503;

export interface RouteContract {
  /** One line, imperative: "Look a customer up by an identity". */
  readonly summary: string;
  /** Markdown: what the route does and why a caller would use it. */
  readonly description?: string;
  /** Path parameters, by the `{name}` placeholders of the route. */
  readonly params?: z.ZodObject;
  /** Query string parameters (strings on the wire; the schema coerces). */
  readonly query?: z.ZodObject;
  /** JSON request body. */
  readonly body?: z.ZodType;
  /** Status of a success. */
  readonly status: 200 | 201 | 202;
  /** Body of a success. */
  readonly response: z.ZodType;
  /** What the success means, for the document. @default 'OK' */
  readonly responseDescription?: string;
  /** Error statuses this route answers on purpose, each with the error body. */
  readonly errors?: readonly ErrorStatus[];
}

/** Contracts of a subset of the route table (one module's share), keyed like `ApiRoutes`. */
export type RouteContracts<K extends ApiRouteKey = ApiRouteKey> = { readonly [Key in K]: RouteContract };

/** The one error body of every route: `{ error: { code, message } }` (functions/shared/http.ts). */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. `not_found`' }),
      message: z.string().meta({ description: 'What was wrong, for a person; 5xx messages never carry internals' }),
      channels: z
        .array(
          z.object({
            channel: z.string(),
            allowed: z.boolean(),
            reasons: z.array(z.string()),
            message: z.string(),
          }),
        )
        .optional()
        .meta({ description: '`no_reachable_channel` (409), `template_required` (422): why each channel was refused' }),
      limits: z
        .array(z.object({ channel: z.string(), max: z.number().int(), unit: z.string() }))
        .optional()
        .meta({ description: '`text_too_long` (400): the text limits of the channels that could carry it' }),
    }),
  })
  .meta({ id: 'Error' });

/** The success response of a route, its body typed by the route's response schema. */
export const respond = <C extends RouteContract>(
  contract: C,
  body: z.input<C['response']>,
  headers?: Record<string, string>,
): HttpResponse => jsonResponse(contract.status, body, headers);
