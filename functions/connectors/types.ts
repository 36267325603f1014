/**
 * The connector contract. A connector is one folder holding everything about
 * one vendor; the ingest handler only ever talks to this interface.
 */
import type { z } from 'zod';
import type { Channel, HubEvent } from '../events/hub-event.js';
import type { CountryCode } from '../domain/identity.js';
import type { HttpResponse, RawRequest } from '../shared/http.js';
import type { CallerDirectory } from '../ports.js';
import type { Sender } from './shared/sender.js';

/** Secret values of one connector, by name (`secret`, `verifyToken`, …). */
export type ConnectorSecrets = Readonly<Record<string, string | undefined>>;

/** A secret a connector needs, for `GET /v1/connectors` and the README. */
export interface SecretSpec {
  /** Key in the connector's secret (Secrets Manager JSON / `ConnectorSecrets`). */
  readonly name: string;
  /** Local environment variable holding it. */
  readonly env: string;
  readonly description: string;
  /** Needed to accept webhooks at all (authenticity). */
  readonly required: boolean;
  /**
   * Fewest bytes of key material accepted (see `shared/secret-strength.ts`):
   * set for secrets the operator chooses and vendor secrets whose format
   * guarantees it; a shorter value leaves the connector unconfigured.
   */
  readonly minBytes?: number;
  /** Bytes of key material when the value is an encoding of it (a base64 key). @default the UTF-8 length */
  readonly keyBytes?: (value: string) => number;
  /** Who issues the value and how it is replaced (docs/security.md, and the stack's cdk-nag reason). */
  readonly rotation: SecretRotation;
}

/**
 * Who can replace a secret, which decides whether a Secrets Manager rotation
 * function could: `vendor` — issued by the vendor (its console or API), only
 * the vendor can replace it; `operator` — chosen by the operator and given to
 * the vendor (URL tokens, verify tokens, shared signing keys), replaceable at
 * will, in the vendor's console; `none` — configuration, not a credential.
 */
export interface SecretRotation {
  readonly by: 'vendor' | 'operator' | 'none';
  /** Where the new value comes from or goes, in the vendor's terms; for `none`, why nothing rotates. */
  readonly how: string;
}

/**
 * What the hub knows about a connector without loading its module: enough
 * for the route, its secret, the stack, the docs and `GET /v1/connectors`.
 * Each connector folder exports it from `meta.ts` (no zod, no vendor code),
 * so the registry can list every connector while ingest loads only the one a
 * webhook is for.
 */
export interface ConnectorMeta {
  /** URL segment, registry key, EventBridge source suffix (`omnihub.<name>`). */
  readonly name: string;
  readonly displayName: string;
  /** Channel of most of its events (an event may still carry another). */
  readonly channel: Channel;
  /** Vendor documentation of the webhook format, for operators. */
  readonly docsUrl: string;
  readonly secrets: readonly SecretSpec[];
  /** The connector has a `hydrate` step (thin webhooks): the hydrator may read its secret. */
  readonly hydrates: boolean;
}

export interface NormalizeContext {
  /** ISO time the hub received the request. */
  readonly receivedAt: string;
  /** Country for national phone numbers. */
  readonly defaultCountry: CountryCode;
}

/** What `Connector.answer` may read. */
export interface AnswerContext {
  readonly callers: CallerDirectory;
  readonly defaultCountry: CountryCode;
}

export interface NormalizeResult {
  readonly events: HubEvent[];
  /**
   * Thin webhooks (only an object id): details to fetch from the vendor's API
   * after the webhook is acknowledged. Each becomes a `hydration.requested`
   * bus entry, consumed by the hydrator with retries and a DLQ.
   */
  readonly hydrations?: HydrationRequest[];
  /**
   * Parts of the payload acknowledged but not turned into events, with why
   * ("unsupported update kind: poll"), so vendors don't retry forever and
   * operators can see what was skipped.
   */
  readonly ignored: string[];
}

/**
 * Outcome of the authenticity check. A connector never throws for a bad
 * signature; it says why, and the handler answers 401.
 */
export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly stale?: boolean };

export interface VerifyContext {
  /** "Now" for replay windows; injected so tests can pin it. */
  readonly now: Date;
}

/**
 * For vendors whose signature covers a one-time value but not the whole
 * request (Mailgun signs `timestamp + token`, not the body): the hub
 * remembers each value until the signature would expire and refuses a second
 * use, so a captured signature cannot carry other content.
 */
export interface ReplayProtection {
  /**
   * The one-time value of a verified request and when the vendor's
   * signature stops being accepted; undefined when the request has none.
   */
  key(req: RawRequest): { readonly key: string; readonly expiresAt: Date } | undefined;
  /**
   * Status answered to a second use: the one that makes the vendor stop
   * retrying (Mailgun: 406). A request that was acknowledged once needs no
   * retry, so stopping loses nothing. @default 409
   */
  readonly replayStatus?: number;
}

