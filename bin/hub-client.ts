/**
 * The CLI's one way to talk to a running hub: base URL, API token, JSON in
 * and out, and every failure turned into a sentence a person can act on with
 * an exit code a script can branch on (see `EXIT`). Commands never call
 * `fetch` themselves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { matchRoute } from '../functions/shared/routes.js';
import { CliError, type CliContext, EXIT, REPO_ROOT, UsageError } from './cli.js';

/** Where the local hub writes its generated token (functions/runtime/local). */
const API_TOKEN_FILE = 'api-token';

/** How long one call may take before the hub counts as unreachable. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** The hub's error body, `{ error: { code, message } }` (functions/shared/http.ts). */
const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The hub did not answer: not running, wrong URL, or too slow. Exit code 3. */
export class HubUnreachableError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.unreachable, 'hub_unreachable', options);
  }
}

/** The hub answered with an error status; `status` and the hub's `hubCode` say which. */
export class HubResponseError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly hubCode: string,
  ) {
    super(message, status === 401 || status === 403 ? EXIT.unauthorized : EXIT.failed, 'hub_error');
  }
}

/** The hub's `--url`, else `$OMNIHUB_URL`, else the local hub's default port. No trailing slash. */
export const resolveHubUrl = (url: string | undefined, env: CliContext['env']): string => {
  const raw = url ?? env.OMNIHUB_URL ?? `http://localhost:${env.PORT ?? 3000}`;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, e.g. http://localhost:3000 (got "${raw}")`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url must be an http(s) URL (got "${raw}")`);
  return raw.replace(/\/+$/, '');
};

/** `--token`, then `$OMNIHUB_API_TOKEN`, then `<data dir>/api-token` that `npm start` writes. */
export const resolveApiToken = (
  token: string | undefined,
  env: CliContext['env'],
  root: string = REPO_ROOT,
): string => {
  if (token) return token;
  if (env.OMNIHUB_API_TOKEN) return env.OMNIHUB_API_TOKEN;
  const dataDir = resolve(root, env.OMNIHUB_DATA_DIR ?? '.omnihub');
  const file = join(dataDir, API_TOKEN_FILE);
  if (existsSync(file)) {
    const fromFile = readFileSync(file, 'utf8').trim();
    if (fromFile) return fromFile;
  }
  throw new UsageError(
    `No API token: pass --token, set OMNIHUB_API_TOKEN, or start the hub with \`npm start\` (it writes ${file})`,
  );
};

export interface HubClientOptions {
  /** E.g. `http://localhost:3000`; no trailing slash. */
  readonly baseUrl: string;
  readonly token: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

export interface HubRequest<T> {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** Validates and types the success body (`z.unknown()` to take it as it is). */
  readonly schema: z.ZodType<T>;
}

/** Why the hub refused, in words: the route's access level for a 403, what to do for a 401. */
const explain = (method: string, path: string, status: number, hubCode: string, hubMessage: string): string => {
  const call = `${method} ${path} → HTTP ${status} ${hubCode}: ${hubMessage}`;
  if (status === 401)
    return `${call}\nThe hub refused the API token: pass --token, set OMNIHUB_API_TOKEN, or use the token \`npm start\` printed.`;
  if (status === 403) {
    const match = matchRoute(method, path.split('?')[0] ?? path);
    const access = match.route ? ` (the route needs "${match.route.access}" access)` : '';
    return `${call}\nThe credentials may not do this${access}.`;
  }
  if (status >= 500) return `${call}\nThe hub failed; it is safe to retry once it is healthy.`;
  return call;
};

/**
 * One HTTP call to a hub (`url` is absolute); a connection failure or timeout
 * becomes {@link HubUnreachableError}. Any status comes back as it is: for a
 * webhook (`omnihub send`) the status is the answer.
 */
export const callHub = async (
  url: string,
  init: RequestInit,
  options: { fetch?: typeof fetch | undefined; timeoutMs?: number } = {},
): Promise<Response> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseUrl = URL.canParse(url) ? new URL(url).origin : url;
  try {
    return await (options.fetch ?? globalThis.fetch)(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    const reason = timedOut
      ? `no answer within ${timeoutMs / 1000} s`
      : err instanceof Error
        ? ((err.cause instanceof Error ? err.cause.message : undefined) ?? err.message)
        : String(err);
    throw new HubUnreachableError(`Cannot reach the hub at ${baseUrl} (${reason}); is \`npm start\` running?`, {
      cause: err,
    });
  }
};

/** A client of one hub: `get`, `post` and `delete` resolve to the JSON body validated by `schema`, or throw a `CliError`. */
export class HubClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: HubClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The client a command's `--url` / `--token` (or their defaults) point at. */
  static fromOptions(values: { url?: string | undefined; token?: string | undefined }, ctx: CliContext): HubClient {
    return new HubClient({
      baseUrl: resolveHubUrl(values.url, ctx.env),
      token: resolveApiToken(values.token, ctx.env, ctx.root),
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    });
  }

  get<T>(path: string, request: Omit<HubRequest<T>, 'body'>): Promise<T> {
    return this.request('GET', path, request);
  }

  post<T>(path: string, request: HubRequest<T>): Promise<T> {
    return this.request('POST', path, request);
  }

  delete<T>(path: string, request: Omit<HubRequest<T>, 'body'>): Promise<T> {
    return this.request('DELETE', path, request);
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, request: HubRequest<T>): Promise<T> {
    const query = Object.entries(request.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
    const qs = query.length ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}` : '';
    const hasBody = request.body !== undefined;
    const res = await callHub(
      `${this.baseUrl}${path}${qs}`,
      {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
        },
        ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
      },
      { fetch: this.#fetch, timeoutMs: this.#timeoutMs },
    );
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const body = ErrorBodySchema.safeParse(json);
      const [code, message] = body.success
        ? [body.data.error.code, body.data.error.message]
        : ['error', text.trim().slice(0, 200) || res.statusText || '(empty body)'];
      throw new HubResponseError(explain(method, path, res.status, code, message), res.status, code);
    }
    if (json === undefined && text)
      throw new HubResponseError(
        `${method} ${path} → HTTP ${res.status}, but the body is not JSON: ${text.slice(0, 200)}`,
        res.status,
        'not_json',
      );
    const parsed = request.schema.safeParse(json);
    if (!parsed.success)
      throw new HubResponseError(
        `${method} ${path} → HTTP ${res.status}, but the answer is not what this CLI expects (${z.prettifyError(parsed.error).replaceAll('\n', '; ')}); is the hub the same version as the CLI?`,
        res.status,
        'unexpected_response',
      );
    return parsed.data;
  }
}
