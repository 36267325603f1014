/**
 * Small, dependency-free statistics for the benchmarks. Pure functions, unit
 * tested in `test/bench/stats.test.ts`.
 */

/**
 * The p-th percentile (0–100) of `values`, by linear interpolation between
 * the closest ranks (the "R-7" method spreadsheets and numpy use), so p50 of
 * an even-sized sample is the mean of the two middle values. NaN for an empty
 * sample.
 */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0–100`);
  const sorted = isSorted(values) ? values : [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
};

const isSorted = (values: readonly number[]): boolean => {
  for (let i = 1; i < values.length; i++) if ((values[i] as number) < (values[i - 1] as number)) return false;
  return true;
};

export const median = (values: readonly number[]): number => percentile(values, 50);

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;

/** Geometric mean of positive values (the right average for ratios). NaN when empty or any value ≤ 0. */
export const geomean = (values: readonly number[]): number => {
  if (values.length === 0 || values.some((v) => !(v > 0))) return Number.NaN;
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
};

export interface Summary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Count, min, p50, p95, p99, max and mean of a sample (NaN fields when empty). */
export const summarize = (values: readonly number[]): Summary => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted.length ? (sorted[0] as number) : Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    mean: mean(sorted),
  };
};

/** `value / floor`, NaN when the floor is not a positive number. */
export const ratio = (value: number, floor: number): number =>
  floor > 0 && Number.isFinite(value) ? value / floor : Number.NaN;

/** Rounds for display and JSON: `digits` significant decimals, NaN/Infinity become null. */
export const round = (value: number, digits = 2): number | null => {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
