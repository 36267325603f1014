/**
 * EventBridge event-pattern matching in pure TypeScript.
 *
 * The local bus routes events with the very patterns the CDK stack deploys, so
 * this module follows EventBridge's content-filtering semantics as documented
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
 * and, where the docs are silent, as implemented by AWS's own matcher, Event
 * Ruler (https://github.com/aws/event-ruler), on which EventBridge runs:
 *
 * - The event is flattened into leaf fields (`detail.state`); only strings,
 *   numbers, booleans and `null` are leaves. An object or an empty array is
 *   not a leaf, so no value pattern (nor `exists: true`) matches it and
 *   `exists: false` does.
 * - A pattern is an AND of its fields; a field's array is an OR of its values.
 *   `$or` forks the pattern into alternatives before matching.
 * - Array-consistent matching: fields taken from objects in *different*
 *   elements of the same event array never combine into one match. Fields
 *   are matched in key order, as Ruler's state machine does, so `exists:
 *   false` looks inside the array element picked by the fields sorting before
 *   it, or across the whole event when none picked one.
 * - Paths are dot-joined as in Ruler, so `{ "a.b": [...] }` also reaches the
 *   nested `a: { b }` (Ruler warns not to rely on this).
 * - Types are strict: `"5"` never matches `5`, prefix/suffix/wildcard and
 *   equals-ignore-case only match strings, numeric only matches numbers,
 *   and `anything-but` matches any present value that is not excluded
 *   (whatever its type) but never a missing field.
 */
import type { EventPattern } from './rules.js';
import { HubError } from '../shared/errors.js';

/** A compiled pattern: tells whether one EventBridge envelope matches. */
export type CompiledPattern = (event: unknown) => boolean;

/** Thrown by {@link compilePattern} and {@link matchesPattern} for a malformed pattern. */
export class InvalidEventPatternError extends HubError {
  constructor(readonly errors: readonly string[]) {
    super(`Invalid event pattern: ${errors.join('; ')}`, 400, 'invalid_event_pattern');
  }
}

/**
 * Numeric matching is limited to ±5.0e9 with at most six digits after the
 * decimal point (EventBridge docs; Event Ruler `ComparableNumber`). Event
 * numbers outside that never match a `numeric` condition, and pattern
 * operands outside it are rejected.
 */
const NUMERIC_LIMIT = 5e9;
const NUMERIC_MAX_DECIMALS = 6;

const OR_KEYWORD = '$or';

/** Names Event Ruler refuses as field names inside `$or` (its `RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];

type Leaf = string | number | boolean | null;
type LeafTest = (value: Leaf) => boolean;
type JsonObject = Readonly<Record<string, unknown>>;

/** One flattened pattern field: value tests (OR) and/or `exists: false`. */
interface Condition {
  readonly key: string;
  readonly test: LeafTest | undefined;
  readonly absent: boolean;
}

/** Array membership of a leaf: array id -> element index, for array-consistent matching. */
type Membership = ReadonlyMap<number, number> | undefined;