export interface Connector<Payload = unknown> {
  /** URL segment, registry key, EventBridge source suffix (`omnihub.<name>`). */
  readonly name: string;
  readonly displayName: string;
  /** Channel of most of its events (an event may still carry another). */
  readonly channel: Channel;
  /** Vendor documentation of the webhook format, for operators. */
  readonly docsUrl: string;
  readonly secrets: readonly SecretSpec[];
  /**
   * Authenticity check on the raw request, timing-safe. Must fail closed: a
   * missing secret or header is `{ ok: false }`. Synchronous for HMAC and
   * token schemes; a Promise where the check needs I/O (SNS fetches its
   * signing certificate).
   */
  verify(req: RawRequest, secrets: ConnectorSecrets, ctx: VerifyContext): VerifyResult | Promise<VerifyResult>;
  /** Refuse a second use of the request's signed one-time value (see `ReplayProtection`). */
  readonly replay?: ReplayProtection;
  /** Decodes the raw body and validates it with the vendor schema; throws `ValidationError`. */
  parse(req: RawRequest): Payload;
  /** Pure mapping to hub events; no I/O. */
  normalize(payload: Payload, ctx: NormalizeContext): NormalizeResult;
  /**
   * GET handshake (Meta `hub.challenge`, …). Returns the response to send, or
   * undefined when the connector has no GET handshake (→ 405).
   */
  handshake?(req: RawRequest, secrets: ConnectorSecrets): HttpResponse | undefined;
  /**
   * The exact acknowledgement the vendor expects, when it is not the default
   * `200 {"status":"accepted"}` (e.g. Binotel wants `{"status":"success"}`).
   */
  acknowledge?(result: NormalizeResult, payload: Payload): HttpResponse;
  /**
   * A synchronous answer the vendor waits for, computed from the customer
   * view (Binotel `apiCallSettings`: the caller's name and console link while
   * the phone rings). Runs after the events are published, within
   * `ANSWER_BUDGET_MS`; undefined, a failure or a timeout falls back to
   * `acknowledge`, so the call path is never blocked.
   */
  answer?(payload: Payload, ctx: AnswerContext): Promise<HttpResponse | undefined>;
  /**
   * Makes a request look exactly as the vendor would send it with these
   * secrets: the signature headers and, for URL-token vendors, the URL to
   * call. Used by `omnihub send`, the tests and the benchmarks; never on the
   * request path.
   */
  signSample(sample: SampleRequest, secrets: ConnectorSecrets): SignedSample;
  /**
   * Fetches what a thin webhook left out and returns the complete events.
   * Runs in the hydrator (after the acknowledgement), retried on failure;
   * must be idempotent (deterministic event ids from `providerEventId`).
   */
  hydrate?(request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]>;
  /** Writes to the customer through the vendor (`send.ts` in the folder), when the vendor can be written to. */
  readonly sender?: Sender;
}

export interface SampleRequest {
  /** Full URL the sample will be posted to (e.g. `http://localhost:3000/webhooks/whatsapp`). */
  readonly url: string;
  readonly method: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly now: Date;
}

export interface SignedSample {
  readonly url: string;
  /** Authentication headers only; the caller sets Content-Type. */
  readonly headers: Record<string, string>;
  /** Body to send, when signing changes it (e.g. Mailgun/Poster sign fields in the body). */
  readonly body?: Buffer;
}

/**
 * A vendor object to fetch before the event can be published (HubSpot
 * contact id, Bitrix24 lead id, Poster transaction id, …).
 */
export interface HydrationRequest {
  readonly connector: string;
  /** What to fetch, in the connector's terms (`contact`, `lead`, `transaction`). */
  readonly kind: string;
  /** Vendor ids and anything else the fetch needs. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Dedup input for the resulting event(s): the webhook's own identity. */
  readonly providerEventId: string;
  readonly occurredAt?: string;
  readonly receivedAt: string;
}

export interface HydrateContext {
  readonly secrets: ConnectorSecrets;
  readonly defaultCountry: CountryCode;
  /** Injected so tests can point it at a fake vendor API on localhost. */
  readonly fetch: typeof fetch;
}

/**
 * Type helper for connector modules: checks the object against the contract
 * while keeping its own types (a sync `verify` stays sync for its tests).
 */
export const defineConnector = <P, V extends VerifyResult | Promise<VerifyResult>>(
  connector: Connector<P> & { verify(req: RawRequest, secrets: ConnectorSecrets, ctx: VerifyContext): V },
): Omit<Connector<P>, 'verify'> & { verify(req: RawRequest, secrets: ConnectorSecrets, ctx: VerifyContext): V } =>
  connector;

export type { z };
