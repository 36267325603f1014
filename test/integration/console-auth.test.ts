/**
 * The console on the local hub, over plain HTTP: the page and its security
 * headers, login → HttpOnly SameSite=Strict session cookie, CSRF on every
 * cookie-authenticated change, logout, idle and absolute expiry, login
 * throttling, and every route of HTTP_ROUTES enforced per role server-side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConsoleUsers } from '../../functions/adapters/local/console-auth.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { mayAccess } from '../../functions/shared/access.js';
import { HTTP_ROUTES, routeKey } from '../../functions/shared/routes.js';
import { startTestHub } from '../helpers/hub.js';

const VIEWER = { name: 'vera', role: 'viewer', token: 'viewer-token-0123456789abcdef' } as const;
const AGENT = { name: 'anton', role: 'agent', token: 'agent-token-0123456789abcdefgh' } as const;

interface Session {
  readonly cookie: string;
  readonly csrf: string;
  readonly setCookie: string;
}

const login = async (hub: LocalHub, token: string, headers: Record<string, string> = {}): Promise<Session> => {
  const res = await fetch(`${hub.url}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0] as string, csrf: body.csrfToken, setCookie };
};

describe('Console on the local hub: page, session, CSRF, roles', () => {
  let hub: LocalHub;
  let clock = Date.parse('2026-11-10T09:00:00Z');

  beforeAll(async () => {
    hub = await startTestHub({
      console: { users: [VIEWER, AGENT], now: () => clock, idleTimeoutMs: 30 * 60_000, sessionTtlMs: 8 * 3600_000 },
    });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  describe('the page', () => {
    it('serves the console at / with a CSP without unsafe-inline and the security headers', async () => {
      // Act
      const res = await fetch(`${hub.url}/`);
      const html = await res.text();

      // Assess
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      // No inline script or style for the CSP to forbid: every script has a src, no <style>, no style="".
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style="/);
    });

    it('serves content-hashed assets cached for a year, with their types', async () => {
      // Prepare
      const html = await (await fetch(`${hub.url}/`)).text();
      const js = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
      const css = /href="(\/assets\/styles-[A-Z0-9]+\.css)"/.exec(html)?.[1];

      // Act
      const [jsRes, cssRes, missing] = await Promise.all([
        fetch(`${hub.url}${js}`),
        fetch(`${hub.url}${css}`),
        fetch(`${hub.url}/assets/nothing-here.js`),
      ]);

      // Assess
      expect(jsRes.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(jsRes.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(cssRes.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as any).error.code).toBe('not_found');
    });

    it('tells the page to sign in with a session here', async () => {
      expect(await (await fetch(`${hub.url}/config.json`)).json()).toEqual({ auth: 'session' });
    });

    it('sends nosniff, a deny-all CSP and no-store on API answers too', async () => {
      // Act
      const res = await fetch(`${hub.url}/v1/connectors`, { headers: { authorization: `Bearer ${hub.apiToken}` } });

      // Assess
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('login and the session cookie', () => {
    it('exchanges the API token for an HttpOnly, SameSite=Strict cookie and an administrator session', async () => {
      // Act
      const session = await login(hub, hub.apiToken);
      const me = await fetch(`${hub.url}/console/session`, { headers: { cookie: session.cookie } });

      // Assess
      expect(session.setCookie).toMatch(/^omnihub_session=[A-Za-z0-9_-]{43}; /);
      expect(session.setCookie).toContain('HttpOnly');
      expect(session.setCookie).toContain('SameSite=Strict');
      expect(session.setCookie).toContain('Path=/');
      expect(session.setCookie).toContain('Max-Age=28800');
      expect(session.setCookie).not.toContain('Secure');
      expect(await me.json()).toMatchObject({ user: 'admin', role: 'admin', access: ['read', 'send', 'admin'] });
      // The cookie is not the token.
      expect(session.cookie).not.toContain(hub.apiToken);
    });

    it('marks the cookie Secure behind an HTTPS proxy', async () => {
      const session = await login(hub, hub.apiToken, { 'x-forwarded-proto': 'https' });
      expect(session.setCookie).toContain('Secure');
    });

    it('refuses a wrong token with 401, a non-JSON login with 400, and a login from another origin with 403', async () => {
      const wrong = await fetch(`${hub.url}/console/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'not-a-token' }),
      });
      const form = await fetch(`${hub.url}/console/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${hub.apiToken}`,
      });
      const foreign = await fetch(`${hub.url}/console/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ token: hub.apiToken }),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect(form.status).toBe(400);
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as any).error.code).toBe('csrf_failed');
    });

    it('answers 401 without a session', async () => {
      const res = await fetch(`${hub.url}/console/session`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('unauthorized');
    });
  });

  describe('CSRF', () => {
    it('reads with the cookie alone but changes nothing without the session CSRF token', async () => {
      // Prepare
      const { cookie, csrf } = await login(hub, hub.apiToken);
      const search = (headers: Record<string, string>) =>
        fetch(`${hub.url}/v1/search`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: '050 111 22 33' }),
        });

      // Act
      const read = await fetch(`${hub.url}/v1/connectors`, { headers: { cookie } });
      const noToken = await search({});
      const wrongToken = await search({ 'x-csrf-token': 'forged' });
      const otherOrigin = await search({ 'x-csrf-token': csrf, origin: 'https://evil.example' });
      const ok = await search({ 'x-csrf-token': csrf, origin: hub.url });

      // Assess
      expect(read.status).toBe(200);
      for (const refused of [noToken, wrongToken, otherOrigin]) {
        expect(refused.status).toBe(403);
        expect(((await refused.json()) as any).error.code).toBe('csrf_failed');
      }
      expect(ok.status).toBe(200);
    });

    it('does not need a CSRF token with a bearer token (scripts send no cookies)', async () => {
      const res = await fetch(`${hub.url}/v1/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'telegram:1' }),
      });
      expect(res.status).toBe(200);
    });
  });

  describe('roles, enforced per route from HTTP_ROUTES', () => {
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'cus_nobody0000000000000000');
    const call = (token: string, route: (typeof HTTP_ROUTES)[number]) =>
      fetch(`${hub.url}${concrete(route.path)}`, {
        method: route.method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(route.method === 'POST' ? { body: '{}' } : {}),
      });

    for (const user of [VIEWER, AGENT]) {
      it(`gives the ${user.role} 403 JSON exactly on the routes above its access`, async () => {
        for (const route of HTTP_ROUTES.filter((r) => r.auth === 'iam')) {
          // Act
          const res = await call(user.token, route);

          // Assess: allowed routes get past authorization (a 404 for the made-up customer, a 400 for the empty body).
          if (mayAccess(user.role, route.access)) expect([401, 403], routeKey(route)).not.toContain(res.status);
          else {
            expect(res.status, routeKey(route)).toBe(403);
            expect(((await res.json()) as any).error, routeKey(route)).toMatchObject({ code: 'forbidden' });
          }
        }
      });
    }

    it('refuses a viewer session the DELETE too, with a valid CSRF token', async () => {
      // Prepare
      const { cookie, csrf } = await login(hub, VIEWER.token);

      // Act
      const res = await fetch(`${hub.url}/v1/customers/cus_nobody0000000000000000`, {
        method: 'DELETE',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      const me = await fetch(`${hub.url}/console/session`, { headers: { cookie } });

      // Assess
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.message).toMatch(/viewer role may not call DELETE/);
      expect(await me.json()).toMatchObject({ user: 'vera', role: 'viewer', access: ['read'] });
    });

    it('refuses an unknown bearer token with 401', async () => {
      const res = await fetch(`${hub.url}/v1/connectors`, { headers: { authorization: 'Bearer nope' } });
      expect(res.status).toBe(401);
    });
  });

  describe('logout and expiry', () => {
    it('logs out only with the CSRF token, then the cookie is dead', async () => {
      // Prepare
      const { cookie, csrf } = await login(hub, hub.apiToken);

      // Act
      const forged = await fetch(`${hub.url}/console/logout`, { method: 'POST', headers: { cookie } });
      const stillIn = await fetch(`${hub.url}/console/session`, { headers: { cookie } });
      const out = await fetch(`${hub.url}/console/logout`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      const after = await fetch(`${hub.url}/v1/connectors`, { headers: { cookie } });

      // Assess
      expect(forged.status).toBe(403);
      expect(stillIn.status).toBe(200);
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^omnihub_session=; .*Max-Age=0/);
      expect(after.status).toBe(401);
    });

    it('ends a session after 30 idle minutes', async () => {
      // Prepare
      const { cookie } = await login(hub, hub.apiToken);
      clock += 29 * 60_000;
      expect((await fetch(`${hub.url}/v1/connectors`, { headers: { cookie } })).status).toBe(200);

      // Act: 29 more minutes are fine (the last request renewed it), 31 are not.
      clock += 29 * 60_000;
      const renewed = await fetch(`${hub.url}/v1/connectors`, { headers: { cookie } });
      clock += 31 * 60_000;
      const idle = await fetch(`${hub.url}/v1/connectors`, { headers: { cookie } });

      // Assess
      expect(renewed.status).toBe(200);
      expect(idle.status).toBe(401);
      expect(((await idle.json()) as any).error.code).toBe('session_expired');
    });

    it('ends a session 8 hours after login however busy', async () => {
      // Prepare
      const { cookie } = await login(hub, hub.apiToken);

      // Act
      for (let i = 0; i < 16; i++) {
        clock += 29 * 60_000;
        expect((await fetch(`${hub.url}/console/session`, { headers: { cookie } })).status).toBe(200);
      }
      clock += 29 * 60_000;
      const late = await fetch(`${hub.url}/console/session`, { headers: { cookie } });

      // Assess
      expect(late.status).toBe(401);
    });

    it('throttles failed logins per address (429), and the right token after the window', async () => {
      // Act
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${hub.url}/console/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: `guess-${i}` }),
        });
        expect(res.status).toBe(401);
      }
      const blocked = await fetch(`${hub.url}/console/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: hub.apiToken }),
      });
      clock += 5 * 60_000;

      // Assess
      expect(blocked.status).toBe(429);
      await login(hub, hub.apiToken);
    });
  });
});

describe('OMNIHUB_CONSOLE_USERS', () => {
  it('reads name:role:token entries', () => {
    expect(parseConsoleUsers(`vera:viewer:${VIEWER.token}, anton:agent:${AGENT.token}`, 'api-token')).toEqual([
      VIEWER,
      AGENT,
    ]);
    expect(parseConsoleUsers(undefined, 'api-token')).toEqual([]);
  });

  it.each([
    ['vera:owner:viewer-token-0123456789abcdef', /entry 1 .*role must be one of viewer, agent, admin/],
    ['vera:viewer:short', /entry 1 .*at least 22 characters/],
    [':viewer:viewer-token-0123456789abcdef', /entry 1 .*name/],
    [`vera:viewer:${VIEWER.token},vera:agent:${AGENT.token}`, /every name must be unique/],
    [`vera:viewer:${VIEWER.token},anton:agent:${VIEWER.token}`, /every token must be unique/],
    ['vera:viewer:the-api-token-0123456789abc', /differ from OMNIHUB_API_TOKEN/],
  ])('refuses %j, naming the variable', (raw, problem) => {
    expect(() => parseConsoleUsers(raw, 'the-api-token-0123456789abc')).toThrow(problem);
  });
});