interface Field {
  readonly value: Leaf;
  readonly membership: Membership;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isLeaf = (value: unknown): value is Leaf =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  value === null ||
  (typeof value === 'number' && Number.isFinite(value));

const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */
/* ------------------------------------------------------------------------ */

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

const comparableError = (n: unknown): string | undefined => {
  if (typeof n !== 'number' || !Number.isFinite(n)) return `must be a number, got ${describeValue(n)}`;
  if (Math.abs(n) > NUMERIC_LIMIT) return `${n} is outside the supported range -5e9..5e9`;
  if (decimalPlaces(n) > NUMERIC_MAX_DECIMALS) return `${n} has more than ${NUMERIC_MAX_DECIMALS} decimal places`;
  return undefined;
};

/* ------------------------------------------------------------------------ */
/* IP addresses (IPv4 and IPv6, as Event Ruler's CIDR support)               */
/* ------------------------------------------------------------------------ */

interface Ip {
  readonly v6: boolean;
  readonly value: bigint;
}

// The same pre-checks as Event Ruler: only these shapes are parsed as IPs.
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

const parseIpv4 = (text: string): Ip | undefined => {
  if (text.length > 15 || !IPV4_SHAPE.test(text)) return undefined;
  let value = 0n;
  for (const part of text.split('.')) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return { v6: false, value };
};

const parseGroups = (text: string): bigint[] | undefined => {
  if (text === '') return [];
  const groups = text.split(':');
  if (!groups.every((g) => HEX_GROUP.test(g))) return undefined;
  return groups.map((g) => BigInt(`0x${g}`));
};

const parseIpv6 = (text: string): Ip | undefined => {
  if (!IPV6_SHAPE.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const groups = [...head, ...Array<bigint>(8 - count).fill(0n), ...tail];
  const value = groups.reduce((acc, g) => (acc << 16n) | g, 0n);
  // Java's InetAddress turns an IPv4-mapped address (::ffff:a.b.c.d) into IPv4.
  if (value >> 32n === 0xffffn) return { v6: false, value: value & 0xffffffffn };
  return { v6: true, value };
};

const parseIp = (text: string): Ip | undefined => parseIpv4(text) ?? parseIpv6(text);

const ipKey = (ip: Ip): string => `${ip.v6 ? 6 : 4}:${ip.value}`;

/* ------------------------------------------------------------------------ */
/* String matchers                                                           */
/* ------------------------------------------------------------------------ */

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * Case-insensitive body, built like Event Ruler's `EqualsIgnoreCaseParser`:
 * each UTF-16 unit of the pattern matches its lower-case or upper-case form.
 */
const ignoreCaseSource = (text: string): string => {
  let source = '';
  for (const unit of text.split('')) {
    const forms = [...new Set([unit.toLowerCase(), unit.toUpperCase()])].map(escapeRegExp);
    source += forms.length === 1 ? forms[0] : `(?:${forms.join('|')})`;
  }
  return source;
};

const regexTest =
  (regex: RegExp): LeafTest =>
  (v) =>
    typeof v === 'string' && regex.test(v);

type Glob = { readonly literal: string } | { readonly segments: readonly string[] };

/**
 * Parses a wildcard: `*` matches any run of characters (including none),
 * `\*` is a literal asterisk and `\\` a literal backslash; `**` and any other
 * escape are errors, as in Event Ruler's `WildcardParser`.
 */
const parseWildcard = (text: string): Glob | string => {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '*') {
      if (text[i + 1] === '*') return `consecutive wildcard characters at position ${i} are not allowed`;
      segments.push(current);
      current = '';
    } else if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `invalid escape at position ${i}: only \\* and \\\\ are allowed`;
      current += next;
      i++;
    } else {
      current += char;
    }
  }
  if (segments.length === 0) return { literal: current };
  segments.push(current);
  return { segments };
};

/** Linear-time glob match: anchored first and last segments, the middle ones found left to right. */
const globTest = (glob: Glob): LeafTest => {
  if ('literal' in glob) return (v) => v === glob.literal;
  const { segments } = glob;
  const first = segments[0] ?? '';
  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1);
  return (v) => {
    if (typeof v !== 'string' || v.length < first.length + last.length) return false;
    if (!v.startsWith(first) || !v.endsWith(last)) return false;
    const end = v.length - last.length;
    let position = first.length;
    for (const segment of middle) {
      const found = v.indexOf(segment, position);
      if (found < 0 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
};

/* ------------------------------------------------------------------------ */
/* Pattern analysis: validation and compilation in one walk                  */
/* ------------------------------------------------------------------------ */

/** `exists: false` is not a value test; it marks the condition as "absent allowed". */
const ABSENT = Symbol('absent');
type OperatorResult = LeafTest | typeof ABSENT | undefined;

const anyOf = (tests: readonly LeafTest[]): LeafTest =>
  tests.length === 1 ? (tests[0] as LeafTest) : (v) => tests.some((t) => t(v));

/** `prefix`/`suffix`: a string, or `{ "equals-ignore-case": string }`. */
const compileAffix = (kind: 'prefix' | 'suffix', arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
  if (typeof arg === 'string') {
    return kind === 'prefix'
      ? (v) => typeof v === 'string' && v.startsWith(arg)
      : (v) => typeof v === 'string' && v.endsWith(arg);
  }
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    const inner = arg['equals-ignore-case'];
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      errors.push(
        `${at}: the only option of ${kind} is "equals-ignore-case", got ${keys.join(', ') || 'an empty object'}`,
      );
      return undefined;
    }
    if (typeof inner !== 'string') {
      errors.push(`${at}.equals-ignore-case: must be a string, got ${describeValue(inner)}`);
      return undefined;
    }
    const body = ignoreCaseSource(inner);
    return regexTest(new RegExp(kind === 'prefix' ? `^${body}` : `${body}$`));
  }
  errors.push(`${at}: must be a string or { "equals-ignore-case": string }, got ${describeValue(arg)}`);
  return undefined;
};

