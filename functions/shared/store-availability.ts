/**
 * Telling "the store is unavailable" apart from "this message is bad".
 *
 * A consumer whose store call failed because the store could not be reached,
 * timed out, throttled or answered 5xx has learnt nothing about the message:
 * retrying it later will work once the store is back. Counting such failures
 * toward the dead-letter queue turns a store outage of a few minutes into
 * dead-lettered, acknowledged webhooks. So consumers throw
 * `StoreUnavailableError` for the whole batch instead, and the local queues
 * give the batch back without counting the receive and pause (see
 * `LocalQueue`). On AWS the same error fails the invocation, SQS retries the
 * batch after its visibility timeout, and what outlives `maxReceiveCount`
 * receives waits in the DLQ (14 days) for a redrive (docs/operations.md).
 */
import { HubError } from './errors.js';

/** Error names of the AWS SDK (and Node) that say the call did not reach a healthy store. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Socket errors: nothing listens, the connection died, the network is unreachable. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/**
 * True when `err` (or an error it wraps: `cause`, `AggregateError.errors`)
 * says the store was unreachable or overloaded rather than that the request
 * was wrong. Conditional-check failures, validation errors and "gave up after
 * N conflicts" are not transient: they are about the message.
 */
export const isTransientStoreError = (err: unknown, depth = 0): boolean => {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as ErrorLike;
  if (e instanceof StoreUnavailableError) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  if (e.$retryable && typeof e.$retryable === 'object' && 'throttling' in e.$retryable) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isTransientStoreError(x, depth + 1))) return true;
  return isTransientStoreError(e.cause, depth + 1);
};

/**
 * The store could not be used (unreachable, timing out, throttling): the
 * batch is retried later and the receive must not count toward the DLQ.
 * A 503 where it reaches an HTTP caller.
 */
export class StoreUnavailableError extends HubError {
  constructor(options?: { cause?: unknown }) {
    super('The customer store is unavailable; the request will be retried', 503, 'store_unavailable', options);
  }
}
