/**
 * The sender contract: a connector that can write to its vendor has a
 * `send.ts` exporting a `Sender`. Each one builds the request exactly as
 * its vendor documents it and classifies every failure in one table beside
 * it, so the pipeline decides retries, fallbacks and "unreachable" marks
 * from the same four classes whatever the vendor.
 */
import type { MessageTag, OutboundChannel, Purpose, SendMode, TextLimit } from '../../domain/reachability/types.js';
import type { EmailTransport } from '../../ports.js';
import { parseRetryAfter } from '../../subscriptions/retry.js';
import type { ConnectorSecrets, SecretSpec } from '../types.js';

/** One message to one recipient, as the pipeline hands it to a sender. */
export interface OutboundMessage {
  /** The hub's id (`msg_…`): tracking data where the vendor echoes it back. */
  readonly messageId: string;
  /** The recipient's address on this channel (wa_id/phone, chat id, PSID, email…). */
  readonly to: string;
  readonly purpose: Purpose;
  readonly mode: SendMode;
  readonly text?: string;
  /** Email subject. */
  readonly subject?: string;
  readonly template?: { readonly name: string; readonly language: string; readonly parameters?: readonly string[] };
  readonly messageTag?: MessageTag;
}

/**
 * What a failure means for the pipeline:
 * - `recipient`: this recipient cannot be reached on this channel (blocked
 *   the bot, not on WhatsApp, unsubscribed, hard bounce) → mark the channel
 *   unreachable, fall back;
 * - `payload`: this message cannot go as it is (window closed, unknown
 *   template, too long) → fall back, nothing to mark;
 * - `channel`: nothing can go on this channel (bad token, suspended account,
 *   missing permission) → alert operators, fall back, nothing to mark on her;
 * - `transient`: try again later (429, 5xx, timeouts), honouring `retryAfterMs`.
 */
export type FailureClass = 'recipient' | 'payload' | 'channel' | 'transient';

export type SendOutcome =
  | { readonly kind: 'sent'; readonly vendorMessageId: string }
  | {
      readonly kind: 'failed';
      readonly failure: FailureClass;
      /** The vendor's code (`131047`, `403`, `6`, `MessageRejected`, …) or the HTTP status. */
      readonly code: string;
      readonly message: string;
      readonly httpStatus?: number;
      readonly retryAfterMs?: number;
      /** The vendor says only a template may go now (WhatsApp 131047): retry with the template if there is one. */
      readonly needsTemplate?: boolean;
    };

export type SendFailure = Extract<SendOutcome, { kind: 'failed' }>;

export interface SendContext {
  readonly secrets: ConnectorSecrets;
  readonly fetch: typeof fetch;
  readonly now: Date;
  /** Email through Amazon SES (the `ses` sender only). */
  readonly email?: EmailTransport;
  /** The hub's public base URL: where vendors that take a per-message callback URL send receipts (Twilio). */
  readonly publicBaseUrl?: string;
}

export interface Sender {
  readonly connector: string;
  readonly channel: OutboundChannel;
  /** The vendor's text limit (the API answers 400 above it). */
  readonly textLimit: TextLimit;
  /** Whether the vendor has approved templates (WhatsApp). */
  readonly templates: boolean;
  /** Credentials and identity the sender reads; merged into the connector's secret list. */
  readonly secrets: readonly SecretSpec[];
  /** What is missing to send, in words for an operator; undefined when configured. */
  missingConfiguration(secrets: ConnectorSecrets): string | undefined;
  send(message: OutboundMessage, ctx: SendContext): Promise<SendOutcome>;
}

/** One row of a vendor's error table. */
export interface ErrorRule {
  readonly failure: FailureClass;
  /** What it means, for the attempt log. */
  readonly meaning: string;
  readonly needsTemplate?: boolean;
}

/** Per-request budget: a slow vendor is a transient failure, retried later. */
const SEND_TIMEOUT_MS = 10_000;

export interface VendorResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/**
 * One request to a vendor: a timeout, no redirects (a redirect of an
 * authenticated POST is never expected), the body read whole. Network
 * failures and timeouts come back as a transient outcome, never thrown.
 */
export const callVendor = async (
  fetchFn: typeof fetch,
  url: string,
  init: { method?: string; headers: Record<string, string>; body: string | FormData | URLSearchParams },
  parseJson: (text: string) => unknown = JSON.parse,
): Promise<VendorResponse | SendFailure> => {
  let res: Response;
  let text: string;
  try {
    res = await fetchFn(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
      redirect: 'error',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
    return {
      kind: 'failed',
      failure: 'transient',
      code: timedOut ? 'timeout' : 'network_error',
      message: timedOut ? `No answer within ${SEND_TIMEOUT_MS} ms` : `Request failed: ${(err as Error).message}`,
    };
  }
  let json: unknown;
  try {
    json = text ? parseJson(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
};

export const isFailure = (r: VendorResponse | SendFailure): r is SendFailure => (r as SendFailure).kind === 'failed';

/**
 * The class of a failure the vendor's table does not list, by HTTP status:
 * 408/425/429/5xx transient, 401/403 channel (credentials), other 4xx payload.
 */
export const classifyHttpStatus = (status: number): FailureClass =>
  status === 408 || status === 425 || status === 429 || status >= 500
    ? 'transient'
    : status === 401 || status === 403
      ? 'channel'
      : 'payload';

/** `Retry-After` of a response, in ms (seconds or an HTTP date). */
const retryAfterOf = (res: VendorResponse, now: Date): number | undefined =>
  parseRetryAfter(res.headers.get('retry-after'), now);

/** Builds a failure from a table row, or from the HTTP status when the code is not in the table. */
export const failureFrom = (
  table: Readonly<Record<string, ErrorRule>>,
  code: string,
  vendorMessage: string,
  res: VendorResponse | undefined,
  now: Date,
): SendFailure => {
  const rule = table[code];
  const failure = rule?.failure ?? (res ? classifyHttpStatus(res.status) : 'transient');
  const retryAfterMs = res ? retryAfterOf(res, now) : undefined;
  return {
    kind: 'failed',
    failure,
    code,
    message: rule ? `${rule.meaning}: ${vendorMessage}` : vendorMessage,
    ...(res ? { httpStatus: res.status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(rule?.needsTemplate ? { needsTemplate: true } : {}),
  };
};

/** A failure before any request: the connector lacks a credential or identity. */
export const notConfigured = (what: string): SendFailure => ({
  kind: 'failed',
  failure: 'channel',
  code: 'not_configured',
  message: what,
});

/** A response 2xx but without the id the vendor documents: the send may or may not have happened. */
export const unexpectedBody = (vendor: string, res: VendorResponse): SendFailure => ({
  kind: 'failed',
  failure: 'transient',
  code: 'unexpected_response',
  message: `${vendor} answered HTTP ${res.status} without the documented message id`,
  httpStatus: res.status,
});

/** An API root from the secret (tests and proxies override it), without a trailing slash. */
export const baseUrlOf = (secrets: ConnectorSecrets, fallback: string): string =>
  (secrets.apiBaseUrl || fallback).replace(/\/+$/, '');

/** Rows of the error tables whose failure marks the recipient unreachable, for receipt normalizers. */
export const marksUnreachable = (table: Readonly<Record<string, ErrorRule>>, code: string | undefined): boolean =>
  code !== undefined && table[code]?.failure === 'recipient';
