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
 *
 * The parts live in `pattern/`: `analyze` (the walk, `$or` expansion),
 * `operators` (one field's match list) with one module per operator family
 * (`strings`, `numbers`, `ip`, `anything-but`), and `match` (flattening and
 * array-consistent matching). This module is the public API.
 */
import { HubError } from '../shared/errors.js';
import { analyze } from './pattern/analyze.js';
import { flatten, matchAlternative } from './pattern/match.js';
import { isObject } from './pattern/values.js';
import type { EventPattern } from './rules.js';

/** A compiled pattern: tells whether one EventBridge envelope matches. */
export type CompiledPattern = (event: unknown) => boolean;

/** Thrown by {@link compilePattern} and {@link matchesPattern} for a malformed pattern. */
export class InvalidEventPatternError extends HubError {
  constructor(readonly errors: readonly string[]) {
    super(`Invalid event pattern: ${errors.join('; ')}`, 400, 'invalid_event_pattern');
  }
}
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
 * operator names used as field names inside `$or`, and the service's limits
 * (`pattern/limits.ts`: pattern size, 1,000 `$or` combinations, wildcard
 * complexity). A key given twice is not an error: the last one counts.
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
