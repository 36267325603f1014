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

/** Lake facts: rows that change which customer other rows belong to, never metric rows themselves. */
const FACT_TYPES = new Set(['customer.merged', 'customer.unmerged', 'customer.erased', 'customer.reassigned']);

/**
 * Beyond this many rows written since the snapshot, rebuilding it is cheaper
 * than applying them one key at a time (and re-sorts it for the zone maps).
 */
const INCREMENTAL_LIMIT = 50_000;

/** What the writes since the snapshot change in it; applied by the next query. */
interface SnapshotDelta {
  /** Ids of new event rows and of events an unmerge moved: re-resolved and re-inserted. */
  readonly ids: Set<string>;
  /** Profile ids a new merge names (survivor and merge set): their events are re-resolved. */
  readonly merged: Set<string>;
  /** A new erasure record: its customer's rows leave the snapshot. */
  erased: boolean;
  /** A new fact of any kind: the fact views' snapshots are taken again. */
  facts: boolean;
}

/** The SELECT of one of the shared views (its `CREATE OR REPLACE VIEW … AS` and leading comments cut). */
const viewSelect = (name: string): string => {
  const sql = VIEWS.find((v) => v.name === name)?.sql ?? '';
  const head = new RegExp(`CREATE OR REPLACE VIEW ${name} AS\\s`).exec(sql);
  if (!head) throw new Error(`analytics/views has no view ${name}`);
  return sql.slice(head.index + head[0].length);
};

const emptyDelta = (): SnapshotDelta => ({ ids: new Set(), merged: new Set(), erased: false, facts: false });

/**
 * The views over the lake's facts alone (merges, moves, erasures): a few rows
 * per thousand events, but costly to derive (the merge sets are lists), so
 * they are snapshotted too, shadowing the views the resolution reads.
 */
const FACT_VIEWS = ['hub_customer_alias', 'hub_reassigned', 'hub_erased_customers'] as const;

/**
 * Views over `hub_events` the metrics share, kept as tables beside the
 * snapshot (aggregated once instead of per metric and per request) and
 * updated per key with it: `rowKey` is the key of a `hub_events` row the view
 * aggregates (`where`), as the view's own GROUP BY computes it.
 */
const DERIVED_VIEWS = [
  {
    view: 'hub_orders',
    key: 'order_key',
    rowKey: "connector || ':' || order_id",
    where: "type IN ('order.placed', 'order.paid', 'purchase.completed')",
  },
  // Every row of a touched customer: the view's own WHERE picks her contacts.
  { view: 'hub_customer_contacts', key: 'customer_id', rowKey: 'customer_id', where: 'true' },
  {
    view: 'hub_customer_ltv',
    key: 'customer_id',
    rowKey: 'customer_id',
    where: "type IN ('order.placed', 'order.paid', 'purchase.completed', 'order.refunded')",
    // It reads hub_orders too, where an order belongs to its earliest event's customer: a new earlier event
    // moves the order from her to another customer without touching any of the first one's rows.
    orders: true,
  },
] as const;

/** Whether a derived view reads `hub_orders` (then its keys are customers, also touched by their orders). */
const readsOrders = (d: (typeof DERIVED_VIEWS)[number]): boolean => 'orders' in d && d.orders;

export class LocalLake implements AnalyticsSink {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private compaction: NodeJS.Timeout | undefined;
  /** Rows appended since open (owner-only modes are set after the first). */
  private writes = 0;
  /** Whether the connection holds the resolved snapshot `temp.hub_events`. */
  private snapshot = false;
  /** The writes since the snapshot, or 'rebuild' when rebuilding it is the cheaper way. */
  private delta: SnapshotDelta | 'rebuild' = emptyDelta();

  private constructor(
    private instance: DuckDBInstance,
    private connection: DuckDBConnection,
    /**
     * `<catalog>.main`, where the shared views live. Always qualified by the
     * catalog: the temp catalog's schema is also called `main`, so a bare
     * `main.hub_events` would read the snapshot itself.
     */
    private lakeViews: string,
    private readonly options: LocalLakeOptions,
  ) {}

  /** Opens (or creates) the lake. */
  static async open(options: LocalLakeOptions = {}): Promise<LocalLake> {
    // The lake holds personal data (pseudonymous ids, vendor message and order ids): owner-only, like every local data file.
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
      chmodSync(options.dir, 0o700);
    }
    const { instance, connection, lakeViews } = await LocalLake.connect(options);
    return new LocalLake(instance, connection, lakeViews, options);
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
    const catalog = String((await connection.runAndReadAll('SELECT current_database() AS d')).getRowObjectsJS()[0]?.d);
    return { instance, connection, lakeViews: `"${catalog.replace(/"/g, '""')}".main` };
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
      this.writes++;
      if (this.options.dir && this.writes === 1) LocalLake.restrict(this.options.dir);
      if (this.snapshot) this.noteDelta(rows);
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

