/**
 * The local analytics lake: the same layout Firehose writes on S3 —
 * `<dir>/events/dt=YYYY-MM-DD/type=<type>/part-<uuid>.parquet` — kept by an
 * embedded DuckDB, which also runs the metrics over it.
 *
 * Rows arrive through `record` (the `AnalyticsSink`): they are appended to a
 * staging file first (durable, like Firehose's buffer) and to a staging
 * table queries read at once; `flush` turns the staged rows into Parquet
 * partitions (on a row count or a timer, as Firehose's buffering hints do).
 * Without a directory the lake is in memory (tests, `npm start` without a
 * data dir). `compact` applies erasures: it rewrites the partitions that
 * hold rows of erased customers without them (and without duplicate rows).
 *
 * Every operation runs one at a time on one connection (a promise chain),
 * so a query never sees a half-written flush.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  /** Folder of the lake (`events/` and the staging file); omitted → in memory. */
  readonly dir?: string;
  /** Staged rows that trigger a flush to Parquet. @default 50000 */
  readonly flushRows?: number;
  /** Longest a row stays staged before a flush. @default 60000 */
  readonly flushIntervalMs?: number;
  /** DuckDB worker threads. @default DuckDB's (one per core) */
  readonly threads?: number;
  /** Delay between an erasure record and the compaction that removes the customer's rows. @default 1000 */
  readonly compactAfterErasureMs?: number;
}

const STAGING_TABLE = 'hub_lake_staging';
const ALL_COLUMNS = [...LAKE_COLUMNS, ...PARTITION_COLUMNS];
const COLUMN_LIST = ALL_COLUMNS.map((c) => c.name).join(', ');

