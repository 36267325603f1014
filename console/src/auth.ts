/**
 * Signing in. Two ways, chosen by the `config.json` served beside the page:
 *
 * - `session` (`npm start`): the person types a token once; the hub answers
 *   with an HttpOnly, SameSite=Strict cookie the page cannot read, plus a CSRF
 *   token sent back in `x-csrf-token` on every change. The token itself is
 *   never stored.
 * - `cognito` (AWS): the authorization-code flow with PKCE against the
 *   Cognito user pool's managed login (MFA enforced there); tokens live in
 *   this page's memory only, so a reload signs in again through Cognito's own
 *   session. Only the one-time PKCE verifier survives the redirect, in
 *   sessionStorage, and is deleted when the code is redeemed.
 *
 * The role shown here only decides what the page offers; the hub enforces it
 * on every request (403), whatever the page does.
 */
import type { Access, Role } from './types.js';

export interface User {
  readonly name: string;
  readonly role: Role;
  readonly access: readonly Access[];
}

export interface AuthClient {
  readonly kind: 'session' | 'cognito';
  /** Where the API is: the page's own origin locally, the console API on AWS. */
  readonly apiBaseUrl: string;
  readonly credentials: RequestCredentials;
  /** Extra headers for a request with `method`. */
  headers(method: string): Promise<Record<string, string>>;
  /** The signed-in person, or undefined (then `login` is needed). */
  current(): Promise<User | undefined>;
  logout(): Promise<void>;
}

export type ConsoleConfig =
  | { readonly auth: 'session' }
  | {
      readonly auth: 'cognito';
      readonly apiBaseUrl: string;
      readonly cognito: { readonly domain: string; readonly clientId: string };
    };

const ACCESS: Record<Role, Access[]> = { viewer: ['read'], agent: ['read', 'send'], admin: ['read', 'send', 'admin'] };
const isRole = (value: unknown): value is Role => value === 'viewer' || value === 'agent' || value === 'admin';

/** Why the last attempt to be signed in failed (shown on the login page). */
export type SignedOutReason = 'expired' | 'failed' | 'loggedOut' | 'noRole' | undefined;

// ---------------------------------------------------------------- local session

export class SessionAuth implements AuthClient {
  readonly kind = 'session' as const;
  readonly apiBaseUrl = '';
  readonly credentials: RequestCredentials = 'same-origin';
  private csrf: string | undefined;
  /** Set when the last session check found an expired session. */
  expired = false;

  async headers(method: string): Promise<Record<string, string>> {
    return method === 'GET' || !this.csrf ? {} : { 'x-csrf-token': this.csrf };
  }

  private adopt(body: { user: string; role: unknown; access: Access[]; csrfToken: string }): User | undefined {
    if (!isRole(body.role)) return undefined;
    this.csrf = body.csrfToken;
    return { name: body.user, role: body.role, access: body.access };
  }

  async current(): Promise<User | undefined> {
    const res = await fetch('/console/session', { credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 401) {
      this.expired =
        ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code === 'session_expired';
      return undefined;
    }
    if (!res.ok) throw new Error(`session check failed: ${res.status}`);
    return this.adopt(await res.json());
  }

  /** Exchanges a token for a session cookie; undefined when the hub refuses it. */
  async login(token: string): Promise<User | undefined> {
    const res = await fetch('/console/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (res.status === 401) return undefined;
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      throw new Error(body.error?.message ?? `login failed: ${res.status}`);
    }
    return this.adopt(await res.json());
  }

  async logout(): Promise<void> {
    await fetch('/console/logout', { method: 'POST', credentials: 'same-origin', headers: await this.headers('POST') });
    this.csrf = undefined;
  }
}

// ---------------------------------------------------------------- Cognito (AWS)

const PKCE_KEY = 'omnihub.pkce';

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = (bytes = 32): string => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The claims of a JWT, unverified: for display only; the API Gateway authorizer verifies it. */
const claimsOf = (jwt: string): Record<string, unknown> => {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
};

interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
}

