/**
 * The analytics lake's one table, `hub_lake`, generated from the zod event
 * contract: every column is either an envelope field or a path into an event
 * type's `data`, and its type is read off the zod schema at that path, so the
 * Glue table (AWS), the Parquet files the local runtime writes and the rows
 * both engines read cannot drift from `HubEventSchema`.
 *
 * What is *not* a column is as deliberate as what is: the lake keeps what
 * the metrics need and no direct identifier — no identities, names, traits,
 * message text, summaries, URLs or answers (data minimisation, GDPR art.
 * 5(1)(c)). The personal data left is pseudonymous (`customer_id`, vendor
 * message/order ids) and is erased with the customer (docs/analytics.md).
 *
 * Partitions are `dt` (the UTC date of `occurred_at`) and `type`, in that
 * order: `events/dt=2024-05-01/type=order.paid/…parquet`.
 */
import * as z from 'zod';
import { EVENT_DATA_SCHEMAS, HubEventSchema, type HubEventType } from '../events/hub-event.js';
import { CUSTOMER_EVENT_TYPES } from '../events/customer-events.js';

/** Column types the lake uses, engine-neutral. */
export type LakeType = 'string' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'array<string>';

export interface LakeColumn {
  /** snake_case; Glue lower-cases names anyway. */
  readonly name: string;
  readonly type: LakeType;
  /** Where the value comes from, for the docs and the Glue column comment. */
  readonly source: string;
  readonly description: string;
}

/** Envelope fields kept: column → field of the event. */
const ENVELOPE_COLUMNS = {
  id: 'id',
  schema_version: 'schemaVersion',
  connector: 'connector',
  channel: 'channel',
  occurred_at: 'occurredAt',
} as const;

/**
 * Paths into `data` kept as columns (the column name is the path in
 * snake_case: `total.amountMinor` → `total_amount_minor`). A path is looked up
 * in every event type's data schema that has it; they must agree on its type.
 */
export const DATA_PATHS = [
  'messageId',
  'direction',
  'callId',
  'durationSec',
  'waitSec',
  'formId',
  'utm.source',
  'utm.medium',
  'utm.campaign',
  'score.kind',
  'score.value',
  'orderId',
  'total.amountMinor',
  'total.currency',
  'refunded.amountMinor',
  'refunded.currency',
] as const;

/** Types of lake rows that are not hub events: the assignment facts the metrics resolve customers with. */
export const LAKE_RECORD_TYPES = [
  ...CUSTOMER_EVENT_TYPES,
  /** An unmerge moved event `id` to profile `customer_id` (one row per moved event). */
  'customer.reassigned',
] as const;
export type LakeRecordType = (typeof LAKE_RECORD_TYPES)[number];

/** Columns the lake adds to the event: who it belongs to and when the hub decided that. */
const ASSIGNMENT_COLUMNS: readonly LakeColumn[] = [
  {
    name: 'customer_id',
    type: 'string',
    source: 'profile writer',
    description:
      'The profile the store applied the event to (merge survivor resolved by the views); on lifecycle rows the surviving, erased or re-assigned profile',
  },
  {
    name: 'assigned_at',
    type: 'timestamp',
    source: 'profile writer',
    description: 'When the hub assigned the row to customer_id (UTC)',
  },
  {
    name: 'related_ids',
    type: 'array<string>',
    source: 'customer.merged / customer.erased',
    description:
      'customer.merged: every profile id now living on customer_id (the full merge set); customer.erased: the merged ids erased with it',
  },
];

/** Partition columns: not stored in the files, read from the path. */
export const PARTITION_COLUMNS: readonly LakeColumn[] = [
  { name: 'dt', type: 'string', source: 'occurredAt', description: 'UTC date of occurred_at, yyyy-MM-dd' },
  { name: 'type', type: 'string', source: 'type', description: 'Hub event type or lake record type' },
];

const snake = (path: string): string =>
  path
    .split('.')
    .map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
    .join('_');

type AnyZod = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** Wrappers that do not change the stored type. */
const unwrap = (schema: AnyZod): AnyZod => {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')
      s = def.innerType as AnyZod;
    else if (def.type === 'pipe') s = def.in as AnyZod;
    else return s;
  }
};

/** The schemas reachable at `path` (a union fans out into its options). */
const at = (schema: AnyZod, path: readonly string[]): AnyZod[] => {
  const s = unwrap(schema);
  const def = s._zod.def;
  if (def.type === 'union') return (def.options as AnyZod[]).flatMap((o) => at(o, path));
  if (path.length === 0) return [s];
  if (def.type !== 'object') return [];
  const child = (def.shape as Record<string, AnyZod>)[path[0] as string];
  return child ? at(child, path.slice(1)) : [];
};

