/**
 * Calls to vendor APIs, for hydrators that complete thin webhooks. Every
 * request gets `vendorRequest`'s settings — no redirect is ever followed (a
 * 3xx could lead the token to another host) and a timeout — whatever `fetch`
 * the runtime injects (on AWS the outbound guard, `shared/outbound-fetch.ts`,
 * also refuses private destinations). `getWithBearer` is the authenticated
 * JSON read of HubSpot and Kommo: `GET` with `Authorization: Bearer <token>`,
 * the body validated against a schema.
 *
 * A "gone" status (404 unless the vendor has more) means the entity was
 * deleted since the webhook: `undefined`, nothing to retry. Every other
 * failure — network, timeout, 401/403, 429, 5xx, a body that is not JSON or
 * not the expected shape — throws, so the hydrator queue retries and finally
 * dead-letters the request. Error messages name the vendor, the path without
 * its query and the status, never the token.
 */
import type { z } from 'zod';
import { describeIssues } from './body.js';

/** Per-request budget; the hydrator retries a timeout like any failure. */
const VENDOR_API_TIMEOUT_MS = 10_000;

/**
 * The settings every vendor request carries: `redirect: 'error'` (a
 * redirect fails the fetch, and the hydrator retries or dead-letters it)
 * and a timeout unless the caller brought its own signal.
 */
export const vendorRequest = (init: RequestInit = {}): RequestInit => ({
  ...init,
  redirect: 'error',
  signal: init.signal ?? AbortSignal.timeout(VENDOR_API_TIMEOUT_MS),
});

export interface BearerGet<T> {
  /** Vendor name for error messages (`HubSpot`). */
  readonly vendor: string;
  /** API root without a trailing slash. */
  readonly baseUrl: string;
  /** Path and query appended to `baseUrl`; only the path appears in errors. */
  readonly path: string;
  readonly token: string;
  readonly schema: z.ZodType<T>;
  /**
   * Statuses that mean the entity no longer exists.
   * @default [404]
   */
  readonly goneStatuses?: readonly number[];
}

/** One `GET`; the parsed body, or undefined for a gone status. Throws on anything else. */
export const getWithBearer = async <T>(fetchFn: typeof fetch, req: BearerGet<T>): Promise<T | undefined> => {
  const what = `${req.vendor} GET ${req.path.split('?')[0]}`;
  const res = await fetchFn(
    `${req.baseUrl}${req.path}`,
    vendorRequest({ headers: { authorization: `Bearer ${req.token}`, accept: 'application/json' } }),
  );
  if ((req.goneStatuses ?? [404]).includes(res.status)) return undefined;
  if (!res.ok) throw new Error(`${what} failed with HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new Error(`${what} returned a body that is not JSON`, { cause: err });
  }
  const parsed = req.schema.safeParse(body);
  if (!parsed.success) throw new Error(`${what} returned an unexpected body: ${describeIssues(parsed.error)}`);
  return parsed.data;
};
