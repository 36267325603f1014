/**
 * Automations: the hub messages a customer at the right moment. One typed
 * file (`automations.config.ts` beside `subscriptions.config.ts`) declares
 * them; loaded here, once, with errors that name the field
 * (`automations[0].send.template.language: …`). The pattern checks, which
 * need the matcher, are ./validate.ts, run at `npm start`, `cdk synth` and by
 * the CLI.
 */
import { HubError } from '../shared/errors.js';
import { type AutomationsFile, type AutomationsFileInput, AutomationsFileSchema } from './schema.js';

export type { Automation, AutomationInput, AutomationsFile, AutomationsFileInput } from './schema.js';

/** The config is invalid; `issues` has one line per problem, each naming the field. */
export class AutomationConfigError extends HubError {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid automations.config.ts:\n${issues.map((i) => `  - ${i}`).join('\n')}`, 500, 'invalid_automations');
  }
}

/** `['automations', 1, 'send', 'text']` → `automations[1].send.text`. */
const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  ) || '(root)';

/** Checks one event pattern; `"<path>: <problem>"` lines (the matcher's `validatePattern` format). */
export type PatternValidator = (pattern: unknown) => readonly string[];

const patternIssues = (input: unknown, validate: PatternValidator): string[] => {
  const list = (input as { automations?: unknown } | null)?.automations;
  return (Array.isArray(list) ? list : []).flatMap((item: unknown, index) =>
    (['when', 'unless'] as const).flatMap((field) => {
      const pattern = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[field] : undefined;
      if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return [];
      return validate(pattern).map((error) => {
        const split = error.indexOf(': ');
        const where = split > 0 ? error.slice(0, split) : '(root)';
        const message = split > 0 ? error.slice(split + 2) : error;
        return `automations[${index}].${field}${where === '(root)' ? '' : `.${where}`}: ${message}`;
      });
    }),
  );
};

/** Names given twice (checked on the raw input, so it is reported beside every other problem). */
const duplicateIssues = (input: unknown): string[] => {
  const list = (input as { automations?: unknown } | null)?.automations;
  const seen = new Map<unknown, number>();
  return (Array.isArray(list) ? list : []).flatMap((item: unknown, index) => {
    const name = typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return [];
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    return first === undefined ? [] : [`automations[${index}].name: duplicate name (also automations[${first}])`];
  });
};

/** Validates the file; throws {@link AutomationConfigError} naming every bad field. */
export const parseAutomations = (
  input: unknown,
  options: { readonly validatePattern?: PatternValidator } = {},
): AutomationsFile => {
  const result = AutomationsFileSchema.safeParse(input);
  const issues = [
    ...(result.success ? [] : result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`)),
    ...duplicateIssues(input),
    ...(options.validatePattern ? patternIssues(input, options.validatePattern) : []),
  ];
  if (!result.success || issues.length > 0) throw new AutomationConfigError(issues);
  return Object.freeze(result.data);
};

/** The typed entry point of `automations.config.ts`: autocompletion, and validation on import. */
export const defineAutomations = (file: AutomationsFileInput): AutomationsFile => parseAutomations(file);
