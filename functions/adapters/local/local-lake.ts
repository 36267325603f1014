/**
 * The local analytics lake: one table, `hub_lake` (the columns the Glue
 * table has, `dt` and `type` included), in an embedded DuckDB database file
 * `<dir>/lake.duckdb` (in memory without a directory), with the shared views
 * of `analytics/views` on top; the metrics run on it as they run on Athena.
 *
 * Why a DuckDB table and not the S3 layout of Parquet files: at local
 * volumes a day/type partitioning yields thousands of files of a few hundred
 * rows, and opening them costs more than the queries (measured in
 * bench/analytics.ts: ~0.4 s per query for 9 000 files of 100 000 rows).
 * `exportParquet` writes the very layout Firehose writes on S3
 * (`events/dt=…/type=…/…parquet`), which the benchmark measures Athena's
 * bytes on.
 *
 * Rows arrive through `record` (the `AnalyticsSink`), committed by DuckDB
 * before it resolves. `compact` applies erasures and drops duplicate rows;
 * with a file it then rewrites the database into a new file and swaps it in,
 * so deleted rows do not linger in freed blocks. Every operation runs one at
 * a time (a promise chain), so a query never sees a half-done compaction.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DuckDBInstance,
  DuckDBTimestampValue,
  LIST,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import { DUCKDB_COMPAT_MACROS } from '../../analytics/dialect.js';
import { duckDbType, LAKE_COLUMNS, PARTITION_COLUMNS, type LakeRow } from '../../analytics/lake-schema.js';
import { VIEWS } from '../../analytics/sql.generated.js';
import type { AnalyticsSink } from '../../ports.js';

export interface LocalLakeOptions {
  /** Folder of the lake (`lake.duckdb`); omitted → in memory. */
  readonly dir?: string;
  /** DuckDB worker threads. @default DuckDB's (one per core) */
  readonly threads?: number;
  /** Delay between an erasure record and the compaction that removes the customer's rows. @default 1000 */
  readonly compactAfterErasureMs?: number;
}

const TABLE = 'hub_lake';
const ALL_COLUMNS = [...LAKE_COLUMNS, ...PARTITION_COLUMNS];
const FILE = 'lake.duckdb';

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

type Row = Record<string, string | number | null>;

export class LocalLake implements AnalyticsSink {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private compaction: NodeJS.Timeout | undefined;
  /** Bumped by every write; the resolved snapshot is rebuilt when it changed. */
  private version = 0;
  private snapshotVersion = -1;

  private constructor(
    private instance: DuckDBInstance,
    private connection: DuckDBConnection,
    private readonly options: LocalLakeOptions,
  ) {}

