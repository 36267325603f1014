import { describe, expect, it } from 'vitest';
import { geomean, mean, median, percentile, ratio, round, summarize } from '../../bench/lib/stats.js';

describe('Bench: stats', () => {
  it('interpolates percentiles between the closest ranks', () => {
    // Prepare
    const values = [4, 1, 3, 2];

    // Act & Assess
    expect(percentile(values, 50)).toBe(2.5);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(4);
    expect(percentile(values, 25)).toBeCloseTo(1.75, 10);
    expect(median([7])).toBe(7);
  });

  it('reads p99 of a uniform 1..100 sample close to 99', () => {
    // Prepare
    const values = Array.from({ length: 100 }, (_, i) => i + 1);

    // Act
    const s = summarize(values);

    // Assess
    expect(s.count).toBe(100);
    expect(s.p50).toBeCloseTo(50.5, 10);
    expect(s.p95).toBeCloseTo(95.05, 10);
    expect(s.p99).toBeCloseTo(99.01, 10);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.mean).toBe(50.5);
  });

  it('returns NaN for an empty sample and refuses a percentile outside 0–100', () => {
    // Act & Assess
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([]).p99).toBeNaN();
    expect(mean([])).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('averages ratios geometrically and guards ratios against a missing floor', () => {
    // Act & Assess
    expect(geomean([1, 4])).toBeCloseTo(2, 10);
    expect(geomean([2, 0])).toBeNaN();
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(10, 0)).toBeNaN();
  });

  it('rounds for output and turns non-finite numbers into null', () => {
    // Act & Assess
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(Number.NaN)).toBeNull();
    expect(round(Number.POSITIVE_INFINITY)).toBeNull();
  });
});
