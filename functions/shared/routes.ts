/**
 * The HTTP surface, declared once: the CDK stack turns it into API Gateway
 * routes and the local server matches requests against it, building the same
 * `routeKey` and `pathParameters` API Gateway would.
 */
export type FunctionName = 'ingest' | 'api';

/**
 * Who may call a route. Each level is a separate IAM policy on AWS and a
 * separate console group, so an operator can grant reading the customer view
 * without granting erasure:
 * - `read`: look at customers, timelines, connectors, subscriptions (console `viewer`);
 * - `send`: also message customers (console `agent`);
 * - `admin`: change or remove data: unmerge, export, erase, redrive, replay (console `admin`).
 * Webhooks are `none`: they authenticate by the vendor's signature.
 */
export type RouteAccess = 'none' | 'read' | 'send' | 'admin';

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway path with `{param}` placeholders. */
  readonly path: string;
  readonly fn: FunctionName;
  /** `iam` on AWS (SigV4); a bearer token locally. Webhooks authenticate by signature. */
  readonly auth: 'none' | 'iam';
  readonly access: RouteAccess;
}

export const HTTP_ROUTES = [
  { method: 'POST', path: '/webhooks/{connector}', fn: 'ingest', auth: 'none', access: 'none' },
  { method: 'GET', path: '/webhooks/{connector}', fn: 'ingest', auth: 'none', access: 'none' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/connectors', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/customers', fn: 'api', auth: 'iam', access: 'read' },
  // Free text in the body, not the URL: phones and emails stay out of access logs and browser history.
  { method: 'POST', path: '/v1/search', fn: 'api', auth: 'iam', access: 'read' },
  // Caller recognition (screen-pops): the phone in the query, as telephony systems call it; see docs/caller-recognition.md.
  { method: 'GET', path: '/v1/lookup', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/customers/{customerId}', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/customers/{customerId}/timeline', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/customers/{customerId}/conversation', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'POST', path: '/v1/customers/{customerId}/messages', fn: 'api', auth: 'iam', access: 'send' },
  { method: 'GET', path: '/v1/customers/{customerId}/messages/{messageId}', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/customers/{customerId}/reachability', fn: 'api', auth: 'iam', access: 'read' },
  // The export is everything held about a person: an administrator's act, not a read.
  { method: 'GET', path: '/v1/customers/{customerId}/export', fn: 'api', auth: 'iam', access: 'admin' },
  { method: 'POST', path: '/v1/customers/{customerId}/unmerge', fn: 'api', auth: 'iam', access: 'admin' },
  { method: 'DELETE', path: '/v1/customers/{customerId}', fn: 'api', auth: 'iam', access: 'admin' },
  // Bulk import writes customers: an administrator's act (docs/import.md).
  { method: 'POST', path: '/v1/imports', fn: 'api', auth: 'iam', access: 'admin' },
  { method: 'GET', path: '/v1/metrics', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/subscriptions', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/subscriptions/{name}/deliveries', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'POST', path: '/v1/subscriptions/{name}/redrive', fn: 'api', auth: 'iam', access: 'admin' },
  { method: 'POST', path: '/v1/subscriptions/{name}/replay', fn: 'api', auth: 'iam', access: 'admin' },
  // The hub's own queues (profile writer, hydrator, subscriptions): depths and dead letters; a redrive re-runs them.
  { method: 'GET', path: '/v1/queues', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'GET', path: '/v1/queues/{name}', fn: 'api', auth: 'iam', access: 'read' },
  { method: 'POST', path: '/v1/queues/{name}/redrive', fn: 'api', auth: 'iam', access: 'admin' },
] as const satisfies readonly HttpRoute[];

type DeclaredRoute = (typeof HTTP_ROUTES)[number];

/**
 * Route keys the `api` function serves, derived from the table: its route map
 * is typed `Record<ApiRouteKey, ApiRoute>`, so a route declared here without
 * a handler (or a handler without a route) fails the type check.
 */
export type ApiRouteKey =
  Extract<DeclaredRoute, { fn: 'api' }> extends infer R
    ? R extends { method: infer M extends string; path: infer P extends string }
      ? `${M} ${P}`
      : never
    : never;

/** `GET /v1/customers/{customerId}`, the API Gateway route key format. */
export const routeKey = (route: Pick<HttpRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** Matches a concrete path to a route; returns the path parameters. */
export const matchRoute = (
  method: string,
  path: string,
  routes: readonly HttpRoute[] = HTTP_ROUTES,
): { route: HttpRoute; pathParameters: Record<string, string> } | { route: undefined; methodMismatch: boolean } => {
  let methodMismatch = false;
  const segments = path.split('/').filter(Boolean);
  for (const route of routes) {
    const parts = route.path.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((part, i) => {
      const seg = segments[i] as string;
      if (part.startsWith('{') && part.endsWith('}')) {
        params[part.slice(1, -1)] = decodeURIComponent(seg);
        return true;
      }
      return part === seg;
    });
    if (!ok) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    return { route, pathParameters: params };
  }
  return { route: undefined, methodMismatch };
};
