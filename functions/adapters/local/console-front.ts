/**
 * The console on the local hub: the page and its assets at `/`, the
 * `config.json` that tells the page how to sign in (a session here, Cognito on
 * AWS), and the session endpoints under `/console/`. Everything else (webhooks,
 * `/v1`) is left to the route table.
 *
 *   GET  /                    the page (index.html)
 *   GET  /assets/<hashed>     scripts and styles, cached for a year
 *   GET  /config.json         { "auth": "session" }
 *   GET  /console/session     who is logged in, role, CSRF token; 401 when not
 *   POST /console/login       { "token" } → session cookie
 *   POST /console/logout      ends the session
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleAssets } from '../../../console/build.js';
import { isHubError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../shared/errors.js';
import { errorResponse } from '../../shared/http.js';
import { logger } from '../../shared/logger.js';
import { consoleCsp } from '../../shared/security-headers.js';
import type { LocalAuth } from './console-auth.js';

export interface ConsoleFrontOptions {
  readonly auth: LocalAuth;
  /** Builds (once, on the first page request) or returns the console's files. */
  readonly assets: () => ConsoleAssets;
}

/** What the local server needs of the console: answer a request, or say it is not the console's. */
export interface ConsoleFront {
  /** True when the request was the console's and has been answered. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

const MAX_LOGIN_BODY = 4096;

const readSmallJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_LOGIN_BODY) throw new PayloadTooLargeError(MAX_LOGIN_BODY);
    chunks.push(chunk);
  }
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    throw new ValidationError('Send the login as application/json');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new ValidationError('The request body is not valid JSON', { cause: err });
  }
};

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

export const createConsoleFront = (options: ConsoleFrontOptions): ConsoleFront => {
  let assets: ConsoleAssets | undefined;
  const files = (): ConsoleAssets => {
    assets ??= options.assets();
    return assets;
  };

  const page = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const file = files().get(path);
    if (!file) throw new NotFoundError(`No console file ${path}`);
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': String(file.body.length),
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(path.endsWith('.html') ? { 'content-security-policy': consoleCsp() } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
    'GET /': (req, res) => page(req, res, '/index.html'),
    'GET /index.html': (req, res) => page(req, res, '/index.html'),
    'GET /config.json': (_req, res) => json(res, 200, { auth: 'session' }),
    'GET /console/session': (req, res) => json(res, 200, options.auth.session(req)),
    'POST /console/login': async (req, res) => {
      const body = (await readSmallJson(req)) as { token?: unknown } | null;
      json(res, 200, options.auth.login(req, res, body?.token));
    },
    'POST /console/logout': (req, res) => {
      req.resume();
      options.auth.logout(req, res);
      res.writeHead(204, { 'cache-control': 'no-store' }).end();
    },
  };

  return {
    async handle(req, res, url) {
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      const route = routes[`${method} ${url.pathname}`];
      const asset = method === 'GET' && url.pathname.startsWith('/assets/');
      if (!route && !asset) return false;
      try {
        if (route) await route(req, res);
        else page(req, res, url.pathname);
      } catch (err) {
        // A broken build (a syntax error in console/src) is the developer's to see; callers get a plain 500.
        if (!isHubError(err)) logger.error('console request failed', { path: url.pathname, error: String(err) });
        const response = errorResponse(err);
        res.writeHead(response.statusCode, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(response.body);
      }
      return true;
    },
  };
};
