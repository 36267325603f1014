/**
 * One delivery attempt of one event to one dispatched subscription: build the
 * request (transform, Standard Webhooks signature or API-destination
 * credentials, replay marker), send it with a per-attempt timeout, and say
 * what happened. No queue logic here: the dispatcher decides what comes next
 * with `retry.ts`.
 */
import type { EventBridgeEnvelope } from '../events/envelope.js';
import type { ApiDestinationTarget, Subscription } from './schema.js';
import { readsRetryAfter, parseRetryAfter, type AttemptOutcome } from './retry.js';
import { signatureHeaders, weakWebhookSecret } from './signing.js';
import { applyTransform } from './transform.js';

/** Sent as `user-agent` so receivers can tell hub traffic apart. */
const USER_AGENT = 'Omnihub-Webhooks/1';
/** Header marking a delivery of a replayed event; the body keeps EventBridge's `replay-name` too. */
const REPLAY_HEADER = 'omnihub-replay';

export interface OutgoingRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Everything a receiver needs to know about the event, from the envelope. */
export interface EnvelopeInfo {
  /** `webhook-id`: the hub event id, stable across retries, redrives and replays. */
  readonly eventId: string;
  readonly replayName?: string;
}

export const envelopeInfo = (envelope: Partial<EventBridgeEnvelope>): EnvelopeInfo => {
  const detail = envelope.detail as { id?: unknown } | undefined;
  const eventId = typeof detail?.id === 'string' ? detail.id : String(envelope.id ?? 'unknown');
  return { eventId, ...(envelope['replay-name'] ? { replayName: envelope['replay-name'] } : {}) };
};

const authHeaders = (target: ApiDestinationTarget, secret: string | undefined): Record<string, string> => {
  if (!secret) return {};
  switch (target.auth.type) {
    case 'apiKey':
      return { [target.auth.header.toLowerCase()]: secret };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${target.auth.username}:${secret}`).toString('base64')}` };
    case 'oauth':
      // The client-credentials exchange is EventBridge's job on AWS; locally it is not performed (docs/subscriptions.md).
      return {};
  }
};

export interface BuildRequestInput {
  readonly subscription: Subscription;
  /** The record body: the envelope exactly as the rule delivered it. */
  readonly rawEnvelope: string;
  readonly envelope: Partial<EventBridgeEnvelope>;
  readonly secret: string | undefined;
  readonly attempt: number;
  readonly now: Date;
}

/**
 * The request for one attempt. Without a transform the body is the envelope
 * byte for byte (as an SQS or Lambda target would receive it); the signature
 * covers exactly the bytes sent.
 */
export const buildRequest = ({
  subscription,
  rawEnvelope,
  envelope,
  secret,
  attempt,
  now,
}: BuildRequestInput): OutgoingRequest => {
  const { target } = subscription;
  if (target.type !== 'webhook' && target.type !== 'apiDestination') {
    throw new Error(`Subscription ${subscription.name}: a ${target.type} target is not delivered by the dispatcher`);
  }
  const info = envelopeInfo(envelope);
  const body = subscription.transform ? JSON.stringify(applyTransform(subscription.transform, envelope)) : rawEnvelope;
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(target.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'omnihub-subscription': subscription.name,
    'omnihub-attempt': String(attempt),
    ...(info.replayName ? { [REPLAY_HEADER]: info.replayName } : {}),
  };
  if (target.type === 'webhook') {
    // Fail closed: never send an unsigned webhook, nor one signed with a guessable key.
    if (!secret) throw new Error(`Subscription ${subscription.name} has no signing secret`);
    const weak = weakWebhookSecret(secret);
    if (weak) throw new Error(`Subscription ${subscription.name}: ${weak}`);
    Object.assign(headers, signatureHeaders({ secret, id: info.eventId, timestamp: now, payload: body }));
    return { url: target.url, method: 'POST', headers, body };
  }
  return { url: target.url, method: target.httpMethod, headers: { ...headers, ...authHeaders(target, secret) }, body };
};

export interface SendResult extends AttemptOutcome {
  readonly latencyMs: number;
  readonly error?: string;
}

/** First bytes of a refusal, for the delivery log (the receiver's own text, never the event). */
const ERROR_SNIPPET_BYTES = 200;

const describeFetchError = (err: unknown, timeoutMs: number): string => {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return `timed out after ${timeoutMs / 1000}s`;
  const cause = error.cause?.code ?? error.cause?.message;
  return cause ? `${error.message}: ${cause}` : error.message;
};

/**
 * Sends one attempt. Any 2xx is a success; redirects are not followed (a
 * 3xx is a failure, as in Standard Webhooks); a timeout or network error is a
 * failure without a status.
 */
export const sendRequest = async (
  request: OutgoingRequest,
  opts: { fetch: typeof fetch; timeoutMs: number; now: () => Date },
): Promise<SendResult> => {
  const started = performance.now();
  try {
    const res = await opts.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    // A success body is never read: cancel it so the connection is freed at once.
    if (res.ok) await res.body?.cancel();
    const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, ERROR_SNIPPET_BYTES);
    const latencyMs = Math.round(performance.now() - started);
    if (res.ok) return { ok: true, status: res.status, latencyMs };
    const retryAfterMs = readsRetryAfter(res.status)
      ? parseRetryAfter(res.headers.get('retry-after'), opts.now())
      : undefined;
    return {
      ok: false,
      status: res.status,
      latencyMs,
      error: `HTTP ${res.status}${text ? `: ${text}` : ''}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (err) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: describeFetchError(err, opts.timeoutMs),
    };
  }
};
