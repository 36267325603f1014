/**
 * Placeholders in an automation's message: `{{profile.name}}`,
 * `{{profile.traits.city}}`, `{{event.data.total}}`, with an optional
 * fallback `{{profile.firstName | клієнте}}`. They fill the text and the
 * template parameters (WhatsApp body `{{1}}`, `{{2}}`, …) from the
 * customer's profile and the event that started the run.
 *
 * Checked when the file loads (`checkPlaceholders`: an unknown profile field,
 * an event field none of the `when` types has, named by its path), filled when
 * the run acts (`fillPlaceholders`): a value the customer does not have and no
 * fallback for it skips the run with `missing_parameter`, naming the path —
 * a template with an empty parameter is rejected by the vendor, and "Hello ,"
 * is worse than nothing.
 */
import type * as z from 'zod';
import type { Profile } from '../domain/profile.js';
import { EVENT_DATA_SCHEMAS, type HubEvent, type HubEventType } from '../events/hub-event.js';

const PLACEHOLDER = /\{\{\s*([^{}|]+?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;
const PATH = /^(profile|event)(?:\.[A-Za-z_][A-Za-z0-9_]*|\.\d+)+$/;

/** Profile fields a placeholder may name (`profile.traits.<key>` for any trait). */
const PROFILE_FIELDS = [
  'customerId',
  'name',
  'firstName',
  'lastChannel',
  'lastInteractionAt',
  'firstSeenAt',
  'orderCount',
] as const;

/** Top-level fields of every hub event (`event.data.…` is checked against the `when` types). */
const EVENT_FIELDS = new Set(['id', 'type', 'channel', 'connector', 'occurredAt', 'receivedAt', 'summary', 'data']);

/** Every `{{…}}` of a text: its path and fallback. */
export const placeholdersOf = (text: string): { readonly path: string; readonly fallback?: string }[] =>
  [...text.matchAll(PLACEHOLDER)].map((m) => ({
    path: (m[1] ?? '').trim(),
    ...(m[2] !== undefined ? { fallback: m[2] } : {}),
  }));

interface ZodDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Whether `path` (below `data`) exists in the zod schema: objects by key, arrays by index, unions by any option. */
const schemaHas = (schema: z.ZodType, path: readonly string[]): boolean => {
  const def = defOf(schema);
  if (def.innerType) return schemaHas(def.innerType, path);
  if (def.type === 'pipe' && def.in) return schemaHas(def.in, path);
  if (path.length === 0) return true;
  const [head, ...rest] = path as [string, ...string[]];
  switch (def.type) {
    case 'object': {
      const next = def.shape?.[head];
      return next !== undefined && schemaHas(next, rest);
    }
    case 'array':
      return /^\d+$/.test(head) && def.element !== undefined && schemaHas(def.element, rest);
    case 'record':
      return def.valueType !== undefined && schemaHas(def.valueType, rest);
    case 'union':
      return (def.options ?? []).some((o) => schemaHas(o, path));
    default:
      return false;
  }
};

/** The `detail-type` values a `when` pattern lists plainly (strings), when it lists only such. */
const typesOf = (when: unknown): HubEventType[] | undefined => {
  const list = (when as { 'detail-type'?: unknown } | null)?.['detail-type'];
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) return undefined;
  return list.filter((t): t is HubEventType => t in EVENT_DATA_SCHEMAS);
};

/**
 * Problems with the placeholders of one text: unknown roots or profile
 * fields, and event fields not every `when` type has (a run of another type
 * would always skip). Each problem is one sentence, without the field path.
 */
export const checkPlaceholders = (text: string, when: unknown): string[] =>
  placeholdersOf(text).flatMap(({ path }) => {
    if (!PATH.test(path))
      return [`{{${path}}}: a placeholder is profile.<field> or event.<field>, e.g. {{profile.name}}`];
    const [root, field, ...rest] = path.split('.') as [string, string, ...string[]];
    if (root === 'profile') {
      if (field === 'traits') return rest.length === 1 ? [] : [`{{${path}}}: name one trait, profile.traits.<key>`];
      return (PROFILE_FIELDS as readonly string[]).includes(field) && rest.length === 0
        ? []
        : [`{{${path}}}: unknown profile field (one of ${PROFILE_FIELDS.join(', ')}, or traits.<key>)`];
    }
    if (!EVENT_FIELDS.has(field)) return [`{{${path}}}: unknown event field (one of ${[...EVENT_FIELDS].join(', ')})`];
    if (field !== 'data') return rest.length === 0 ? [] : [`{{${path}}}: ${field} has no fields`];
    const types = typesOf(when);
    if (!types?.length) return []; // A pattern without plain types: checked when the run acts.
    const missing = types.filter((t) => !schemaHas(EVENT_DATA_SCHEMAS[t], rest));
    return missing.length ? [`{{${path}}}: ${missing.join(', ')} has no data.${rest.join('.')}`] : [];
  });

const isMoney = (v: unknown): v is { amountMinor: number; currency: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { amountMinor?: unknown }).amountMinor === 'number' &&
  typeof (v as { currency?: unknown }).currency === 'string';

/** Minor units → `25499.00 UAH` (two decimals; the currencies the hub sees in practice have them). */
const formatMoney = (m: { amountMinor: number; currency: string }): string =>
  `${(m.amountMinor / 100).toFixed(2)} ${m.currency}`;

const dig = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined),
    value,
  );

