/** `numeric` matching: EventBridge's comparable range and precision, and the `numeric` operator. */
import { describeValue, type LeafTest } from './values.js';

/**
 * Numeric matching is limited to ±5.0e9 with at most six digits after the
 * decimal point (EventBridge docs; Event Ruler `ComparableNumber`). Event
 * numbers outside that never match a `numeric` condition, and pattern
 * operands outside it are rejected.
 */
const NUMERIC_LIMIT = 5e9;
const NUMERIC_MAX_DECIMALS = 6;

const decimalPlaces = (n: number): number => {
  if (Number.isInteger(n)) return 0;
  const [mantissa = '', exponent = '0'] = String(n).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
};

/**
 * Within the range and precision EventBridge compares numerically. For such
 * numbers, comparing the doubles is exact: distinct six-decimal values up to
 * 5e9 are more than one ulp apart.
 */
const isComparable = (n: number): boolean =>
  Number.isFinite(n) && Math.abs(n) <= NUMERIC_LIMIT && decimalPlaces(n) <= NUMERIC_MAX_DECIMALS;

/** Why `n` cannot be a numeric operand, or undefined when it can. */
export const comparableError = (n: unknown): string | undefined => {
  if (typeof n !== 'number' || !Number.isFinite(n)) return `must be a number, got ${describeValue(n)}`;
  if (Math.abs(n) > NUMERIC_LIMIT) return `${n} is outside the supported range -5e9..5e9`;
  if (decimalPlaces(n) > NUMERIC_MAX_DECIMALS) return `${n} has more than ${NUMERIC_MAX_DECIMALS} decimal places`;
  return undefined;
};

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

/** `numeric`: `["=", n]`, `["<"|"<="|">"|">=", n]` or `[">"|">=", low, "<"|"<=", high]`. */
export const compileNumeric = (arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    errors.push(`${at}: must be an array like ["<", 10] or [">", 0, "<=", 5], got ${describeValue(arg)}`);
    return undefined;
  }
  const [op, value, op2, value2] = arg as unknown[];
  if (typeof op !== 'string' || !(op === '=' || LOWER_BOUNDS.has(op) || UPPER_BOUNDS.has(op))) {
    errors.push(`${at}[0]: unknown numeric operator ${describeValue(op)} (expected =, <, <=, > or >=)`);
    return undefined;
  }
  const problem = comparableError(value);
  if (problem) {
    errors.push(`${at}[1]: ${problem}`);
    return undefined;
  }
  const n = value as number;
  if (arg.length === 2) {
    const test = (x: number): boolean =>
      op === '=' ? x === n : op === '<' ? x < n : op === '<=' ? x <= n : op === '>' ? x > n : x >= n;
    return (v) => typeof v === 'number' && isComparable(v) && test(v);
  }
  if (!LOWER_BOUNDS.has(op)) {
    errors.push(`${at}: a range must start with > or >= and end with < or <=`);
    return undefined;
  }
  if (typeof op2 !== 'string' || !UPPER_BOUNDS.has(op2)) {
    errors.push(`${at}[2]: the upper bound operator must be < or <=, got ${describeValue(op2)}`);
    return undefined;
  }
  const problem2 = comparableError(value2);
  if (problem2) {
    errors.push(`${at}[3]: ${problem2}`);
    return undefined;
  }
  const high = value2 as number;
  if (n >= high) {
    errors.push(`${at}: the lower bound ${n} must be less than the upper bound ${high}`);
    return undefined;
  }
  const lowOpen = op === '>';
  const highOpen = op2 === '<';
  return (v) =>
    typeof v === 'number' && isComparable(v) && (lowOpen ? v > n : v >= n) && (highOpen ? v < high : v <= high);
};
