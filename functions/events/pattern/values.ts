/** The JSON values patterns and events are made of, and the one-line descriptions errors use. */

export type Leaf = string | number | boolean | null;
export type LeafTest = (value: Leaf) => boolean;
export type JsonObject = Readonly<Record<string, unknown>>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isLeaf = (value: unknown): value is Leaf =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  value === null ||
  (typeof value === 'number' && Number.isFinite(value));

/** "the string \"x\"", "an object", "number 5": what errors say a value is. */
export const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

/** An OR of leaf tests (one test stays itself). */
export const anyOf = (tests: readonly LeafTest[]): LeafTest =>
  tests.length === 1 ? (tests[0] as LeafTest) : (v) => tests.some((t) => t(v));
