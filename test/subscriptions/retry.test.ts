import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decide, parseRetryAfter } from '../../functions/subscriptions/retry.js';

const policy = { maxAttempts: 5, windowSeconds: 60, baseDelayMs: 1_000, maxDelayMs: 10_000 };
const T0 = Date.parse('2025-01-01T00:00:00Z');

describe('Subscriptions: retry policy', () => {
  it('backs off exponentially with full jitter, capped', () => {
    // Assess: random() = 1 gives the ceiling, 0 gives no wait.
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0.999_999))).toEqual([
      999, 1_999, 3_999, 7_999, 9_999, 9_999,
    ]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    // Prepare
    const now = new Date('2025-01-01T00:00:00Z');

    // Act & Assess
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("decides: delivered, retry with backoff, retry after the receiver's delay, dead-letter", () => {
    // Prepare
    const base = { firstAttemptAt: T0, now: T0 + 1_000, policy, random: () => 0.5 };

    // Act & Assess
    expect(decide({ ...base, attempt: 1, outcome: { ok: true, status: 204 } })).toEqual({ kind: 'delivered' });
    expect(decide({ ...base, attempt: 2, outcome: { ok: false, status: 500 } })).toEqual({
      kind: 'retry',
      delayMs: 1_000,
    });
    expect(decide({ ...base, attempt: 1, outcome: { ok: false, status: 429, retryAfterMs: 2_000 } })).toEqual({
      kind: 'retry',
      delayMs: 2_000,
    });
    expect(decide({ ...base, attempt: 5, outcome: { ok: false, status: 500 } })).toEqual({
      kind: 'dead-letter',
      reason: 'gave up after 5 attempt(s)',
    });
  });

  it('schedules the last retry at the end of the window and dead-letters after it', () => {
    // Prepare: 59.5 s into a 60 s window.
    const late = { attempt: 3, firstAttemptAt: T0, now: T0 + 59_500, policy, random: () => 0.99 };

    // Act & Assess
    expect(decide({ ...late, outcome: { ok: false } })).toEqual({ kind: 'retry', delayMs: 500 });
    expect(decide({ ...late, now: T0 + 60_000, outcome: { ok: false } })).toEqual({
      kind: 'dead-letter',
      reason: 'retry window of 60s exhausted after 3 attempt(s)',
    });
    expect(decide({ ...late, outcome: { ok: false, status: 503, retryAfterMs: 5_000 } })).toEqual({
      kind: 'dead-letter',
      reason: 'Retry-After of 5s reaches beyond the retry window',
    });
  });
});
