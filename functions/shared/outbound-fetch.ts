/**
 * The `fetch` every outbound request of the hub goes through (subscription
 * webhooks, vendor API calls of the hydrators): the URL is checked with
 * `checkOutboundUrl`, and the addresses its host resolves to are checked again
 * when the connection is made — a custom `lookup` in an undici `Agent` — so a
 * name that resolves to a private address, or starts to (DNS rebinding),
 * is refused before a byte is sent. Redirects are never followed (a 3xx could
 * lead anywhere) and every request has a timeout.
 */
import dns, { type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { Agent } from 'undici';
import { HubError } from './errors.js';
import { blockedAddress, checkOutboundUrl, type OutboundPolicy } from './outbound-url.js';

/** Per-request budget when the caller set none. */
const OUTBOUND_TIMEOUT_MS = 10_000;

/** The hub refused to send a request to this destination; retrying cannot help until it is reconfigured. */
export class OutboundUrlError extends HubError {
  constructor(message: string) {
    super(message, 502, 'outbound_url_refused');
  }
}

/** `dns.lookup` with `all: true`, injectable so tests can play DNS rebinding without a DNS server. */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true } satisfies LookupAllOptions);

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that refuses a host if any address it
 * resolves to is blocked (an attacker's DNS answering one public and one
 * private address must not get a second chance).
 */
const guardedLookup =
  (policy: OutboundPolicy, resolve: Resolver = systemResolver) =>
  (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const blocked = addresses
          .map((a) => ({ a, why: blockedAddress(a.address, policy) }))
          .find((x) => x.why !== undefined);
        if (blocked) {
          callback(new OutboundUrlError(`${hostname} resolves to ${blocked.a.address}, ${blocked.why}: refused`), '');
          return;
        }
        const [first] = addresses;
        if (!first) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (options.all) callback(null, [...addresses]);
        else callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, ''),
    );
  };

export interface OutboundFetchOptions {
  readonly policy: OutboundPolicy;
  /** @default the system resolver */
  readonly resolve?: Resolver;
  /** @default OUTBOUND_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

const urlOf = (input: string | URL | Request): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;

/**
 * A `fetch` that refuses destinations `policy` forbids, at the URL and at
 * connect time, never follows a redirect and times out. Errors are
 * `OutboundUrlError` for a refused destination, else fetch's own.
 */
export const outboundFetch = (options: OutboundFetchOptions): typeof fetch => {
  // undici (≈ 400 KiB) is loaded on the first outbound request, not at init: most invocations of ingest and the
  // hydrator never call out, and their cold start should not pay for it.
  let dispatcher: Promise<Agent> | undefined;
  const agent = (): Promise<Agent> => {
    dispatcher ??= import('undici').then(
      ({ Agent }) => new Agent({ connect: { lookup: guardedLookup(options.policy, options.resolve) } }),
    );
    return dispatcher;
  };
  const timeoutMs = options.timeoutMs ?? OUTBOUND_TIMEOUT_MS;
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = urlOf(input);
    const checked = checkOutboundUrl(url, options.policy);
    if (typeof checked === 'string') throw new OutboundUrlError(`Refusing to call ${safeUrl(url)}: it ${checked}`);
    try {
      return await fetch(input, {
        ...init,
        redirect: 'error',
        signal: init.signal ?? AbortSignal.timeout(timeoutMs),
        // undici's Agent as the dispatcher of the global fetch (same undici major as Node 20/22's own).
        ...({ dispatcher: await agent() } as object),
      });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof OutboundUrlError) throw cause;
      throw err;
    }
  };
  return guarded as typeof fetch;
};

/** A URL for messages: its origin only (paths and queries of vendor URLs may hold a credential, e.g. Bitrix24 webhook keys). */
const safeUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'a malformed URL';
  }
};