  /** What `rows` change in the snapshot, remembered for the next query. */
  private noteDelta(rows: readonly LakeRow[]): void {
    const delta = this.delta;
    if (delta === 'rebuild') return;
    for (const row of rows) {
      if (FACT_TYPES.has(row.type)) delta.facts = true;
      if (row.type === 'customer.merged') {
        delta.merged.add(String(row.customer_id));
        for (const id of (row.related_ids as readonly string[] | null) ?? []) delta.merged.add(id);
      } else if (row.type === 'customer.erased') delta.erased = true;
      else if (row.type !== 'customer.unmerged') delta.ids.add(String(row.id));
    }
    if (delta.ids.size + delta.merged.size > INCREMENTAL_LIMIT) this.delta = 'rebuild';
  }

  /**
   * Runs a query alone on the lake and returns its rows as plain values
   * (dates as `YYYY-MM-DD`); `hub_events` is the current snapshot once a
   * metric has taken one.
   */
  query(sql: string, values: Record<string, string | number> = {}): Promise<Row[]> {
    return this.exclusive(async (c) => {
      if (this.snapshot) await this.refreshSnapshot(c);
      return this.read(c, sql, values);
    });
  }

  /**
   * Runs a metric query on a snapshot of `hub_events`: the view (customers
   * resolved through merges and unmerges, erased ones left out) materialized
   * as a table, so every metric of a dashboard reads a plain table instead of
   * resolving a million rows again. Taken once (sorted by type and time, so
   * the metrics' type and period filters skip whole row groups), then kept
   * current by applying each write's rows (see `refreshSnapshot`).
   */
  queryEvents(sql: string, values: Record<string, string | number> = {}): Promise<Row[]> {
    return this.exclusive(async (c) => {
      await this.refreshSnapshot(c);
      return this.read(c, sql, values);
    });
  }

