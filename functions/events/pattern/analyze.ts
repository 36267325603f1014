/**
 * Pattern analysis, validation and compilation in one walk: the pattern
 * object becomes its alternatives (one per `$or` branch combination), each a
 * map of flattened keys to conditions, plus one error per problem.
 */
import { checkLimits, MAX_OR_COMBINATIONS } from './limits.js';
import { compileLeaf, type Condition } from './operators.js';
import { describeValue, isObject, type JsonObject } from './values.js';

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

/** One alternative: flattened key → condition. */
export type Draft = Map<string, Condition>;

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
  // Refused before forking: the expansion itself is what grows exponentially.
  if (drafts.length * value.length > MAX_OR_COMBINATIONS) {
    errors.push(
      `${at}: the pattern expands to ${drafts.length * value.length} $or combinations; EventBridge refuses more than ${MAX_OR_COMBINATIONS}`,
    );
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
      // A key given again (inside an `$or` branch, or as `a.b` beside `a: { b }`) overrides the earlier
      // one in that alternative: EventBridge evaluates the last reference (eb-event-patterns-content-based-filtering).
      for (const draft of current) draft.set(key, condition);
    } else if (isObject(value)) {
      current = walkObject(value, { keyPrefix: `${key}.`, path: at, insideOr: ctx.insideOr }, current, errors);
    } else {
      errors.push(`${at}: must be an array of match values or a nested object, got ${describeValue(value)}`);
    }
  }
  return current;
};

export const analyze = (pattern: unknown): { readonly errors: string[]; readonly drafts: Draft[] } => {
  const errors: string[] = [];
  if (!isObject(pattern)) {
    errors.push(`(root): an event pattern must be a JSON object, got ${describeValue(pattern)}`);
    return { errors, drafts: [] };
  }
  const drafts = walkObject(pattern, { keyPrefix: '', path: '', insideOr: false }, [new Map()], errors);
  if (errors.length === 0) checkLimits(pattern, drafts, errors);
  return { errors: [...new Set(errors)], drafts };
};
