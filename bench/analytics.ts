/**
 * Phase: analytics. One million hub events for 100 000 customers (quick: a
 * tenth) from the workload generator, written into the local lake — the same
 * dt/type Parquet layout Firehose writes on S3 — then every metric of the
 * dashboard run by DuckDB through the same engine `GET /v1/metrics` uses,
 * beside the floor measured in the same run: a bare DuckDB scan of the same
 * files (`SELECT count(*)` over the lake).
 *
 * Bytes Athena would scan: Athena reads the Parquet column chunks of the
 * columns a query names, in the partitions its predicates keep, plus each
 * file's footer. For every metric this phase asks DuckDB's plan which files
 * survive partition pruning (the `dt`/`type` predicates are literals on
 * Athena too), and sums, from `parquet_metadata()`, the compressed size of
 * those files' chunks of the columns the metric's SQL names (views resolved),
 * plus footers. Reported per refresh of the whole dashboard for a 1-day, a
 * 7-day and a 30-day period, beside what Athena bills (10 MB minimum per
 * query).
 *
 * Targets: each metric within 3× the scan floor, the whole dashboard under
 * 2 s, ≤ 10 MB scanned per day of data queried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbMetricsEngine } from '../functions/adapters/local/duckdb-metrics-engine.js';
import { LocalLake } from '../functions/adapters/local/local-lake.js';
import { mergeRow } from '../functions/analytics/lake-row.js';
import { LAKE_COLUMNS, type LakeRow } from '../functions/analytics/lake-schema.js';
import {
  DEFAULT_METRIC_OPTIONS,
  METRIC_NAMES,
  metricParams,
  periodOf,
  type Granularity,
  type MetricName,
} from '../functions/analytics/metrics.js';
import { METRIC_SQL, VIEWS } from '../functions/analytics/sql.generated.js';
import { analyticsWorkload } from './lib/analytics-workload.js';
import { isEntry, isQuick, progress, runPhase } from './lib/phase.js';
import { median, round } from './lib/stats.js';

const PHASE = 'analytics';
const DAY = 86_400_000;
const ATHENA_MIN_BILLED = 10 * 1024 * 1024;

const timeMs = async (fn: () => Promise<unknown>, repeats: number): Promise<number> => {
  const times: number[] = [];
  await fn(); // warm: file handles, metadata cache, macros
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
};

/**
 * A metric's SQL with the shared views it reads over `hub_events`
 * (`hub_orders`, …) appended: Athena reads their columns and partitions too.
 */
const withViews = (sql: string): string =>
  [sql, ...VIEWS.filter((v) => new RegExp(`\\bFROM ${v.name}\\b`).test(sql)).map((v) => v.sql)].join('\n');

/** Columns the views read to resolve customers and hide erased ones, whatever the metric. */
const RESOLUTION_COLUMNS = ['id', 'customer_id', 'assigned_at', 'related_ids'];

/**
 * Columns of the lake a metric reads: those its SQL names (Athena prunes the
 * views' other columns) plus the ones the resolution views always read.
 */
const columnsNamed = (sql: string): string[] => {
  const code = sql.replace(/--.*$/gm, '');
  return LAKE_COLUMNS.map((c) => c.name).filter(
    (name) => RESOLUTION_COLUMNS.includes(name) || new RegExp(`\\b${name}\\b`).test(code),
  );
};

