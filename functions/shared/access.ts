/**
 * Who may call which route: the console's roles (Cognito groups on AWS,
 * login tokens locally) mapped onto the `access` level each route declares in
 * `HTTP_ROUTES`. One table, read by the local server (which refuses a
 * viewer's DELETE with 403), the Cognito token trigger (which grants scopes)
 * and the CDK stack (which requires a scope per route), so the three cannot
 * disagree.
 */
import type { RouteAccess } from './routes.js';

/** The console's groups, least to most privileged. */
export const CONSOLE_ROLES = ['viewer', 'agent', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Access levels a route can demand of a signed-in person (webhooks are `none`). */
export type PersonAccess = Exclude<RouteAccess, 'none'>;

/**
 * What each role may do, cumulative: a viewer reads, an agent also messages
 * customers, an administrator also unmerges, exports and erases.
 */
export const ROLE_ACCESS: Readonly<Record<ConsoleRole, readonly PersonAccess[]>> = {
  viewer: ['read'],
  agent: ['read', 'send'],
  admin: ['read', 'send', 'admin'],
};

export const isConsoleRole = (value: unknown): value is ConsoleRole =>
  typeof value === 'string' && (CONSOLE_ROLES as readonly string[]).includes(value);

/** Whether `role` may call a route declaring `access`. Routes without auth (`none`) are open to all. */
export const mayAccess = (role: ConsoleRole, access: RouteAccess): boolean =>
  access === 'none' || ROLE_ACCESS[role].includes(access);

/** The OAuth resource server of the console API on AWS; scopes are `<server>/<access>`. */
export const SCOPE_SERVER = 'omnihub';

/** `read` → `omnihub/read`: the scope the JWT authorizer requires on a route of that access level. */
export const scopeOf = (access: PersonAccess): string => `${SCOPE_SERVER}/${access}`;

/**
 * The most privileged role among a person's groups (Cognito `cognito:groups`);
 * undefined when none of them is a console group, which grants nothing.
 */
export const roleOfGroups = (groups: readonly string[]): ConsoleRole | undefined =>
  [...CONSOLE_ROLES].reverse().find((role) => groups.includes(role));

/** Scopes to put in a person's access token, from her groups: cumulative, so admin holds all three. */
export const scopesOfGroups = (groups: readonly string[]): string[] => {
  const role = roleOfGroups(groups);
  return role ? ROLE_ACCESS[role].map(scopeOf) : [];
};