  /**
   * Brings the snapshot up to date. Taken whole the first time (and after a
   * compaction, or a write too large to apply by key); otherwise only what the
   * writes since changed: the events they added or an unmerge moved, and every
   * event of a profile a new merge names, are deleted and re-read through the
   * view (the views resolve them against every fact, old and new); a new
   * erasure deletes its customers' rows. No other event's customer can change:
   * a row's customer depends only on its own reassignment, the merges naming
   * its profile and the erasures of its survivor.
   */
  private async refreshSnapshot(c: DuckDBConnection): Promise<void> {
    const delta = this.delta;
    this.delta = emptyDelta();
    if (!this.snapshot || delta === 'rebuild') {
      await this.snapshotFacts(c);
      await c.run(
        `CREATE OR REPLACE TEMP TABLE hub_events AS SELECT * FROM ${this.lakeViews}.hub_events ORDER BY type, occurred_at`,
      );
      // The views' bodies read hub_events: the snapshot just taken.
      for (const d of DERIVED_VIEWS)
        await c.run(`CREATE OR REPLACE TEMP TABLE ${d.view} AS SELECT * FROM ${this.lakeViews}.${d.view}`);
      this.snapshot = true;
      return;
    }
    if (delta.facts) await this.snapshotFacts(c);
    const changed = delta.ids.size > 0 || delta.merged.size > 0;
    if (!changed && !delta.erased) return;
    const erased = 'customer_id IN (SELECT customer_id FROM temp.hub_erased_customers)';
    const listed = 'id IN (SELECT k FROM snapshot_ids)';
    await this.touch(c, undefined);
    if (changed) {
      await this.keys(c, 'snapshot_ids', delta.ids);
      if (delta.merged.size > 0) {
        await this.keys(c, 'snapshot_merged', delta.merged);
        await c.run(`
          INSERT INTO snapshot_ids
          SELECT id FROM ${this.lakeViews}.${TABLE} WHERE customer_id IN (SELECT k FROM snapshot_merged)
          UNION
          SELECT id FROM temp.hub_reassigned WHERE customer_id IN (SELECT k FROM snapshot_merged)`);
      }
      await this.touch(c, listed);
      await c.run(`DELETE FROM temp.hub_events WHERE ${listed}`);
      // The shared view itself resolves the rows, over a temp view that shadows hub_lake with just those rows
      // (DuckDB binds a view's tables at query time, temp first; the fact views are shadowed by their
      // snapshots): the same SQL as a full snapshot, the cost of the rows at hand. A filter on the view's
      // output would not reach the table scan below its joins.
      await c.run(`CREATE OR REPLACE TEMP VIEW ${TABLE} AS SELECT * FROM ${this.lakeViews}.${TABLE} WHERE ${listed}`);
      try {
        await c.run(`INSERT INTO temp.hub_events SELECT * FROM ${this.lakeViews}.hub_events`);
      } finally {
        await c.run(`DROP VIEW IF EXISTS temp.main.${TABLE}`);
      }
      await this.touch(c, listed);
    }
    if (delta.erased) {
      await this.touch(c, erased);
      await c.run(`DELETE FROM temp.hub_events WHERE ${erased}`);
    }
    // Each derived view's rows of the touched keys are computed again by the view's own SELECT, over a CTE
    // that shadows hub_events with the touched keys' rows of the snapshot (now current); a filter on the
    // view's output would aggregate every key first.
    // A view reading hub_orders also sees it shadowed by the touched customers' orders (hub_orders comes
    // first, so it is current by then), and the customers of a touched order, before and after, are touched.
    const orderCustomers = async (): Promise<void> => {
      for (const d of DERIVED_VIEWS.filter(readsOrders))
        await c.run(`
          INSERT INTO snapshot_touched_${d.view}
          SELECT DISTINCT customer_id FROM temp.hub_orders WHERE order_key IN (SELECT k FROM snapshot_touched_hub_orders)`);
    };
    for (const d of DERIVED_VIEWS) {
      const touched = `(SELECT k FROM snapshot_touched_${d.view})`;
      if (d.view === 'hub_orders') await orderCustomers();
      await c.run(`DELETE FROM temp.${d.view} WHERE ${d.key} IN ${touched}`);
      const shadows = [`hub_events AS (SELECT * FROM temp.hub_events WHERE ${d.where} AND ${d.rowKey} IN ${touched})`];
      if (readsOrders(d)) shadows.push(`hub_orders AS (SELECT * FROM temp.hub_orders WHERE customer_id IN ${touched})`);
      // The view's own CTEs (if any) follow the shadows in one WITH list.
      const body = viewSelect(d.view).replace(/^WITH\s/, ', ');
      await c.run(`
        INSERT INTO temp.${d.view}
        WITH ${shadows.join(', ')}
        ${body}`);
      if (d.view === 'hub_orders') await orderCustomers();
    }
  }

  /**
   * Adds the derived views' keys of the snapshot rows matching `rows` (before
   * and after a change) to their touched sets; `undefined` empties the sets.
   */
  private async touch(c: DuckDBConnection, rows: string | undefined): Promise<void> {
    for (const d of DERIVED_VIEWS) {
      const table = `snapshot_touched_${d.view}`;
      if (rows === undefined) await c.run(`CREATE OR REPLACE TEMP TABLE ${table} (k VARCHAR)`);
      else
        await c.run(
          `INSERT INTO ${table} SELECT DISTINCT ${d.rowKey} FROM temp.hub_events WHERE ${d.where} AND ${rows}`,
        );
    }
  }

  /** Snapshots the fact views (see FACT_VIEWS); the resolution of events then reads these tables. */
  private async snapshotFacts(c: DuckDBConnection): Promise<void> {
    for (const view of FACT_VIEWS) await c.run(`DROP TABLE IF EXISTS temp.main.${view}`);
    for (const view of FACT_VIEWS) await c.run(`CREATE TEMP TABLE ${view} AS SELECT * FROM ${this.lakeViews}.${view}`);
  }

  /** Fills the one-column temp table `name` (column `k`) with `keys`. */
  private async keys(c: DuckDBConnection, name: string, keys: ReadonlySet<string>): Promise<void> {
    await c.run(`CREATE OR REPLACE TEMP TABLE ${name} (k VARCHAR)`);
    const appender = await c.createAppender(name, 'main', 'temp');
    for (const key of keys) {
      appender.appendVarchar(key);
      appender.endRow();
    }
    appender.closeSync();
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
      // The predicate reads the fact snapshots when there are any: bring them up to date first.
      if (this.snapshot) await this.refreshSnapshot(c);
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
      // The snapshot already hides what was deleted (duplicates and erased rows); a rewrite drops it with the connection.
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
    this.lakeViews = reopened.lakeViews;
    this.snapshot = false;
    this.delta = emptyDelta();
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