/** The lake type of a leaf schema; throws for shapes a column cannot hold. */
const lakeTypeOf = (schema: AnyZod, where: string): LakeType => {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
      return (schema as unknown as { format?: string | null }).format === 'datetime' ? 'timestamp' : 'string';
    case 'enum':
      return 'string';
    case 'literal':
      return typeof (def.values as unknown[])[0] === 'number' ? 'bigint' : 'string';
    case 'number':
      return (schema as unknown as { isInt?: boolean }).isInt ? 'bigint' : 'double';
    case 'boolean':
      return 'boolean';
    default:
      throw new Error(`${where}: a ${def.type} cannot be a lake column`);
  }
};

const describe = (schemas: readonly AnyZod[]): string | undefined =>
  schemas.map((s) => (s as { description?: string }).description).find(Boolean);

/** One column from the data schemas having `path`, with their agreed type. */
const dataColumn = (path: string): LakeColumn => {
  const segments = path.split('.');
  const found = (Object.entries(EVENT_DATA_SCHEMAS) as unknown as [HubEventType, AnyZod][]).flatMap(([type, schema]) =>
    at(schema, segments).map((leaf) => ({ type, leaf })),
  );
  if (found.length === 0) throw new Error(`data.${path} is in no event type's data schema`);
  const types = new Set(found.map(({ type, leaf }) => lakeTypeOf(leaf, `${type} data.${path}`)));
  if (types.size > 1) throw new Error(`data.${path} has different types across event types: ${[...types].join(', ')}`);
  const eventTypes = [...new Set(found.map((f) => f.type))];
  return {
    name: snake(path),
    type: [...types][0] as LakeType,
    source: `data.${path}`,
    description:
      describe(found.map((f) => f.leaf)) ??
      `data.${path} of ${eventTypes.length > 4 ? `${eventTypes.length} event types` : eventTypes.join(', ')}`,
  };
};

const envelopeColumn = (name: string, field: string): LakeColumn => {
  const [leaf] = at(HubEventSchema as unknown as AnyZod, [field]);
  if (!leaf) throw new Error(`${field} is not an envelope field`);
  return {
    name,
    type: lakeTypeOf(leaf, field),
    source: field,
    description: describe([leaf]) ?? `Event ${field}`,
  };
};

/** The stored columns of `hub_lake`, in file order (partition columns excluded). */
export const LAKE_COLUMNS: readonly LakeColumn[] = (() => {
  const columns = [
    ...Object.entries(ENVELOPE_COLUMNS).map(([name, field]) => envelopeColumn(name, field)),
    ...ASSIGNMENT_COLUMNS,
    ...DATA_PATHS.map(dataColumn),
  ];
  const seen = new Set<string>();
  for (const c of [...columns, ...PARTITION_COLUMNS]) {
    if (seen.has(c.name)) throw new Error(`lake column ${c.name} is defined twice`);
    seen.add(c.name);
  }
  return columns;
})();

/** Glue / Hive type names. */
export const glueType = (type: LakeType): string => type;

/** DuckDB type names. */
export const duckDbType = (type: LakeType): string =>
  ({
    string: 'VARCHAR',
    bigint: 'BIGINT',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
    timestamp: 'TIMESTAMP',
    'array<string>': 'VARCHAR[]',
  })[type];

/**
 * A lake row as it is written (the Firehose record and the local staging
 * row): column → value, timestamps as epoch milliseconds (Firehose parses them
 * with the `millis` timestamp format), plus the partition values `dt` and
 * `type`, which Firehose's dynamic partitioning reads and the files don't hold.
 */
export type LakeValue = string | number | boolean | readonly string[] | null;
export type LakeRow = Readonly<Record<string, LakeValue>> & { readonly dt: string; readonly type: string };

const valueSchema = (type: LakeType): z.ZodType => {
  switch (type) {
    case 'string':
      return z.string();
    case 'bigint':
    case 'timestamp':
      return z.number().int();
    case 'double':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'array<string>':
      return z.array(z.string());
  }
};

/** Validates a lake row (every column present, null where the event has no such field). */
export const LakeRowSchema = z
  .object({
    ...Object.fromEntries(LAKE_COLUMNS.map((c) => [c.name, valueSchema(c.type).nullable()])),
    dt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    type: z.string().min(1),
  })
  .strict();
