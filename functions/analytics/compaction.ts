/**
 * Lake compaction on AWS: the statements that take an erased customer's rows
 * out of the Parquet files on S3. Firehose only ever appends, and Athena
 * cannot delete from a Hive table, so the job rewrites each affected
 * `dt/type` partition: `UNLOAD` the rows to keep into a staging prefix, copy
 * those files into the partition, then delete the partition's old files.
 *
 * Which rows go is the predicate the views already use (`hub_lake_resolved`:
 * `erased`), so the metrics and the compaction can never disagree about who
 * is erased; the erasure records themselves stay (a late row of the person is
 * hidden by them and removed by the next run). The SQL here is the shared
 * dialect and is run against DuckDB in the tests.
 */
import { HUB_EVENT_TYPES } from '../events/hub-event.js';
import { LAKE_COLUMNS, LAKE_RECORD_TYPES } from './lake-schema.js';

/** One partition of the lake: `events/dt=<dt>/type=<type>/`. */
export interface LakePartition {
  readonly dt: string;
  readonly type: string;
}

/** Partitions holding a row of an erased customer, the erasure records excepted. */
export const ERASED_PARTITIONS_SQL = `SELECT DISTINCT dt, type
FROM hub_lake_resolved
WHERE erased AND type <> 'customer.erased'
ORDER BY dt, type`;

const LAKE_TYPES: ReadonlySet<string> = new Set([...HUB_EVENT_TYPES, ...LAKE_RECORD_TYPES]);

/**
 * A partition as read back from a query, checked before it is spliced into a
 * statement (`UNLOAD` takes no execution parameters): a real date and a known
 * type, nothing else.
 */
export const lakePartition = (row: Readonly<Record<string, unknown>>): LakePartition => {
  const { dt, type } = row;
  if (typeof dt !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(dt) || Number.isNaN(Date.parse(`${dt}T00:00:00Z`)))
    throw new Error(`Not a lake partition date: ${JSON.stringify(dt)}`);
  if (typeof type !== 'string' || !LAKE_TYPES.has(type))
    throw new Error(`Not a lake record type: ${JSON.stringify(type)}`);
  return { dt, type };
};

/** The partition's key prefix in the lake bucket (the layout Firehose writes). */
export const partitionPrefix = (p: LakePartition): string => `events/dt=${p.dt}/type=${p.type}/`;

/**
 * The rows of a partition that stay: not an erased customer's. The columns
 * are the table's, in its order, so the rewritten files read like Firehose's
 * (Athena reads Parquet columns by name); the partition columns live in the path.
 */
export const keptRowsSql = (p: LakePartition): string =>
  `SELECT ${LAKE_COLUMNS.map((c) => c.name).join(', ')}
FROM hub_lake_resolved
WHERE dt = '${p.dt}' AND type = '${p.type}' AND NOT erased`;

/** Writes the kept rows of a partition as Snappy Parquet under `destination` (an empty `s3://…/` prefix). */
export const unloadStatement = (p: LakePartition, destination: string): string => {
  if (!/^s3:\/\/[a-z0-9.-]+\/[\w=./-]+\/$/.test(destination))
    throw new Error(`Not an S3 prefix for UNLOAD: ${destination}`);
  return `UNLOAD (${keptRowsSql(p)}) TO '${destination}' WITH (format = 'PARQUET', compression = 'SNAPPY')`;
};
