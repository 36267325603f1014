/** Matching an event against compiled alternatives: flattening and array-consistent matching. */
import type { Condition } from './operators.js';
import { isLeaf, isObject, type JsonObject, type Leaf } from './values.js';

/** Array membership of a leaf: array id -> element index, for array-consistent matching. */
type Membership = ReadonlyMap<number, number> | undefined;

interface Field {
  readonly value: Leaf;
  readonly membership: Membership;
}

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
export const flatten = (event: JsonObject, needed: ReadonlySet<string>): Map<string, Field[]> => {
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
export const matchAlternative = (
  conditions: readonly Condition[],
  fields: ReadonlyMap<string, readonly Field[]>,
): boolean => {
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
