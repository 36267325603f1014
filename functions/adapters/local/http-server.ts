/**
 * The local HTTP front: turns each request into the API Gateway HTTP API
 * (payload v2) event that AWS would deliver — same route keys, path
 * parameters, base64 body — and calls the same handler the Lambda runs.
 * IAM-protected routes take a bearer token or a console session here
 * instead of SigV4, checked per route against its access level
 * (`console-auth.ts`); the console itself is served by `console-front.ts`.
 *
 * API Gateway protects the Lambdas from abusive clients; locally this server
 * does: a request that is not HTTP we can route (bad percent-encoding, a
 * Host that is not a host) is a 400, never a 500 a vendor would retry
 * forever; headers and body must arrive within deadlines (a trickled body
 * gets a 408 instead of holding a connection); and connections are capped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { HTTP_ROUTES, matchRoute, routeKey, type FunctionName, type HttpRoute } from '../../shared/routes.js';
import { errorResponse, type HttpResponse } from '../../shared/http.js';
import {
  HubError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../../shared/errors.js';
import { API_CSP, COMMON_SECURITY_HEADERS } from '../../shared/security-headers.js';
import { LocalAuth } from './console-auth.js';
import type { ConsoleFront } from './console-front.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

/** Deadlines and caps of the local server (API Gateway has its own on AWS). */
export interface LocalHttpLimits {
  /** Time to receive the request headers. */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole body once the headers are in; then 408. */
  readonly bodyTimeoutMs: number;
  /** Node's own cap on receiving a whole request (a backstop to the body deadline). */
  readonly requestTimeoutMs: number;
  /** Idle time before a keep-alive connection is closed. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections at once; further ones are closed on accept. */
  readonly maxConnections: number;
}

/**
 * Generous for any vendor (they post a few KB at once) and short for a
 * client that trickles a body: API Gateway itself gives up after 30 s.
 */
const DEFAULT_HTTP_LIMITS: LocalHttpLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
};

export interface LocalHttpOptions {
  readonly handlers: Record<FunctionName, HttpHandler>;
  readonly apiToken: string;
  readonly maxBodyBytes: number;
  readonly routes?: readonly HttpRoute[];
  /** @default DEFAULT_HTTP_LIMITS */
  readonly limits?: Partial<LocalHttpLimits>;
  /**
   * True while the hub shuts down: webhooks and other writes get 503 with
   * Retry-After (vendors redeliver later) while the queues drain; reads are
   * still served.
   */
  readonly draining?: () => boolean;
  /** Who may call which route. @default the API token alone, as administrator */
  readonly auth?: LocalAuth;
  /** The console page and its login; omitted → `/` is a 404 as before. */
  readonly console?: ConsoleFront;
}

/** Seconds a caller refused during shutdown is told to wait (a restart takes about this long). */
const SHUTDOWN_RETRY_AFTER_SECONDS = 30;

/** The hub is shutting down and takes no new work: 503, retry later. */
class ShuttingDownError extends HubError {
  constructor() {
    super('The hub is shutting down and accepts no new requests; retry shortly', 503, 'shutting_down');
  }
}

/** The body did not arrive within the deadline: 408, and the connection is closed. */
class RequestTimeoutError extends HubError {
  constructor(timeoutMs: number) {
    super(`The request body did not arrive within ${timeoutMs} ms`, 408, 'request_timeout');
  }
}

/** `Host: example.com`, `Host: 127.0.0.1:3000`, `Host: [::1]:3000`; anything else is not a host. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The request target as a URL, or a 400 naming what is wrong. The path is
 * taken literally (`//x/y` is a path, not a host), and a Host header that is
 * not a host is refused: URL-signing vendors verify against it.
 */
const requestUrl = (req: IncomingMessage): URL => {
  const host = req.headers.host ?? 'localhost';
  if (!HOST.test(host)) throw new ValidationError('The Host header is not a valid host');
  const target = req.url ?? '/';
  try {
    return target.startsWith('/') ? new URL(`http://${host}${target}`) : new URL(target);
  } catch {
    throw new ValidationError('The request target is not a valid URL');
  }
};

/** `matchRoute`, with a path that is not valid percent-encoding answered 400 (API Gateway answers it too). */
const matchRequest = (method: string, path: string, routes: readonly HttpRoute[]) => {
  try {
    return matchRoute(method, path, routes);
  } catch (err) {
    if (err instanceof URIError) throw new ValidationError('The request path is not valid percent-encoding');
    throw err;
  }
};

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

/**
 * Reads the body up to `limit` bytes within `timeoutMs`; beyond the size it
 * stops and reports it (413) without buffering the rest, past the deadline
 * it reports a timeout (408).
 */
const readBody = (req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer | 'too-large' | 'timeout'> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return resolve('too-large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      resolve('timeout');
    }, timeoutMs);
    const finish = (result: Buffer | 'too-large') => {
      done = true;
      clearTimeout(timer);
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        req.resume();
        finish('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !done && finish(Buffer.concat(chunks)));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
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
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const auth = options.auth ?? new LocalAuth({ apiToken: options.apiToken });
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default, which would double them).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    async (req, res) => {
      try {
        await handle(req, res);
      } catch (err) {
        // A request we could not read to the end leaves the connection in an unknown state: close it.
        if (err instanceof RequestTimeoutError || err instanceof ShuttingDownError) res.shouldKeepAlive = false;
        if (!(err instanceof RequestTimeoutError) && !req.complete) req.resume();
        const response = errorResponse(err);
        if (err instanceof ShuttingDownError)
          response.headers = { ...response.headers, 'retry-after': String(SHUTDOWN_RETRY_AFTER_SECONDS) };
        if (!res.headersSent) send(res, response);
        else res.destroy();
      }
    },
  );
  server.maxConnections = limits.maxConnections;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    withSecurityHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD' && options.draining?.()) throw new ShuttingDownError();
    const url = requestUrl(req);
    if (options.console && (await options.console.handle(req, res, url))) return;
    const matched = matchRequest(req.method ?? 'GET', url.pathname, options.routes ?? HTTP_ROUTES);
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
    const body = await readBody(req, options.maxBodyBytes, limits.bodyTimeoutMs);
    if (body === 'too-large') throw new PayloadTooLargeError(options.maxBodyBytes);
    if (body === 'timeout') throw new RequestTimeoutError(limits.bodyTimeoutMs);
    const event = toApiGatewayEvent(req, url, body, matched.route, matched.pathParameters);
    send(res, await options.handlers[matched.route.fn](event, lambdaContext(matched.route.fn)));
  };
  return server;
};
