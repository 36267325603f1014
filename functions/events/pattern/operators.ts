/**
 * One pattern field's match list: exact values and operator objects, OR-ed
 * into one condition. Each operator lives in its own module; this module only
 * dispatches on the operator name.
 */
import { compileAnythingBut } from './anything-but.js';
import { compileCidr, ipKey, parseIp } from './ip.js';
import { compileNumeric } from './numbers.js';
import { compileAffix, compileNegatable } from './strings.js';
import { anyOf, describeValue, isLeaf, isObject, type JsonObject, type Leaf, type LeafTest } from './values.js';

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];

/** One flattened pattern field: value tests (OR) and/or `exists: false`. */
export interface Condition {
  readonly key: string;
  readonly test: LeafTest | undefined;
  readonly absent: boolean;
  /** The wildcard texts among the field's values (plain and negated), for the complexity limit. */
  readonly wildcards: readonly string[];
}

/** `{ wildcard: "…" }` and `{ "anything-but": { wildcard: … } }` texts of one match value. */
const wildcardsOf = (value: JsonObject): string[] => {
  const negated = value['anything-but'];
  const texts = isObject(negated) ? negated.wildcard : value.wildcard;
  return (Array.isArray(texts) ? texts : [texts]).filter((t): t is string => typeof t === 'string');
};

/** `exists: false` is not a value test; it marks the condition as "absent allowed". */
const ABSENT = Symbol('absent');
type OperatorResult = LeafTest | typeof ABSENT | undefined;

const compileOperator = (expression: JsonObject, at: string, errors: string[]): OperatorResult => {
  const keys = Object.keys(expression);
  if (keys.length !== 1) {
    errors.push(`${at}: an operator object takes exactly one key, got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
    return undefined;
  }
  const op = keys[0] as string;
  const arg = expression[op];
  const here = `${at}.${op}`;
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compileAffix(op, arg, here, errors);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') break;
      return compileNegatable(op, arg, here, errors);
    case 'wildcard':
      if (typeof arg !== 'string') break;
      return compileNegatable(op, arg, here, errors);
    case 'anything-but':
      return compileAnythingBut(arg, here, errors);
    case 'numeric':
      return compileNumeric(arg, here, errors);
    case 'cidr':
      return compileCidr(arg, here, errors);
    case 'exists':
      if (typeof arg !== 'boolean') {
        errors.push(`${here}: must be true or false, got ${describeValue(arg)}`);
        return undefined;
      }
      return arg ? () => true : ABSENT;
    default:
      errors.push(`${at}: unknown operator ${JSON.stringify(op)} (expected one of ${OPERATORS.join(', ')})`);
      return undefined;
  }
  errors.push(`${here}: must be a string, got ${describeValue(arg)}`);
  return undefined;
};

/** A leaf array: exact values and operator objects, OR-ed together. */
export const compileLeaf = (
  values: readonly unknown[],
  key: string,
  at: string,
  errors: string[],
): Condition | undefined => {
  if (values.length === 0) {
    errors.push(`${at}: empty arrays are not allowed`);
    return undefined;
  }
  const exact = new Set<Leaf>();
  const ips = new Set<string>();
  const tests: LeafTest[] = [];
  const wildcards: string[] = [];
  let absent = false;
  let valid = true;
  values.forEach((value, index) => {
    const here = `${at}[${index}]`;
    if (isLeaf(value)) {
      exact.add(value);
      // Event Ruler matches a plain IP-address string as an address (any spelling of it).
      const ip = typeof value === 'string' ? parseIp(value) : undefined;
      if (ip) ips.add(ipKey(ip));
    } else if (isObject(value)) {
      const result = compileOperator(value, here, errors);
      wildcards.push(...wildcardsOf(value));
      if (result === ABSENT) absent = true;
      else if (result) tests.push(result);
      else valid = false;
    } else {
      errors.push(
        `${here}: a match value must be a string, a number, true, false, null or an operator object, got ${describeValue(value)}`,
      );
      valid = false;
    }
  });
  if (!valid) return undefined;
  if (ips.size > 0) {
    tests.push((v) => {
      if (typeof v !== 'string') return false;
      const ip = parseIp(v);
      return ip !== undefined && ips.has(ipKey(ip));
    });
  }
  const operators = tests.length > 0 ? anyOf(tests) : undefined;
  let test: LeafTest | undefined;
  if (exact.size > 0 && operators) test = (v) => exact.has(v) || operators(v);
  else if (exact.size > 0) test = (v) => exact.has(v);
  else test = operators;
  return { key, test, absent, wildcards };
};