const text = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isMoney(value)) return formatMoney(value);
  return undefined;
};

/** What `profile.<field>` means (see {@link PROFILE_FIELDS}). */
const profileValue = (profile: Profile, field: string, rest: readonly string[]): unknown => {
  const name =
    text(profile.traits.name) ?? text([profile.traits.firstName, profile.traits.lastName].filter(Boolean).join(' '));
  switch (field) {
    case 'traits':
      return rest[0] !== undefined ? profile.traits[rest[0]] : undefined;
    case 'name':
      return name;
    case 'firstName':
      return text(profile.traits.firstName) ?? name?.split(/\s+/)[0];
    case 'orderCount':
      return profile.orders.count;
    case 'customerId':
    case 'lastChannel':
    case 'lastInteractionAt':
    case 'firstSeenAt':
      return profile[field];
    default:
      return undefined;
  }
};

/** The value of one placeholder path for this customer and trigger, as text; undefined when she has none. */
const placeholderValue = (path: string, profile: Profile, event: HubEvent): string | undefined => {
  const [root, field, ...rest] = path.split('.') as [string, string, ...string[]];
  if (root === 'profile') return text(profileValue(profile, field, rest));
  if (root === 'event') return text(dig(event, [field, ...rest]));
  return undefined;
};

/**
 * Fills every placeholder of `template` for this customer and trigger.
 * `{ missing }` names the first path with no value and no fallback.
 */
export const fillPlaceholders = (
  template: string,
  profile: Profile,
  event: HubEvent,
): { readonly text: string } | { readonly missing: string } => {
  let missing: string | undefined;
  const filled = template.replace(PLACEHOLDER, (_all, rawPath: string, fallback: string | undefined) => {
    const path = rawPath.trim();
    const value = placeholderValue(path, profile, event) ?? fallback;
    if (value === undefined) missing ??= path;
    return value ?? '';
  });
  return missing !== undefined ? { missing } : { text: filled };
};

/**
 * What a text would say for this trigger before any profile is known (the
 * CLI's `automations test`): event placeholders filled, profile ones left
 * as written, an event value the trigger lacks shown as `⟨missing …⟩`.
 */
export const previewPlaceholders = (template: string, event: unknown): string =>
  template.replace(PLACEHOLDER, (all, rawPath: string, fallback: string | undefined) => {
    const path = rawPath.trim();
    if (!path.startsWith('event.')) return all;
    return text(dig(event, path.split('.').slice(1))) ?? fallback ?? `⟨missing ${path}⟩`;
  });