export class CognitoAuth implements AuthClient {
  readonly kind = 'cognito' as const;
  readonly credentials: RequestCredentials = 'omit';
  readonly apiBaseUrl: string;
  private tokens: Tokens | undefined;
  /** Set when Cognito signed the person in but she is in no console group (nothing would be allowed). */
  noRole = false;

  constructor(private readonly config: Extract<ConsoleConfig, { auth: 'cognito' }>) {
    this.apiBaseUrl = config.apiBaseUrl.replace(/\/+$/, '');
  }

  private get redirectUri(): string {
    return `${location.origin}/`;
  }

  /** Sends the browser to Cognito's sign-in page (MFA happens there). */
  async login(): Promise<void> {
    const verifier = randomString(48);
    const state = randomString(16);
    const challenge = base64url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
    );
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo: location.hash }));
    const url = new URL('/oauth2/authorize', this.config.cognito.domain);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.cognito.clientId,
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    location.assign(url.toString());
  }

  private async token(params: Record<string, string>): Promise<void> {
    const res = await fetch(new URL('/oauth2/token', this.config.cognito.domain), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: this.config.cognito.clientId, ...params }),
    });
    if (!res.ok) throw new Error(`Cognito token endpoint: ${res.status}`);
    const body = (await res.json()) as {
      access_token: string;
      id_token: string;
      refresh_token?: string;
      expires_in: number;
    };
    this.tokens = {
      accessToken: body.access_token,
      idToken: body.id_token,
      refreshToken: body.refresh_token ?? this.tokens?.refreshToken,
      expiresAt: Date.now() + body.expires_in * 1000,
    };
  }

  /** Redeems `?code=` after Cognito's redirect, once, and puts the address back as it was. */
  private async redeemCode(): Promise<void> {
    const query = new URLSearchParams(location.search);
    const code = query.get('code');
    if (!code) return;
    const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
      verifier: string;
      state: string;
      returnTo: string;
    } | null;
    sessionStorage.removeItem(PKCE_KEY);
    history.replaceState(null, '', `/${saved?.returnTo ?? ''}`);
    if (!saved || saved.state !== query.get('state')) return;
    await this.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.redirectUri,
      code_verifier: saved.verifier,
    });
  }

  async headers(): Promise<Record<string, string>> {
    if (this.tokens && this.tokens.expiresAt - Date.now() < 60_000 && this.tokens.refreshToken)
      await this.token({ grant_type: 'refresh_token', refresh_token: this.tokens.refreshToken });
    return this.tokens ? { authorization: `Bearer ${this.tokens.accessToken}` } : {};
  }

  async current(): Promise<User | undefined> {
    if (!this.tokens) await this.redeemCode();
    if (!this.tokens) return undefined;
    const access = claimsOf(this.tokens.accessToken);
    const id = claimsOf(this.tokens.idToken);
    const groups = Array.isArray(access['cognito:groups']) ? (access['cognito:groups'] as string[]) : [];
    const role = (['admin', 'agent', 'viewer'] as const).find((r) => groups.includes(r));
    this.noRole = !role;
    if (!role) return undefined;
    const name = String(id.email ?? id['cognito:username'] ?? access.username ?? '');
    return { name, role, access: ACCESS[role] };
  }

  async logout(): Promise<void> {
    this.tokens = undefined;
    const url = new URL('/logout', this.config.cognito.domain);
    url.search = new URLSearchParams({
      client_id: this.config.cognito.clientId,
      logout_uri: this.redirectUri,
    }).toString();
    location.assign(url.toString());
  }
}

/** Reads `config.json` and picks the sign-in of this deployment. */
export const loadAuth = async (): Promise<SessionAuth | CognitoAuth> => {
  const res = await fetch('/config.json', { cache: 'no-store' });
  const config = (res.ok ? await res.json() : { auth: 'session' }) as ConsoleConfig;
  return config.auth === 'cognito' ? new CognitoAuth(config) : new SessionAuth();
};
