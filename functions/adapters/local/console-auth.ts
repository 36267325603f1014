/**
 * Who is calling the local hub, and may they call this route: the local
 * stand-in for SigV4 (machines) and Cognito (people) on AWS.
 *
 * - **Tokens.** `OMNIHUB_API_TOKEN` is an administrator. `OMNIHUB_CONSOLE_USERS`
 *   adds named people with a role each (`name:role:token,…`, role one of
 *   viewer | agent | admin), so a viewer login is real locally too. A token
 *   works as `Authorization: Bearer …` (scripts) and as the console login.
 * - **Sessions.** Logging in to the console exchanges a token for a random
 *   session id in an HttpOnly, SameSite=Strict cookie; the page never holds
 *   the token. Sessions end on logout, after `idleTimeoutMs` without a
 *   request, and `sessionTtlMs` after login, whichever comes first.
 * - **CSRF.** A cookie is sent by the browser on its own, so a cookie-
 *   authenticated request that changes anything must also carry the session's
 *   CSRF token in `x-csrf-token` (which a cross-site form cannot set) and, when
 *   the browser names one, come from this origin.
 * - **Access.** Every route's `access` in `HTTP_ROUTES` is checked against the
 *   caller's role (`mayAccess`): a viewer's DELETE is a 403 whatever the page shows.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { safeEqual } from '../../connectors/shared/signature.js';
import { type ConsoleRole, isConsoleRole, mayAccess, ROLE_ACCESS } from '../../shared/access.js';
import { ForbiddenError, HubError, UnauthorizedError, ValidationError } from '../../shared/errors.js';
import type { HttpRoute } from '../../shared/routes.js';

/** Someone who may call the hub. */
export interface Principal {
  readonly name: string;
  readonly role: ConsoleRole;
}

/** A person (or script) with a login token. */
export interface ConsoleUser extends Principal {
  readonly token: string;
}

/** Shortest token accepted in `OMNIHUB_CONSOLE_USERS`: 128 bits as base64url. */
const MIN_TOKEN_LENGTH = 22;

/**
 * Parses `OMNIHUB_CONSOLE_USERS` (`olena:viewer:<token>,ivan:agent:<token>`).
 * @throws Error naming the variable and the bad entry: a typo must not start a hub with a login nobody can use.
 */
export const parseConsoleUsers = (raw: string | undefined, apiToken: string): ConsoleUser[] => {
  if (!raw?.trim()) return [];
  const users = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const [name, role, ...rest] = entry.split(':');
      const token = rest.join(':');
      const where = `OMNIHUB_CONSOLE_USERS entry ${i + 1} ("${name ?? ''}:…")`;
      if (!name || !/^[\p{L}\p{N}._@-]{1,64}$/u.test(name))
        throw new Error(`${where}: the name must be 1–64 letters, digits or . _ @ -`);
      if (!isConsoleRole(role)) throw new Error(`${where}: the role must be one of viewer, agent, admin`);
      if (token.length < MIN_TOKEN_LENGTH)
        throw new Error(
          `${where}: the token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -base64 24)`,
        );
      return { name, role, token };
    });
  const names = new Set(users.map((u) => u.name));
  const tokens = new Set([...users.map((u) => u.token), apiToken]);
  if (names.size !== users.length) throw new Error('OMNIHUB_CONSOLE_USERS: every name must be unique');
  if (tokens.size !== users.length + 1)
    throw new Error('OMNIHUB_CONSOLE_USERS: every token must be unique and differ from OMNIHUB_API_TOKEN');
  return users;
};

interface Session {
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  lastSeenAt: number;
}

export interface LocalAuthOptions {
  readonly apiToken: string;
  readonly users?: readonly ConsoleUser[];
  /** A session ends this long after login. @default 8 hours (a working day) */
  readonly sessionTtlMs?: number;
  /** …or after this long without a request. @default 30 minutes */
  readonly idleTimeoutMs?: number;
  /** Failed logins per client address per window before 429. @default 10 per 5 minutes */
  readonly maxFailedLogins?: number;
  readonly now?: () => number;
}

const SESSION_COOKIE = 'omnihub_session';
const CSRF_HEADER = 'x-csrf-token';
const FAILED_LOGIN_WINDOW_MS = 5 * 60_000;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

class SessionExpiredError extends HubError {
  constructor() {
    super('The session has expired; log in again', 401, 'session_expired');
  }
}

class TooManyLoginsError extends HubError {
  constructor() {
    super('Too many failed logins from this address; wait five minutes', 429, 'too_many_requests');
  }
}

class CsrfError extends HubError {
  constructor(message: string) {
    super(message, 403, 'csrf_failed');
  }
}

/** The session cookie's value, if the request carries one. */
const sessionIdOf = (req: IncomingMessage): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
};

const bearerOf = (req: IncomingMessage): string | undefined => {
  const auth = req.headers.authorization ?? '';
  return auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
};

/** Sessions are kept by the hash of their id, so the map never holds a usable cookie. */
const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Whether the request came over HTTPS (a TLS proxy in front of `npm start`): then the cookie is `Secure`. */
const isHttps = (req: IncomingMessage): boolean =>
  req.headers['x-forwarded-proto'] === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted);

/** What `GET /console/session` and a login answer: who, what they may do, and the CSRF token. */
const sessionView = (session: Pick<Session, 'principal' | 'csrfToken' | 'expiresAt'>) => ({
  user: session.principal.name,
  role: session.principal.role,
  access: ROLE_ACCESS[session.principal.role],
  csrfToken: session.csrfToken,
  expiresAt: new Date(session.expiresAt).toISOString(),
});

export class LocalAuth {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly principals: readonly ConsoleUser[];
  private readonly now: () => number;

