/**
 * The HTTP edge shared by the Lambda handlers and the local server: API
 * Gateway HTTP API (payload v2) events in, `RawRequest` for connectors, JSON
 * responses and the one error body format `{ error: { code, message } }`.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HubError, PayloadTooLargeError } from './errors.js';

/** What a connector sees of a request: raw bytes, lowercased headers, the public URL. */
export interface RawRequest {
  readonly method: string;
  /** The public URL the vendor called, including the query string (for URL-signing vendors). */
  readonly url: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** Exact bytes received: signatures are computed over these, never a re-serialization. */
  readonly body: Buffer;
  readonly sourceIp?: string;
}

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** Default request body limit: EventBridge entries are capped at 256 KiB too. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

const lowerCaseHeaders = (headers: APIGatewayProxyEventV2['headers']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
};

/**
 * Builds the connector's view of an API Gateway v2 event. `publicBaseUrl`
 * (e.g. `https://hooks.example.com/prod`) is what vendors were told to call;
 * when unset the URL is derived from the Host header and the stage.
 */
export const toRawRequest = (
  event: APIGatewayProxyEventV2,
  opts: { publicBaseUrl?: string; maxBodyBytes?: number } = {},
): RawRequest => {
  const headers = lowerCaseHeaders(event.headers);
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (body.length > limit) throw new PayloadTooLargeError(limit);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) if (!(k in query)) query[k] = v;
  const stage = event.requestContext?.stage;
  const stagePrefix = stage && stage !== '$default' && !event.rawPath.startsWith(`/${stage}/`) ? `/${stage}` : '';
  const base =
    opts.publicBaseUrl?.replace(/\/+$/, '') ??
    `${headers['x-forwarded-proto'] ?? 'https'}://${headers.host ?? event.requestContext?.domainName ?? 'localhost'}${stagePrefix}`;
  const qs = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    url: `${base}${event.rawPath}${qs}`,
    path: event.rawPath,
    query,
    headers,
    body,
    sourceIp: event.requestContext?.http?.sourceIp,
  };
};

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const textResponse = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

/**
 * Maps any thrown value to the JSON error body. Messages of 4xx errors go to
 * the caller (they say what to fix); a 5xx never leaks internals.
 */
export const errorResponse = (err: unknown): HttpResponse => {
  if (err instanceof HubError) {
    return jsonResponse(err.statusCode, { error: { code: err.code, message: err.message, ...err.details } });
  }
  return jsonResponse(500, {
    error: { code: 'internal_error', message: 'The hub could not process the request; it is safe to retry' },
  });
};
