/**
 * When to retry a failed webhook delivery, and when to give up. Pure: the
 * dispatcher passes the clock and the random source, so the decision is the
 * same on AWS (SQS visibility timeout) and locally (the local delivery queue).
 *
 * - Exponential backoff with full jitter: the n-th retry waits
 *   `random(0, min(maxDelay, base·2ⁿ⁻¹))` (AWS Architecture Blog, "Exponential
 *   Backoff And Jitter"), so a recovering receiver is not hit by every
 *   pending event at the same instant.
 * - `429`/`503` with `Retry-After` (seconds or an HTTP date) are honoured
 *   exactly: the next attempt is never earlier than asked.
 * - The window counts from the first attempt. The last retry is scheduled at
 *   the end of the window at the latest; a failure after that, a
 *   `Retry-After` beyond it, or `maxAttempts` attempts dead-letter the event.
 */
import type { RetryPolicy } from './schema.js';

/** What one attempt produced. */
export interface AttemptOutcome {
  readonly ok: boolean;
  /** HTTP status, when the receiver answered. */
  readonly status?: number;
  /** Parsed `Retry-After` of a 429/503, in ms. */
  readonly retryAfterMs?: number;
}

export type Decision =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'dead-letter'; readonly reason: string };

/** Statuses whose `Retry-After` is honoured (RFC 9110 §10.2.3, RFC 6585 §4). */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/** Full-jitter backoff before retry number `attempt` (1 = the first retry). */
export const backoffDelayMs = (
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number => Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1)));

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (`120`) or an
 * HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`); a date in the past is 0.
 * Undefined when absent or unparseable (the normal backoff applies).
 */
export const parseRetryAfter = (value: string | null | undefined, now: Date): number | undefined => {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
};

/** True for the statuses whose `Retry-After` the dispatcher reads. */
export const readsRetryAfter = (status: number): boolean => RETRY_AFTER_STATUSES.has(status);

export interface DecideInput {
  readonly outcome: AttemptOutcome;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Epoch ms of the first attempt of this event (SQS `ApproximateFirstReceiveTimestamp`). */
  readonly firstAttemptAt: number;
  readonly now: number;
  readonly policy: RetryPolicy;
  readonly random?: () => number;
}

/** The next step after an attempt. */
export const decide = ({ outcome, attempt, firstAttemptAt, now, policy, random }: DecideInput): Decision => {
  if (outcome.ok) return { kind: 'delivered' };
  if (attempt >= policy.maxAttempts) return { kind: 'dead-letter', reason: `gave up after ${attempt} attempt(s)` };
  const remaining = firstAttemptAt + policy.windowSeconds * 1000 - now;
  if (remaining <= 0)
    return {
      kind: 'dead-letter',
      reason: `retry window of ${policy.windowSeconds}s exhausted after ${attempt} attempt(s)`,
    };
  if (outcome.retryAfterMs !== undefined) {
    if (outcome.retryAfterMs > remaining) {
      return {
        kind: 'dead-letter',
        reason: `Retry-After of ${Math.ceil(outcome.retryAfterMs / 1000)}s reaches beyond the retry window`,
      };
    }
    return { kind: 'retry', delayMs: outcome.retryAfterMs };
  }
  return { kind: 'retry', delayMs: Math.min(backoffDelayMs(attempt, policy, random), remaining) };
};
