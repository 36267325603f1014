/**
 * The console's only data path: the hub's HTTP API, with the sign-in's
 * credentials. Errors arrive as the API's `{ error: { code, message } }`.
 */
import type { AuthClient } from './auth.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

/** `onSignedOut` runs on a 401 (expired session or token): the page goes back to the login. */
export const createApi = (auth: AuthClient, onSignedOut: (code: string) => void): Api => {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${auth.apiBaseUrl}${path}`, {
        method,
        credentials: auth.credentials,
        cache: 'no-store',
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(await auth.headers(method)),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiError(0, 'network', (err as Error).message);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const code = error?.code ?? `http_${res.status}`;
      if (res.status === 401) onSignedOut(code);
      throw new ApiError(res.status, code, error?.message ?? res.statusText, json);
    }
    return json as T;
  };
  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    delete: (path) => request('DELETE', path),
  };
};
