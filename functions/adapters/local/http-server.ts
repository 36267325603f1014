/**
 * The local HTTP front: turns each request into the API Gateway HTTP API
 * (payload v2) event that AWS would deliver — same route keys, path
 * parameters, base64 body — and calls the same handler the Lambda runs.
 * IAM-protected routes take a bearer token or a console session here
 * instead of SigV4, checked per route against its access level
 * (`console-auth.ts`); the console itself is served by `console-front.ts`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { HTTP_ROUTES, matchRoute, routeKey, type FunctionName, type HttpRoute } from '../../shared/routes.js';
import { errorResponse, type HttpResponse } from '../../shared/http.js';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError } from '../../shared/errors.js';
import { API_CSP, COMMON_SECURITY_HEADERS } from '../../shared/security-headers.js';
import { LocalAuth } from './console-auth.js';
import type { ConsoleFront } from './console-front.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

export interface LocalHttpOptions {
  readonly handlers: Record<FunctionName, HttpHandler>;
  readonly apiToken: string;
  readonly maxBodyBytes: number;
  readonly routes?: readonly HttpRoute[];
  /** Who may call which route. @default the API token alone, as administrator */
  readonly auth?: LocalAuth;
  /** The console page and its login; omitted → `/` is a 404 as before. */
  readonly console?: ConsoleFront;
}

const lambdaContext = (fn: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `omnihub-local-${fn}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:omnihub-local-${fn}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/omnihub-local-${fn}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Reads the body up to `limit` bytes; beyond that, stops and reports it (413) without buffering the rest. */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return resolve('too-large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !done && resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const toApiGatewayEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: HttpRoute,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  // API Gateway always adds these; locally the scheme is plain HTTP, so URL-signing vendors verify against http://.
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-for'] ??= req.socket.remoteAddress ?? '127.0.0.1';
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of url.searchParams)
    queryStringParameters[k] = k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
};

/** Every response carries the security headers; the console page sets its own CSP. */
const withSecurityHeaders = (res: ServerResponse): void => {
  for (const [k, v] of Object.entries(COMMON_SECURITY_HEADERS)) res.setHeader(k, v);
  res.setHeader('content-security-policy', API_CSP);
};

const send = (res: ServerResponse, response: HttpResponse): void => {
  // API answers hold personal data: no cache may keep them.
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  for (const [k, v] of Object.entries(response.headers ?? {})) headers[k] = String(v);
  const body =
    response.body === undefined ? '' : response.isBase64Encoded ? Buffer.from(response.body, 'base64') : response.body;
  res.writeHead(response.statusCode, headers);
  res.end(body);
};

export const createLocalHttpServer = (options: LocalHttpOptions): Server => {
  const auth = options.auth ?? new LocalAuth({ apiToken: options.apiToken });
  return createServer(async (req, res) => {
    try {
      withSecurityHeaders(res);
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      if (options.console && (await options.console.handle(req, res, url))) return;
      const matched = matchRoute(req.method ?? 'GET', url.pathname, options.routes ?? HTTP_ROUTES);
      if (!matched.route) {
        req.resume();
        throw matched.methodMismatch
          ? new MethodNotAllowedError(`${req.method} is not allowed on ${url.pathname}`)
          : new NotFoundError(`No route ${req.method} ${url.pathname}`);
      }
      if (matched.route.auth === 'iam') {
        try {
          auth.authorize(req, matched.route);
        } catch (err) {
          req.resume();
          throw err;
        }
      }
      const body = await readBody(req, options.maxBodyBytes);
      if (body === 'too-large') throw new PayloadTooLargeError(options.maxBodyBytes);
      const event = toApiGatewayEvent(req, url, body, matched.route, matched.pathParameters);
      send(res, await options.handlers[matched.route.fn](event, lambdaContext(matched.route.fn)));
    } catch (err) {
      send(res, errorResponse(err));
    }
  });
};
