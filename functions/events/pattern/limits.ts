/**
 * The limits EventBridge puts on one event pattern, refused here as
 * `PutRule` refuses them (`InvalidEventPatternException`), so a pattern that
 * works locally also deploys:
 *
 * - Size: at most 2,048 characters of pattern JSON, the default "Event
 *   pattern size" quota (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
 *   The quota is adjustable; a raised one is not known here.
 * - `$or`: at most 1,000 combinations once the `$or` branches are expanded
 *   into alternatives (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or).
 * - Wildcards: "If a rule is too complex, EventBridge returns an
 *   InvalidEventPatternException"
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching-complexity).
 *   Complexity is Event Ruler's measure (`MachineComplexityEvaluator`, its
 *   README "Matching with a Machine"): how many wildcard prefixes of one
 *   field a worst-case value keeps active at once. EventBridge does not
 *   publish its threshold; {@link MAX_WILDCARD_COMPLEXITY} = 10 reproduces its
 *   behaviour on the cases we know (e.g. `*:stack/<name>/*` for three names
 *   deploys, for four it is refused).
 */
import type { Draft } from './analyze.js';
import { parseWildcard } from './strings.js';

export const MAX_PATTERN_CHARS = 2048;
export const MAX_OR_COMBINATIONS = 1000;
export const MAX_WILDCARD_COMPLEXITY = 10;

/** Subsets of wildcard states explored before a field counts as too complex to evaluate. */
const MAX_EXPLORED_SETS = 20_000;

/** One wildcard as segments between `*`s: the first anchored at the start, the last at the end. */
type Segments = readonly string[];

/** A state of one wildcard's automaton: `[segment, characters of it matched]`; `[i, 0]` for i ≥ 1 loops on any character. */
type State = readonly [number, number];

/** The states `state` stands for once finished segments hand over to the next `*`. */
const settle = (segments: Segments, [i, j]: State): State[] => {
  const length = segments[i]?.length ?? 0;
  if (j < length) return [[i, j]];
  return i < segments.length - 1 ? settle(segments, [i + 1, 0]) : [[i, j]]; // the last one: accepted
};

const step = (segments: Segments, [i, j]: State, char: string): State[] => {
  const segment = segments[i] ?? '';
  const next: State[] = [];
  if (i >= 1 && j === 0) next.push([i, 0]); // the `*` before segment i absorbs the character
  if (j < segment.length && segment[j] === char) next.push(...settle(segments, [i, j + 1]));
  return next;
};

/**
 * The largest number of wildcard states (past the first `*`) that one input
 * keeps active at once across `wildcards`, the texts of one field; a
 * pattern without `*` adds nothing. Stops counting above `limit`.
 */
export const wildcardComplexity = (wildcards: readonly string[], limit = MAX_WILDCARD_COMPLEXITY): number => {
  const automata = [...new Set(wildcards)].flatMap((text) => {
    const glob = parseWildcard(text);
    return typeof glob !== 'string' && 'segments' in glob ? [glob.segments] : [];
  });
  if (automata.length === 0) return 0;
  // Every character a pattern names, plus one it does not: enough to reach every state set.
  const alphabet = [...new Set(automata.flatMap((s) => [...s.join('')]))];
  alphabet.push(String.fromCodePoint(0x10ffff));
  type Active = readonly (readonly State[])[];
  const keyOf = (active: Active) => active.map((states) => states.map((s) => s.join(',')).join(';')).join('|');
  const dedupe = (states: State[]): State[] => [...new Map(states.map((s) => [s.join(','), s])).values()];
  const start: Active = automata.map((segments) => settle(segments, [0, 0]));
  const seen = new Set([keyOf(start)]);
  const queue: Active[] = [start];
  let worst = 0;
  while (queue.length > 0) {
    const active = queue.shift() as Active;
    worst = Math.max(
      worst,
      active.reduce((n, states) => n + states.filter(([i]) => i >= 1).length, 0),
    );
    if (worst > limit) return worst;
    for (const char of alphabet) {
      const next = active.map((states, k) =>
        dedupe(states.flatMap((state) => step(automata[k] as Segments, state, char))),
      );
      const key = keyOf(next);
      if (seen.has(key)) continue;
      if (seen.size >= MAX_EXPLORED_SETS) return Number.POSITIVE_INFINITY;
      seen.add(key);
      queue.push(next);
    }
  }
  return worst;
};

/** Adds an error for each limit the (otherwise valid) pattern exceeds. */
export const checkLimits = (pattern: unknown, drafts: readonly Draft[], errors: string[]): void => {
  const size = JSON.stringify(pattern).length;
  if (size > MAX_PATTERN_CHARS)
    errors.push(
      `(root): the pattern is ${size} characters; EventBridge's event pattern size quota is ${MAX_PATTERN_CHARS}`,
    );
  // Ruler's machine shares one field across the alternatives, so their wildcards add up.
  const byKey = new Map<string, string[]>();
  for (const draft of drafts)
    for (const condition of draft.values())
      if (condition.wildcards.length > 0)
        byKey.set(condition.key, [...(byKey.get(condition.key) ?? []), ...condition.wildcards]);
  for (const [key, wildcards] of byKey) {
    const complexity = wildcardComplexity(wildcards);
    if (complexity > MAX_WILDCARD_COMPLEXITY)
      errors.push(
        `${key}: rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character (EventBridge refuses a wildcard complexity above ${MAX_WILDCARD_COMPLEXITY})`,
      );
  }
};
