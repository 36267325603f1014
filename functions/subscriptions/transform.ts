/**
 * Input transformation: `{ outputField: "$.json.path" }` selects and renames
 * fields of the envelope, with EventBridge's InputTransformer semantics
 * (`InputPathsMap` + a JSON `InputTemplate` of unquoted placeholders): each
 * output field gets the JSON value at its path (string, number, object, …).
 * The dispatcher applies it to webhooks (locally and on AWS); native targets
 * get the same map as a CDK `RuleTargetInput`, evaluated by EventBridge.
 */
import { TRANSFORM_PATH } from './schema.js';

export type Transform = Readonly<Record<string, string>>;

/** `$.detail.items[0].name` → `['detail', 'items', 0, 'name']`. */
export const parsePath = (path: string): (string | number)[] => {
  if (!TRANSFORM_PATH.test(path)) throw new Error(`Unsupported JSON path ${JSON.stringify(path)}`);
  const segments: (string | number)[] = [];
  for (const match of path.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    segments.push(match[1] !== undefined ? match[1] : Number(match[2]));
  }
  return segments;
};

/** The value at `path`, or undefined when any step is missing. */
export const readPath = (value: unknown, path: string): unknown => {
  let current = value;
  for (const segment of parsePath(path)) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    if (current === undefined) return undefined;
  }
  return current;
};

/**
 * Builds the transformed body. A path that does not exist in the event gives
 * `null`, so the receiver always gets every field it asked for.
 */
export const applyTransform = (transform: Transform, envelope: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries(transform).map(([field, path]) => [field, readPath(envelope, path) ?? null]));