export const runAnalyticsBench = async () => {
  const quick = isQuick();
  const customers = quick ? 10_000 : 100_000;
  const target = quick ? 100_000 : 1_000_000;
  const repeats = quick ? 3 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-lake-'));
  try {
    progress(PHASE, `generating ${target} events for ${customers} customers`);
    const generatedAt = performance.now();
    const workload = analyticsWorkload({ customers, events: target });
    const generateMs = performance.now() - generatedAt;

    progress(PHASE, `writing ${workload.rows.length} rows into the local lake`);
    const lake = await LocalLake.open({ dir: join(dir, 'lake') });
    const writeStarted = performance.now();
    for (let i = 0; i < workload.rows.length; i += 50_000) await lake.record(workload.rows.slice(i, i + 50_000));
    await lake.query('CHECKPOINT');
    const writeMs = performance.now() - writeStarted;
    // The write before the cold dashboard: she adds an order (a copy of the last order row, new ids).
    const lastOrder = workload.rows.findLast((r) => r.type === 'order.placed');
    if (!lastOrder) throw new Error('the workload has no order');
    const newOrder = (i: number): LakeRow => ({ ...lastOrder, id: `evt_bench_new_${i}`, order_id: `bench-new-${i}` });
    workload.rows.length = 0;
    progress(PHASE, 'exporting the S3 layout (dt/type Parquet) for the Athena estimate');
    const exportStarted = performance.now();
    await lake.exportParquet(join(dir, 'events'));
    const exportMs = performance.now() - exportStarted;
    // The Parquet metadata of the export, read once: chunk sizes per file and column, footers per file.
    await lake.query(`
      CREATE OR REPLACE TEMP TABLE pq_chunks AS
      SELECT file_name, regexp_extract(file_name, 'dt=([0-9-]+)', 1) AS dt,
        regexp_extract(file_name, 'type=([a-z._]+)', 1) AS type,
        split_part(path_in_schema, ',', 1) AS column_name, total_compressed_size
      FROM parquet_metadata(${sqlPath(dir)})`);
    await lake.query(
      `CREATE OR REPLACE TEMP TABLE pq_files AS SELECT file_name, footer_size FROM parquet_file_metadata(${sqlPath(dir)})`,
    );
    const files = await lake.query(
      `SELECT (SELECT count(*) FROM pq_files) AS files, sum(total_compressed_size) + (SELECT sum(footer_size) FROM pq_files) AS bytes FROM pq_chunks`,
    );

    const engine = new DuckDbMetricsEngine(lake);
    // The floor: a bare scan of the same data. `count(*)` alone is answered from the table's metadata, so
    // the floor reads the two columns every metric reads, with the least work per row.
    const countMs = await timeMs(() => lake.query('SELECT count(*) AS n FROM hub_lake'), repeats);
    const floorMs = await timeMs(
      () => lake.query('SELECT count(*) AS n FROM hub_lake WHERE occurred_at IS NOT NULL AND length(customer_id) > 0'),
      repeats,
    );
    const parquetScanMs = await timeMs(() => lake.query(`SELECT count(*) AS n FROM read_parquet(${sqlPath(dir)})`), 1);

    // The dashboard: every metric over the last 30 days, by day.
    const dashboard = (days: number, granularity: Granularity) => {
      const period = periodOf(new Date(workload.to.getTime() - days * DAY), workload.to, granularity, 'UTC');
      return metricParams(period, undefined, DEFAULT_METRIC_OPTIONS);
    };
    const params30 = dashboard(30, 'day');
    // The first metric takes the resolved snapshot (once per process, and after a compaction).
    const snapshotStarted = performance.now();
    await engine.run('nps_csat', params30);
    const snapshotMs = performance.now() - snapshotStarted;
    progress(PHASE, 'timing every metric (30 days by day)');
    const metrics: {
      metric: MetricName;
      ms: number;
      ratio: number | null;
      columns: number;
      bytes1d: number;
      bytes7d: number;
      bytes30d: number;
    }[] = [];
    for (const metric of METRIC_NAMES) {
      const ms = await timeMs(() => engine.run(metric, params30), repeats);
      const columns = columnsNamed(withViews(METRIC_SQL[metric] as string));
      const bytes = async (days: number) => athenaBytes(lake, metric, dashboard(days, 'day'), columns);
      metrics.push({
        metric,
        ms: round(ms, 1) as number,
        ratio: round(ms / floorMs, 2),
        columns: columns.length,
        bytes1d: await bytes(1),
        bytes7d: await bytes(7),
        bytes30d: await bytes(30),
      });
      progress(PHASE, `${metric}: ${round(ms, 1)} ms (${round(ms / floorMs, 2)}× the floor)`);
    }
    const dashboardMs = await timeMs(async () => {
      for (const metric of METRIC_NAMES) await engine.run(metric, params30);
    }, repeats);
    // Right after a write (the snapshot applies its rows first): the dashboard as a live hub sees it.
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await lake.record([newOrder(i)]);
      const started = performance.now();
      for (const metric of METRIC_NAMES) await engine.run(metric, params30);
      times.push(performance.now() - started);
    }
    const coldDashboardMs = median(times);
    // And right after a merge of two customers (her events and the other profile's re-resolved).
    const mergeTimes: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const at = new Date(workload.to.getTime() - DAY);
      await lake.record([mergeRow(`evt_bench_merge_${i}`, at, `cus_b${2 * i}`, [`cus_b${2 * i + 1}`])]);
      const started = performance.now();
      for (const metric of METRIC_NAMES) await engine.run(metric, params30);
      mergeTimes.push(performance.now() - started);
    }
    const mergeDashboardMs = median(mergeTimes);
    const refresh = (key: 'bytes1d' | 'bytes7d' | 'bytes30d', days: number) => {
      const scanned = metrics.reduce((s, m) => s + m[key], 0);
      const billed = metrics.reduce((s, m) => s + Math.max(ATHENA_MIN_BILLED, m[key]), 0);
      return {
        days,
        scannedBytes: scanned,
        scannedMbPerDay: round(scanned / 1024 / 1024 / days, 2),
        billedBytes: billed,
        billedMbPerDay: round(billed / 1024 / 1024 / days, 2),
      };
    };
    await lake.close();
    return {
      customers,
      events: workload.events,
      lakeRows: workload.events,
      days: 365,
      generateMs: round(generateMs, 0),
      writeMs: round(writeMs, 0),
      exportMs: round(exportMs, 0),
      files: Number(files[0]?.files ?? 0),
      parquetBytes: Number(files[0]?.bytes ?? 0),
      floorMs: round(floorMs, 2),
      countMs: round(countMs, 2),
      parquetCountMs: round(parquetScanMs, 1),
      dashboardMs: round(dashboardMs, 1),
      coldDashboardMs: round(coldDashboardMs, 1),
      mergeDashboardMs: round(mergeDashboardMs, 1),
      snapshotMs: round(snapshotMs, 0),
      metrics,
      athena: [refresh('bytes1d', 1), refresh('bytes7d', 7), refresh('bytes30d', 30)],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const sqlPath = (dir: string): string => `'${join(dir, 'events', '**', '*.parquet').replace(/'/g, "''")}'`;

/**
 * Bytes Athena would read for one metric: for the partitions its literal
 * `dt` / `type` predicates keep (evaluated here on the partition values), the
 * compressed chunks of the columns it names plus each kept file's footer.
 */
const athenaBytes = async (
  lake: LocalLake,
  metric: MetricName,
  params: Record<string, string | number>,
  columns: readonly string[],
): Promise<number> => {
  const kept = partitionPredicate(withViews(METRIC_SQL[metric] as string), params);
  const rows = await lake.query(`
    WITH kept AS (SELECT * FROM pq_chunks WHERE ${kept})
    SELECT
      coalesce(sum(total_compressed_size) FILTER (WHERE column_name IN (${columns.map((c) => `'${c}'`).join(', ')})), 0)
      + coalesce((SELECT sum(footer_size) FROM pq_files WHERE file_name IN (SELECT file_name FROM kept)), 0) AS bytes
    FROM kept`);
  return Number(rows[0]?.bytes ?? 0);
};

/**
 * The partition filter Athena derives from a metric: the `dt` bounds and the
 * `type IN (…)` lists of its `hub_events` reads, OR-ed across the reads (each
 * CTE prunes on its own), plus the lifecycle types the views always read.
 */
const partitionPredicate = (sql: string, params: Record<string, string | number>): string => {
  const code = sql.replace(/--.*$/gm, '');
  const reads = code.split(/\bFROM hub_events\b/).slice(1);
  const value = (name: string) => `'${String(params[name])}'`;
  const clauses = reads.map((read) => {
    const where = read.split(/\)\s*,\s*\w+ AS \(|\bGROUP BY\b|\)\s*SELECT\b/)[0] ?? '';
    const parts: string[] = [];
    const between = /dt BETWEEN :(\w+) AND :(\w+)/.exec(where);
    if (between) parts.push(`dt BETWEEN ${value(between[1] as string)} AND ${value(between[2] as string)}`);
    for (const m of where.matchAll(/dt (<=|>=) :(\w+)/g)) parts.push(`dt ${m[1]} ${value(m[2] as string)}`);
    const types = /\btype IN \(([^)]*)\)/.exec(where)?.[1] ?? /\btype = ('[^']+')/.exec(where)?.[1];
    if (types) parts.push(`type IN (${types})`);
    return parts.length ? `(${parts.join(' AND ')})` : 'true';
  });
  const lifecycle = `type IN ('customer.merged', 'customer.erased', 'customer.reassigned')`;
  return `(${[...clauses, lifecycle].join(' OR ')})`;
};

if (isEntry(import.meta.url)) runPhase(PHASE, runAnalyticsBench);
