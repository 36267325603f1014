/** `anything-but`: a value, a list, or a negated prefix/suffix/equals-ignore-case/wildcard. */
import { comparableError } from './numbers.js';
import { compileNegatable, NEGATABLE, type Negatable } from './strings.js';
import { anyOf, describeValue, isObject, type LeafTest } from './values.js';

export const compileAnythingBut = (arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
  if (typeof arg === 'string') return (v) => v !== arg;
  if (typeof arg === 'number') {
    const problem = comparableError(arg);
    if (problem) {
      errors.push(`${at}: ${problem}`);
      return undefined;
    }
    return (v) => v !== arg;
  }
  if (Array.isArray(arg)) {
    const allStrings = arg.every((x) => typeof x === 'string');
    const allNumbers = arg.every((x) => typeof x === 'number');
    if (arg.length === 0 || !(allStrings || allNumbers)) {
      errors.push(`${at}: must be a non-empty list of only strings or only numbers`);
      return undefined;
    }
    const problems = allNumbers ? arg.map(comparableError).filter((p) => p !== undefined) : [];
    if (problems.length > 0) {
      errors.push(...problems.map((p) => `${at}: ${p}`));
      return undefined;
    }
    const excluded = new Set<unknown>(arg);
    return (v) => !excluded.has(v);
  }
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    const kind = keys[0] as Negatable;
    if (keys.length !== 1 || !NEGATABLE.includes(kind)) {
      errors.push(
        `${at}: as an object, anything-but takes exactly one of ${NEGATABLE.join(', ')}; got ${keys.join(', ') || 'an empty object'}`,
      );
      return undefined;
    }
    const inner = arg[kind];
    const texts = typeof inner === 'string' ? [inner] : inner;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
      errors.push(`${at}.${kind}: must be a string or a non-empty list of strings, got ${describeValue(inner)}`);
      return undefined;
    }
    const tests = texts.map((text: string) => compileNegatable(kind, text, `${at}.${kind}`, errors));
    if (tests.some((t) => t === undefined)) return undefined;
    const excluded = anyOf(tests as LeafTest[]);
    return (v) => !excluded(v);
  }
  errors.push(`${at}: must be a string, a number, a list of them, or an object; got ${describeValue(arg)}`);
  return undefined;
};