  /** Opens (or creates) the lake. */
  static async open(options: LocalLakeOptions = {}): Promise<LocalLake> {
    // The lake holds personal data (pseudonymous ids, vendor message and order ids): owner-only, like every local data file.
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
      chmodSync(options.dir, 0o700);
    }
    const { instance, connection } = await LocalLake.connect(options);
    return new LocalLake(instance, connection, options);
  }

  private static async connect(options: LocalLakeOptions) {
    const instance = await DuckDBInstance.create(options.dir ? join(options.dir, FILE) : ':memory:', {
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
    const connection = await instance.connect();
    // Timestamps are UTC; the metrics convert to the asked time zone themselves.
    await connection.run("SET TimeZone = 'UTC'");
    for (const macro of DUCKDB_COMPAT_MACROS) await connection.run(macro);
    // New columns (an additive schema change) are added to an existing lake.
    await connection.run(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (${ALL_COLUMNS.map((c) => `${c.name} ${duckDbType(c.type)}`).join(', ')})`,
    );
    for (const c of ALL_COLUMNS)
      await connection.run(`ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS ${c.name} ${duckDbType(c.type)}`);
    for (const view of VIEWS) await connection.run(view.sql);
    if (options.dir) LocalLake.restrict(options.dir);
    return { instance, connection };
  }

  /** Owner-only modes on the database and its write-ahead log (DuckDB creates them with the process umask). */
  private static restrict(dir: string): void {
    for (const suffix of ['', '.wal']) {
      const file = join(dir, `${FILE}${suffix}`);
      if (existsSync(file)) chmodSync(file, 0o600);
    }
  }

  /** Runs `fn` alone on the lake's connection. */
  private exclusive<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error('The analytics lake is closed');
      return fn(this.connection);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async append(c: DuckDBConnection, rows: readonly LakeRow[]): Promise<void> {
    const appender: DuckDBAppender = await c.createAppender(TABLE);
    for (const row of rows) {
      for (const column of ALL_COLUMNS) {
        const value = row[column.name];
        if (value === null || value === undefined) appender.appendNull();
        else if (column.type === 'timestamp')
          appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value as number) * 1000n));
        else if (column.type === 'bigint') appender.appendBigInt(BigInt(value as number));
        else if (column.type === 'double') appender.appendDouble(value as number);
        else if (column.type === 'boolean') appender.appendBoolean(value as boolean);
        else if (column.type === 'array<string>')
          // Typed explicitly: an empty list has no element to infer VARCHAR from.
          appender.appendList([...(value as readonly string[])] as DuckDBValue[], LIST(VARCHAR));
        else appender.appendVarchar(String(value));
      }
      appender.endRow();
    }
    // Closing flushes and commits: when this resolves the rows are in the database (and its WAL).
    appender.closeSync();
  }

  async record(rows: readonly LakeRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.exclusive(async (c) => {
      await this.append(c, rows);
      this.version++;
      if (this.options.dir && this.version === 1) LocalLake.restrict(this.options.dir);
    });
    // An erasure is applied to the data soon after, not at some later maintenance: the person's data goes now.
    if (rows.some((r) => r.type === 'customer.erased') && !this.compaction) {
      this.compaction = setTimeout(() => {
        this.compaction = undefined;
        void this.compact().catch(() => undefined);
      }, this.options.compactAfterErasureMs ?? 1000);
      this.compaction.unref();
    }
  }

  /** Runs a query alone on the lake and returns its rows as plain values (dates as `YYYY-MM-DD`). */
  query(sql: string, values: Record<string, string | number> = {}): Promise<Row[]> {
    return this.exclusive((c) => this.read(c, sql, values));
  }

  /**
   * Runs a metric query on a snapshot of `hub_events`: the view (customers
   * resolved through merges and unmerges, erased ones left out) materialized
   * once per version of the lake, sorted by type and time so the metrics'
   * type and period filters skip whole row groups. Every metric of a
   * dashboard request then reads a plain table instead of resolving a million
   * rows again; any write makes the next query rebuild it.
   */
  queryEvents(sql: string, values: Record<string, string | number> = {}): Promise<Row[]> {
    return this.exclusive(async (c) => {
      if (this.snapshotVersion !== this.version) {
        await c.run(
          'CREATE OR REPLACE TEMP TABLE hub_events AS SELECT * FROM main.hub_events ORDER BY type, occurred_at',
        );
        this.snapshotVersion = this.version;
      }
      return this.read(c, sql, values);
    });
  }

  private async read(c: DuckDBConnection, sql: string, values: Record<string, string | number>): Promise<Row[]> {
    const reader = await c.runAndReadAll(sql, values);
    return reader
      .getRowObjectsJS()
      .map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            v === null || v === undefined
              ? null
              : typeof v === 'bigint'
                ? Number(v)
                : v instanceof Date
                  ? v.toISOString().slice(0, 10)
                  : typeof v === 'number' || typeof v === 'string'
                    ? v
                    : String(v),
          ]),
        ),
      );
  }

  /**
   * Applies erasures and drops duplicate rows: deletes every row of an erased
   * customer except the erasure records themselves, and every second copy of
   * a row (same id, type and customer). With a file, the database is then
   * rewritten into a fresh file, so nothing deleted survives in freed blocks.
   */
  compact(): Promise<{ removedRows: number }> {
    return this.exclusive(async (c) => {
      const count = async (sql: string): Promise<number> =>
        Number((await c.runAndReadAll(sql)).getRowObjectsJS()[0]?.n ?? 0);
      const doomed = `
        SELECT rowid FROM (
          SELECT l.rowid,
            row_number() OVER (PARTITION BY l.id, l.type, l.customer_id ORDER BY l.assigned_at, l.rowid) AS copy_number
          FROM ${TABLE} l
        ) ranked
        WHERE copy_number > 1
        UNION
        SELECT l.rowid FROM ${TABLE} l
        JOIN (SELECT DISTINCT id, type, customer_id FROM hub_lake_resolved WHERE erased AND type <> 'customer.erased') r
          ON r.id = l.id AND r.type = l.type AND r.customer_id IS NOT DISTINCT FROM l.customer_id`;
      await c.run(`CREATE OR REPLACE TEMP TABLE doomed AS ${doomed}`);
      const removedRows = await count('SELECT count(*) AS n FROM doomed');
      if (removedRows === 0) return { removedRows };
      await c.run(`DELETE FROM ${TABLE} WHERE rowid IN (SELECT rowid FROM doomed)`);
      this.version++;
      await c.run('DROP TABLE doomed');
      if (this.options.dir) await this.rewrite(c);
      return { removedRows };
    });
  }

  /** Copies the table into a new database file and swaps it in (the old file and its WAL are deleted). */
  private async rewrite(c: DuckDBConnection): Promise<void> {
    const dir = this.options.dir as string;
    const next = join(dir, `${FILE}.next`);
    rmSync(next, { force: true });
    await c.run(`ATTACH ${sqlString(next)} AS next_lake`);
    await c.run(`CREATE TABLE next_lake.${TABLE} AS SELECT * FROM ${TABLE} ORDER BY dt, type`);
    await c.run('DETACH next_lake');
    c.closeSync();
    this.instance.closeSync();
    for (const suffix of ['', '.wal']) rmSync(join(dir, `${FILE}${suffix}`), { force: true });
    renameSync(next, join(dir, FILE));
    if (existsSync(`${next}.wal`)) renameSync(`${next}.wal`, join(dir, `${FILE}.wal`));
    const reopened = await LocalLake.connect(this.options);
    this.instance = reopened.instance;
    this.connection = reopened.connection;
    this.snapshotVersion = -1;
  }

  /**
   * Writes the lake in the layout Firehose writes on S3 —
   * `<target>/dt=YYYY-MM-DD/type=<type>/<file>.parquet`, the stored columns in
   * Glue order — and returns the number of rows written.
   */
  exportParquet(target: string): Promise<number> {
    return this.exclusive(async (c) => {
      await c.run(
        `COPY (SELECT ${ALL_COLUMNS.map((col) => col.name).join(', ')} FROM ${TABLE} ORDER BY dt, type) TO ${sqlString(target)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (dt, type), FILENAME_PATTERN 'part-{uuid}')`,
      );
      return Number((await c.runAndReadAll(`SELECT count(*) AS n FROM ${TABLE}`)).getRowObjectsJS()[0]?.n ?? 0);
    });
  }

  /** Applies a pending erasure compaction and closes DuckDB. */
  async close(): Promise<void> {
    if (this.compaction) {
      clearTimeout(this.compaction);
      this.compaction = undefined;
      await this.compact().catch(() => undefined);
    }
    await this.exclusive(async (c) => {
      this.closed = true;
      c.closeSync();
      this.instance.closeSync();
      if (this.options.dir) LocalLake.restrict(this.options.dir);
    }).catch(() => undefined);
  }
}