/** The Parquet files under `dir`, relative paths sorted. */
const parquetFiles = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.parquet')) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
};

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export class LocalLake implements AnalyticsSink {
  private chain: Promise<unknown> = Promise.resolve();
  private staged = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private filesInView = false;
  private compaction: NodeJS.Timeout | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly options: LocalLakeOptions,
  ) {}

  /** Opens (or creates) the lake and loads rows a previous run staged but did not flush. */
  static async open(options: LocalLakeOptions = {}): Promise<LocalLake> {
    const instance = await DuckDBInstance.create(':memory:', {
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
    const connection = await instance.connect();
    const lake = new LocalLake(instance, connection, options);
    await lake.init();
    return lake;
  }

  private get eventsDir(): string | undefined {
    return this.options.dir ? join(this.options.dir, 'events') : undefined;
  }

  private get stagingFile(): string | undefined {
    return this.options.dir ? join(this.options.dir, 'staging.jsonl') : undefined;
  }

  private async init(): Promise<void> {
    // Timestamps are UTC; the metrics convert to the asked time zone themselves.
    await this.connection.run("SET TimeZone = 'UTC'");
    for (const macro of DUCKDB_COMPAT_MACROS) await this.connection.run(macro);
    await this.connection.run(
      `CREATE TABLE ${STAGING_TABLE} (${ALL_COLUMNS.map((c) => `${c.name} ${duckDbType(c.type)}`).join(', ')})`,
    );
    if (this.options.dir) mkdirSync(this.options.dir, { recursive: true });
    const staging = this.stagingFile;
    if (staging && existsSync(staging)) {
      const rows = readFileSync(staging, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as LakeRow);
      await this.append(rows);
    }
    await this.defineViews();
    if (this.options.dir) {
      this.timer = setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs ?? 60_000);
      this.timer.unref();
    }
  }

  /** `hub_lake` = the Parquet files ∪ the staged rows; then the shared views of analytics/views. */
  private async defineViews(): Promise<void> {
    const dir = this.eventsDir;
    this.filesInView = dir !== undefined && parquetFiles(dir).length > 0;
    const files = this.filesInView
      ? `SELECT ${COLUMN_LIST} FROM read_parquet(${sqlString(join(dir as string, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'type': 'VARCHAR'}, union_by_name = true) UNION ALL `
      : '';
    await this.connection.run(`CREATE OR REPLACE VIEW hub_lake AS ${files}SELECT ${COLUMN_LIST} FROM ${STAGING_TABLE}`);
    for (const view of VIEWS) await this.connection.run(view.sql);
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

  private async append(rows: readonly LakeRow[]): Promise<void> {
    if (rows.length === 0) return;
    const appender: DuckDBAppender = await this.connection.createAppender(STAGING_TABLE);
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
    appender.closeSync();
    this.staged += rows.length;
  }

  async record(rows: readonly LakeRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.exclusive(async () => {
      const staging = this.stagingFile;
      // The staging file first: once it holds the rows, a crash loses nothing.
      if (staging) appendFileSync(staging, rows.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
      await this.append(rows);
    });
    if (this.eventsDir && this.staged >= (this.options.flushRows ?? 50_000)) await this.flush();
    // An erasure is applied to the files soon after, not at the next maintenance: the person's data goes now.
    if (rows.some((r) => r.type === 'customer.erased') && !this.compaction) {
      this.compaction = setTimeout(() => {
        this.compaction = undefined;
        void this.compact().catch(() => undefined);
      }, this.options.compactAfterErasureMs ?? 1000);
      this.compaction.unref();
    }
  }

  /** Runs a query alone on the lake and returns its rows as plain values (dates as `YYYY-MM-DD`). */
  query(sql: string, values: Record<string, string | number> = {}): Promise<Record<string, string | number | null>[]> {
    return this.exclusive(async (c) => {
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
    });
  }

  /** Staged rows → Parquet partitions (no-op in memory or with nothing staged). */
  flush(): Promise<void> {
    if (!this.eventsDir) return Promise.resolve();
    return this.exclusive((c) => this.flushStaged(c));
  }

  private async flushStaged(c: DuckDBConnection): Promise<void> {
    const dir = this.eventsDir;
    const staging = this.stagingFile;
    if (!dir || !staging || this.staged === 0) return;
    await c.run(
      `COPY (SELECT * FROM ${STAGING_TABLE}) TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY (dt, type), APPEND, FILENAME_PATTERN 'part-{uuid}')`,
    );
    await c.run(`DELETE FROM ${STAGING_TABLE}`);
    // Truncated only once the rows are in Parquet: a crash in between leaves duplicates (counted once), never a gap.
    writeFileSync(`${staging}.tmp`, '', { mode: 0o600 });
    renameSync(`${staging}.tmp`, staging);
    this.staged = 0;
    if (!this.filesInView) await this.defineViews();
  }

  /**
   * Applies erasures and drops duplicate rows. Staged rows are flushed first;
   * then every partition holding a row to drop — a row of an erased customer
   * other than the erasure record itself, or a second copy of a row (same id,
   * type and customer) — is rewritten with only the rows kept, and its old
   * files are deleted. In memory, the staging table is cleaned the same way.
   */
  compact(): Promise<{ partitions: number; removedRows: number }> {
    return this.exclusive(async (c) => {
      const ranked = `
        SELECT r.*, row_number() OVER (PARTITION BY r.id, r.type, r.customer_id ORDER BY r.assigned_at) AS copy_number
        FROM hub_lake_resolved r`;
      const dropped = `(copy_number > 1 OR (erased AND type <> 'customer.erased'))`;
      const count = async (sql: string): Promise<number> =>
        Number((await c.runAndReadAll(sql)).getRowObjectsJS()[0]?.n ?? 0);
      const dir = this.eventsDir;
      if (!dir) {
        const removedRows = await count(`SELECT count(*) AS n FROM (${ranked}) WHERE ${dropped}`);
        await c.run(`
          DELETE FROM ${STAGING_TABLE} WHERE rowid IN (
            SELECT s.rowid FROM (
              SELECT rowid, id, type, customer_id,
                row_number() OVER (PARTITION BY id, type, customer_id ORDER BY assigned_at) AS copy_number
              FROM ${STAGING_TABLE}
            ) s
            LEFT JOIN (SELECT DISTINCT id, type, customer_id, erased FROM hub_lake_resolved) r
              ON r.id = s.id AND r.type = s.type AND r.customer_id IS NOT DISTINCT FROM s.customer_id
            WHERE s.copy_number > 1 OR (r.erased AND s.type <> 'customer.erased')
          )`);
        this.staged -= removedRows;
        return { partitions: 0, removedRows };
      }
      await this.flushStaged(c);
      if (!this.filesInView) return { partitions: 0, removedRows: 0 };
      const partitions = (await c.runAndReadAll(`SELECT DISTINCT dt, type FROM (${ranked}) WHERE ${dropped}`))
        .getRowObjectsJS()
        .map((r) => ({ dt: String(r.dt), type: String(r.type) }));
      let removedRows = 0;
      for (const [n, { dt, type }] of partitions.entries()) {
        const folder = join(dir, `dt=${dt}`, `type=${type}`);
        const old = parquetFiles(folder);
        const where = `dt = ${sqlString(dt)} AND type = ${sqlString(type)}`;
        const before = await count(`SELECT count(*) AS n FROM hub_lake WHERE ${where}`);
        const target = join(folder, `part-compacted-${Date.now()}-${n}.parquet`);
        await c.run(
          `COPY (SELECT ${LAKE_COLUMNS.map((col) => col.name).join(', ')} FROM (${ranked}) WHERE ${where} AND NOT ${dropped}) TO ${sqlString(`${target}.tmp`)} (FORMAT parquet)`,
        );
        const after = await count(`SELECT count(*) AS n FROM read_parquet(${sqlString(`${target}.tmp`)})`);
        for (const file of old) rmSync(file);
        if (after > 0) renameSync(`${target}.tmp`, target);
        else rmSync(`${target}.tmp`);
        removedRows += before - after;
      }
      await this.defineViews();
      return { partitions: partitions.length, removedRows };
    });
  }

  /** Flushes and closes DuckDB. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.compaction) {
      clearTimeout(this.compaction);
      this.compaction = undefined;
      await this.compact().catch(() => undefined);
    }
    await this.flush().catch(() => undefined);
    await this.exclusive(async (c) => {
      this.closed = true;
      c.closeSync();
      this.instance.closeSync();
    }).catch(() => undefined);
  }
}