  constructor(private readonly options: LocalAuthOptions) {
    this.principals = [{ name: 'admin', role: 'admin', token: options.apiToken }, ...(options.users ?? [])];
    this.now = options.now ?? Date.now;
  }

  /** The principal a token belongs to. Compares with every token in constant time, so timing tells nothing. */
  private byToken(token: string | undefined): Principal | undefined {
    let found: Principal | undefined;
    for (const p of this.principals) if (safeEqual(token, p.token)) found = { name: p.name, role: p.role };
    return found;
  }

  private liveSession(id: string | undefined): Session | undefined | 'expired' {
    if (!id) return undefined;
    const key = digest(id);
    const session = this.sessions.get(key);
    if (!session) return 'expired';
    const now = this.now();
    if (now >= session.expiresAt || now - session.lastSeenAt >= (this.options.idleTimeoutMs ?? 30 * 60_000)) {
      this.sessions.delete(key);
      return 'expired';
    }
    session.lastSeenAt = now;
    return session;
  }

  /**
   * Who calls, and whether the route allows it. A bearer token wins over a
   * cookie (scripts send no cookies). @throws 401 without valid credentials,
   * 403 for a role below the route's access or a failed CSRF check.
   */
  authorize(req: IncomingMessage, route: Pick<HttpRoute, 'method' | 'path' | 'access'>): Principal {
    const bearer = bearerOf(req);
    let principal: Principal | undefined;
    if (bearer !== undefined) {
      principal = this.byToken(bearer);
      if (!principal) throw new UnauthorizedError('Send a valid token as "Authorization: Bearer <token>"');
    } else {
      const session = this.liveSession(sessionIdOf(req));
      if (session === 'expired') throw new SessionExpiredError();
      if (!session) throw new UnauthorizedError('Log in to the console, or send "Authorization: Bearer <token>"');
      if (STATE_CHANGING.has(req.method ?? 'GET')) this.checkCsrf(req, session);
      principal = session.principal;
    }
    if (!mayAccess(principal.role, route.access))
      throw new ForbiddenError(
        `The ${principal.role} role may not call ${route.method} ${route.path} (it needs ${route.access} access)`,
      );
    return principal;
  }

  private checkCsrf(req: IncomingMessage, session: Session): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `${isHttps(req) ? 'https' : 'http'}://${req.headers.host ?? ''}`)
      throw new CsrfError('Cross-origin requests may not use the console session');
    const header = req.headers[CSRF_HEADER];
    if (!safeEqual(typeof header === 'string' ? header : undefined, session.csrfToken))
      throw new CsrfError(`Send the session's CSRF token in ${CSRF_HEADER}`);
  }

  /** Exchanges a token for a session; the cookie goes on `res`. */
  login(req: IncomingMessage, res: ServerResponse, token: unknown): ReturnType<typeof sessionView> {
    const client = req.socket.remoteAddress ?? 'unknown';
    const now = this.now();
    const failed = this.failures.get(client);
    if (failed && now - failed.since < FAILED_LOGIN_WINDOW_MS && failed.count >= (this.options.maxFailedLogins ?? 10))
      throw new TooManyLoginsError();
    // A login is itself a state change: refuse it from other origins (login CSRF).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `${isHttps(req) ? 'https' : 'http'}://${req.headers.host ?? ''}`)
      throw new CsrfError('Log in from the console page itself');
    if (typeof token !== 'string' || !token) throw new ValidationError('Send {"token": "<your token>"}');
    const principal = this.byToken(token);
    if (!principal) {
      const within = failed && now - failed.since < FAILED_LOGIN_WINDOW_MS;
      this.failures.set(client, { count: within ? failed.count + 1 : 1, since: within ? failed.since : now });
      throw new UnauthorizedError('That token is not valid');
    }
    this.failures.delete(client);
    this.prune(now);
    const id = randomBytes(32).toString('base64url');
    const ttl = this.options.sessionTtlMs ?? 8 * 3600_000;
    const session: Session = {
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + ttl,
      lastSeenAt: now,
    };
    this.sessions.set(digest(id), session);
    res.setHeader('set-cookie', this.cookie(req, id, Math.floor(ttl / 1000)));
    return sessionView(session);
  }

  /** The current session, or 401 (expired or none). */
  session(req: IncomingMessage): ReturnType<typeof sessionView> {
    const session = this.liveSession(sessionIdOf(req));
    if (session === 'expired') throw new SessionExpiredError();
    if (!session) throw new UnauthorizedError('Not logged in');
    return sessionView(session);
  }

  /** Ends the session (CSRF-checked: a cross-site request must not log anyone out) and clears the cookie. */
  logout(req: IncomingMessage, res: ServerResponse): void {
    const id = sessionIdOf(req);
    const session = this.liveSession(id);
    if (session && session !== 'expired') {
      this.checkCsrf(req, session);
      this.sessions.delete(digest(id as string));
    }
    res.setHeader('set-cookie', this.cookie(req, '', 0));
  }

  private cookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
    return [
      `${SESSION_COOKIE}=${value}`,
      'HttpOnly',
      'SameSite=Strict',
      'Path=/',
      `Max-Age=${maxAgeSeconds}`,
      ...(isHttps(req) ? ['Secure'] : []),
    ].join('; ');
  }

  /** Drops ended sessions so a long-running hub does not accumulate them. */
  private prune(now: number): void {
    const idle = this.options.idleTimeoutMs ?? 30 * 60_000;
    for (const [key, s] of this.sessions)
      if (now >= s.expiresAt || now - s.lastSeenAt >= idle) this.sessions.delete(key);
    for (const [client, f] of this.failures) if (now - f.since >= FAILED_LOGIN_WINDOW_MS) this.failures.delete(client);
  }
}
