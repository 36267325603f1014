/** String matchers: equals-ignore-case, prefix/suffix (optionally ignoring case) and wildcards. */
import { describeValue, isObject, type LeafTest } from './values.js';

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
export const parseWildcard = (text: string): Glob | string => {
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

/** `prefix`/`suffix`: a string, or `{ "equals-ignore-case": string }`. */
export const compileAffix = (
  kind: 'prefix' | 'suffix',
  arg: unknown,
  at: string,
  errors: string[],
): LeafTest | undefined => {
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
export const compileNegatable = (
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

export const NEGATABLE = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
export type Negatable = (typeof NEGATABLE)[number];
