/**
 * Interleaved micro-benchmarking on `process.hrtime.bigint()`: every
 * operation is warmed up, calibrated to a fixed round length, and then timed
 * in rounds that alternate between the operations (in a rotating order), so a
 * burst of noise from a neighbour on a shared machine lands on the floor and
 * the subject alike. The figure per operation is the median of its rounds;
 * ratios are taken per round (paired) and their median reported.
 */
import { median } from './stats.js';

export interface MicroOp {
  readonly name: string;
  /** The work of one iteration; awaited when `async` is true. */
  readonly fn: () => unknown;
  readonly async?: boolean;
}

export interface MicroOptions {
  /** Timed rounds per operation. @default 7 */
  readonly rounds?: number;
  /** Target duration of one round. @default 15 */
  readonly roundMs?: number;
  /** Warm-up (and calibration) time per operation. @default 40 */
  readonly warmupMs?: number;
}

export interface MicroResult {
  /** Median over rounds, nanoseconds per iteration. */
  readonly medianNs: Readonly<Record<string, number>>;
  /** Nanoseconds per iteration of every round, in round order. */
  readonly roundsNs: Readonly<Record<string, readonly number[]>>;
  readonly iterations: Readonly<Record<string, number>>;
}

/** Keeps results observable so the engine cannot drop the work as dead code. */
let sink = 0;
const consume = (value: unknown): void => {
  sink = (sink + (value === undefined ? 1 : 2)) | 0;
};

const now = (): bigint => process.hrtime.bigint();

const timeSync = (fn: () => unknown, n: number): number => {
  const start = now();
  for (let i = 0; i < n; i++) consume(fn());
  return Number(now() - start);
};

const timeAsync = async (fn: () => unknown, n: number): Promise<number> => {
  const start = now();
  for (let i = 0; i < n; i++) consume(await fn());
  return Number(now() - start);
};

const time = (op: MicroOp, n: number): Promise<number> | number =>
  op.async ? timeAsync(op.fn, n) : timeSync(op.fn, n);

/** Runs `op` for about `ms`; returns the estimated nanoseconds per iteration. */
const warm = async (op: MicroOp, ms: number): Promise<number> => {
  const budget = ms * 1e6;
  let n = 1;
  let spent = 0;
  let done = 0;
  while (spent < budget) {
    spent += await time(op, n);
    done += n;
    n = Math.min(n * 2, 1 << 16);
  }
  return spent / done;
};

export const measureInterleaved = async (ops: readonly MicroOp[], options: MicroOptions = {}): Promise<MicroResult> => {
  const rounds = options.rounds ?? 7;
  const roundNs = (options.roundMs ?? 15) * 1e6;
  const iterations: Record<string, number> = {};
  for (const op of ops) {
    const estimate = await warm(op, options.warmupMs ?? 40);
    iterations[op.name] = Math.max(1, Math.round(roundNs / Math.max(estimate, 1)));
  }
  const samples: Record<string, number[]> = Object.fromEntries(ops.map((op) => [op.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < ops.length; k++) {
      const op = ops[(r + k) % ops.length] as MicroOp;
      const n = iterations[op.name] as number;
      (samples[op.name] as number[]).push((await time(op, n)) / n);
    }
  }
  return {
    medianNs: Object.fromEntries(ops.map((op) => [op.name, median(samples[op.name] as number[])])),
    roundsNs: samples,
    iterations,
  };
};

/** Median of the per-round ratios `subject / floor` (paired by round). */
export const pairedRatio = (result: MicroResult, subject: string, floor: string): number => {
  const a = result.roundsNs[subject] ?? [];
  const b = result.roundsNs[floor] ?? [];
  return median(a.map((v, i) => v / (b[i] as number)).filter((v) => Number.isFinite(v)));
};