/** The string matchers `anything-but` can negate, each given one string. */
const compileNegatable = (
  kind: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard',
  text: string,
  at: string,
  errors: string[],
): LeafTest | undefined => {
  switch (kind) {
    case 'prefix':
    case 'suffix':
      if (text === '') {
        errors.push(`${at}: an empty ${kind} is not allowed in anything-but`);
        return undefined;
      }
      return compileAffix(kind, text, at, errors);
    case 'equals-ignore-case':
      return regexTest(new RegExp(`^${ignoreCaseSource(text)}$`));
    case 'wildcard': {
      const glob = parseWildcard(text);
      if (typeof glob === 'string') {
        errors.push(`${at}: ${glob}`);
        return undefined;
      }
      return globTest(glob);
    }
  }
};

const NEGATABLE = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
type Negatable = (typeof NEGATABLE)[number];

const compileAnythingBut = (arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
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

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

/** `numeric`: `["=", n]`, `["<"|"<="|">"|">=", n]` or `[">"|">=", low, "<"|"<=", high]`. */
const compileNumeric = (arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
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

/** `cidr`: `a.b.c.d/m` or an IPv6 CIDR; as in Event Ruler, the range starts at the address given. */
const compileCidr = (arg: unknown, at: string, errors: string[]): LeafTest | undefined => {
  if (typeof arg !== 'string') {
    errors.push(`${at}: must be a CIDR string such as "10.0.0.0/24", got ${describeValue(arg)}`);
    return undefined;
  }
  const parts = arg.split('/');
  if (parts.length !== 2 || !/^[+-]?[0-9]+$/.test(parts[1] ?? '')) {
    errors.push(`${at}: malformed CIDR ${JSON.stringify(arg)}, expected <address>/<mask bits>`);
    return undefined;
  }
  const ip = parseIp(parts[0] ?? '');
  const bits = Number(parts[1]);
  if (!ip) {
    errors.push(`${at}: ${JSON.stringify(parts[0])} is not an IPv4 or IPv6 address`);
    return undefined;
  }
  const width = ip.v6 ? 128 : 32;
  // Event Ruler rejects a full-length mask ("IPv4 mask bits must be < 32").
  if (bits < 0 || bits >= width) {
    errors.push(`${at}: ${ip.v6 ? 'IPv6' : 'IPv4'} mask bits must be between 0 and ${width - 1}, got ${bits}`);
    return undefined;
  }
  const low = ip.value;
  const high = ip.value | ((1n << BigInt(width - bits)) - 1n);
  return (v) => {
    if (typeof v !== 'string') return false;
    const candidate = parseIp(v);
    return candidate !== undefined && candidate.v6 === ip.v6 && candidate.value >= low && candidate.value <= high;
  };
};

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
const compileLeaf = (values: readonly unknown[], key: string, at: string, errors: string[]): Condition | undefined => {
  if (values.length === 0) {
    errors.push(`${at}: empty arrays are not allowed`);
    return undefined;
  }
  const exact = new Set<Leaf>();
  const ips = new Set<string>();
  const tests: LeafTest[] = [];
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
  return { key, test, absent };
};

type Draft = Map<string, Condition>;

interface WalkContext {
  /** Flattened key prefix, `detail.` (dot-joined like Event Ruler). */
  readonly keyPrefix: string;
  /** Human-readable location for errors, `detail.$or[1]`. */
  readonly path: string;
  readonly insideOr: boolean;
}

const walkOr = (value: unknown, ctx: WalkContext, at: string, drafts: Draft[], errors: string[]): Draft[] => {
  if (!Array.isArray(value) || value.length < 2) {
    const got = Array.isArray(value) ? `${value.length} alternative(s)` : describeValue(value);
    errors.push(`${at}: $or must be an array of at least 2 pattern objects, got ${got}`);
    return drafts;
  }
  const forked: Draft[] = [];
  value.forEach((branch, index) => {
    const here = `${at}[${index}]`;
    if (!isObject(branch)) {
      errors.push(`${here}: each $or alternative must be an object, got ${describeValue(branch)}`);
      return;
    }
    const copies = drafts.map((draft) => new Map(draft));
    forked.push(...walkObject(branch, { keyPrefix: ctx.keyPrefix, path: here, insideOr: true }, copies, errors));
  });
  return forked.length > 0 ? forked : drafts;
};

/**
 * Walks one pattern object and returns the alternatives ("sub-patterns") it
 * expands to: without `$or` there is one; each `$or` forks every alternative
 * built so far, as Event Ruler's `JsonRuleCompiler` does.
 */
const walkObject = (object: JsonObject, ctx: WalkContext, drafts: Draft[], errors: string[]): Draft[] => {
  const fields = Object.keys(object);
  if (fields.length === 0) {
    errors.push(`${ctx.path || '(root)'}: empty objects are not allowed`);
    return drafts;
  }
  let current = drafts;
  for (const field of fields) {
    const value = object[field];
    const at = ctx.path ? `${ctx.path}.${field}` : field;
    if (field === OR_KEYWORD) {
      current = walkOr(value, ctx, at, current, errors);
      continue;
    }
    if (ctx.insideOr && RESERVED_IN_OR.has(field)) {
      errors.push(`${at}: "${field}" is an operator name and cannot be a field name inside $or`);
      continue;
    }
    const key = ctx.keyPrefix + field;
    if (Array.isArray(value)) {
      const condition = compileLeaf(value, key, at, errors);
      if (!condition) continue;
      for (const draft of current) {
        if (draft.has(key)) errors.push(`${at}: field "${key}" is matched more than once in the same alternative`);
        else draft.set(key, condition);
      }
    } else if (isObject(value)) {
      current = walkObject(value, { keyPrefix: `${key}.`, path: at, insideOr: ctx.insideOr }, current, errors);
    } else {
      errors.push(`${at}: must be an array of match values or a nested object, got ${describeValue(value)}`);
    }
  }
  return current;
};

const analyze = (pattern: unknown): { readonly errors: string[]; readonly drafts: Draft[] } => {
  const errors: string[] = [];
  if (!isObject(pattern)) {
    errors.push(`(root): an event pattern must be a JSON object, got ${describeValue(pattern)}`);
    return { errors, drafts: [] };
  }
  const drafts = walkObject(pattern, { keyPrefix: '', path: '', insideOr: false }, [new Map()], errors);
  return { errors: [...new Set(errors)], drafts };
};

/* ------------------------------------------------------------------------ */
/* Matching                                                                  */
/* ------------------------------------------------------------------------ */

/** Null when the two leaves come from different elements of one array. */
const mergeMembership = (a: Membership, b: Membership): Membership | null => {
  if (!b || b.size === 0) return a;
  if (!a || a.size === 0) return b;
  for (const [array, index] of b) {
    const mine = a.get(array);
    if (mine !== undefined && mine !== index) return null;
  }
  const merged = new Map(a);
  for (const [array, index] of b) merged.set(array, index);
  return merged;
};

const membershipKey = (m: Membership): string =>
  !m || m.size === 0
    ? ''
    : [...m]
        .sort((x, y) => x[0] - y[0])
        .map(([a, i]) => `${a}:${i}`)
        .join(',');

/**
 * Flattens the event into leaf fields keyed by dot-joined path, visiting only
 * the paths some condition needs. Leaves inside objects or arrays nested in an
 * array carry the element index for array-consistent matching.
 */
const flatten = (event: JsonObject, needed: ReadonlySet<string>): Map<string, Field[]> => {
  const fields = new Map<string, Field[]>();
  let arrays = 0;
  const add = (key: string, value: Leaf, membership: Membership): void => {
    const list = fields.get(key);
    if (list) list.push({ value, membership });
    else fields.set(key, [{ value, membership }]);
  };
  const visitValue = (key: string, value: unknown, membership: Membership): void => {
    if (Array.isArray(value)) visitArray(key, value, membership);
    else if (isObject(value)) visitObject(value, `${key}.`, membership);
    else if (isLeaf(value)) add(key, value, membership);
  };
  const visitObject = (object: JsonObject, prefix: string, membership: Membership): void => {
    for (const field of Object.keys(object)) {
      const key = prefix + field;
      if (needed.has(key)) visitValue(key, object[field], membership);
    }
  };
  const visitArray = (key: string, array: readonly unknown[], membership: Membership): void => {
    const id = arrays++;
    array.forEach((element, index) => {
      if (isLeaf(element)) add(key, element, membership);
      else if (Array.isArray(element) || isObject(element)) {
        visitValue(key, element, new Map(membership ?? []).set(id, index));
      }
    });
  };
  visitObject(event, '', undefined);
  return fields;
};

/**
 * Matches one alternative, conditions in key order (as Event Ruler's state
 * machine does). A value condition picks a leaf whose array membership agrees
 * with the leaves picked so far; `exists: false` holds when no such leaf
 * exists.
 */
const matchAlternative = (conditions: readonly Condition[], fields: ReadonlyMap<string, readonly Field[]>): boolean => {
  const step = (index: number, membership: Membership): boolean => {
    const condition = conditions[index];
    if (!condition) return true;
    const candidates = fields.get(condition.key);
    if (condition.test && candidates) {
      let failed: Set<string> | undefined;
      for (const field of candidates) {
        if (!condition.test(field.value)) continue;
        const merged = mergeMembership(membership, field.membership);
        if (merged === null) continue;
        const key = membershipKey(merged);
        if (failed?.has(key)) continue;
        if (step(index + 1, merged)) return true;
        failed ??= new Set();
        failed.add(key);
      }
    }
    if (condition.absent) {
      const present = candidates?.some((field) => mergeMembership(membership, field.membership) !== null) ?? false;
      if (!present) return step(index + 1, membership);
    }
    return false;
  };
  return step(0, undefined);
};

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Checks a pattern the way EventBridge `PutRule` does and returns one
 * human-readable error per problem, each naming the pattern path
 * (`detail.amount[0].numeric[1]: ...`); an empty array means the pattern is
 * valid. Never throws. Catches: a non-object pattern, empty objects, a field
 * that is neither an array nor an object, empty arrays, unknown operators,
 * operator objects with several keys, malformed `numeric` (bad operators,
 * inverted or out-of-range bounds, more than six decimals), `anything-but`
 * with mixed, `null` or empty values, bad wildcards (`**`, stray `\`), bad
 * CIDRs, non-boolean `exists`, `$or` that is not an array of 2+ objects,
 * operator names used as field names inside `$or`, and a field matched twice
 * in one alternative.
 */
export const validatePattern = (pattern: unknown): string[] => analyze(pattern).errors;

/**
 * Compiles a pattern once into a fast matcher; the local bus runs every event
 * through every rule, so this does the parsing, regex building and key
 * sorting up front. The matcher accepts the full EventBridge envelope
 * (`{ version, id, 'detail-type', source, account, time, region, resources,
 * detail }`) as parsed JSON, returns false for anything that is not an
 * object, ignores non-JSON values (undefined, NaN, functions) as if absent,
 * and never mutates the event.
 *
 * @throws InvalidEventPatternError with every {@link validatePattern} error.
 */
export const compilePattern = (pattern: EventPattern): CompiledPattern => {
  const { errors, drafts } = analyze(pattern);
  if (errors.length > 0) throw new InvalidEventPatternError(errors);
  const alternatives = drafts.map((draft) =>
    [...draft.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  );
  // Every dot-boundary prefix of a needed key, so flattening descends only where needed.
  const needed = new Set<string>();
  for (const conditions of alternatives) {
    for (const { key } of conditions) {
      needed.add(key);
      for (let dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) needed.add(key.slice(0, dot));
    }
  }
  return (event) => {
    if (!isObject(event)) return false;
    const fields = flatten(event, needed);
    return alternatives.some((conditions) => matchAlternative(conditions, fields));
  };
};

const compiled = new WeakMap<EventPattern, CompiledPattern>();

/**
 * True when the EventBridge envelope `event` matches `pattern`, with the
 * semantics EventBridge applies to rules on an event bus. Compiles the pattern
 * on first use and caches it by object identity, so treat patterns as
 * immutable (they are constants in `rules.ts`).
 *
 * @throws InvalidEventPatternError when the pattern is malformed.
 */
export const matchesPattern = (pattern: EventPattern, event: unknown): boolean => {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = compilePattern(pattern);
    compiled.set(pattern, matcher);
  }
  return matcher(event);
};
