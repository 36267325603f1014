/**
 * The AWS compaction job run as close to AWS as this machine allows: the
 * lake is real Snappy Parquet files in the very layout Firehose writes
 * (`events/dt=…/type=…/…parquet`, exported by the local lake), the table
 * `hub_lake` is those files read with their partition columns from the path
 * (as the Glue table with partition projection reads them), the shared views
 * sit on top, and the job's `UNLOAD` is executed by DuckDB writing Parquet into
 * the staging prefix. The bucket is the file system. What this adds over
 * compaction.test.ts: the rewritten partitions are real files that the
 * same table reads back — same columns, same types — and every metric
 * computed over the files afterwards equals the one computed before.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalLake } from '../../../functions/adapters/local/local-lake.js';
import { DUCKDB_COMPAT_MACROS, forDuckDb } from '../../../functions/analytics/dialect.js';
import { LAKE_COLUMNS } from '../../../functions/analytics/lake-schema.js';
import { DEFAULT_METRIC_OPTIONS, METRIC_NAMES, metricParams, periodOf } from '../../../functions/analytics/metrics.js';
import { METRIC_SQL, VIEWS } from '../../../functions/analytics/sql.generated.js';
import { createLakeCompactor } from '../../../functions/handlers/lake-compactor.js';
import type { LakeObjects } from '../../../functions/ports.js';
import { EVENTS, journeyRows } from './journey.js';

const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const BUCKET = 'lake-bucket';

/** The bucket as a folder: keys are paths under it. */
class FolderBucket implements LakeObjects {
  constructor(readonly root: string) {}
  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = (d: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) e.isDirectory() ? walk(join(d, e.name)) : out.push(relative(this.root, join(d, e.name)));
    };
    walk(this.root);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }
  async copy(from: string, to: string): Promise<void> {
    mkdirSync(dirname(join(this.root, to)), { recursive: true });
    cpSync(join(this.root, from), join(this.root, to));
  }
  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) rmSync(join(this.root, key));
  }
}

/** DuckDB over the bucket's Parquet files: `hub_lake` as Athena reads it, the shared views on top. */
const athenaOver = async (bucket: FolderBucket) => {
  const instance = await DuckDBInstance.create(':memory:');
  const c: DuckDBConnection = await instance.connect();
  closers.push(() => {
    c.closeSync();
    instance.closeSync();
  });
  await c.run("SET TimeZone = 'UTC'");
  for (const macro of DUCKDB_COMPAT_MACROS) await c.run(macro);
  const files = join(bucket.root, 'events', '**', '*.parquet').replace(/'/g, "''");
  // Partition columns from the path, as strings (the Glue table's dt and type); nothing else of the path.
  await c.run(`CREATE VIEW hub_lake AS SELECT * FROM read_parquet('${files}',
    hive_partitioning = true, hive_types = {'dt': VARCHAR, 'type': VARCHAR})`);
  for (const view of VIEWS) await c.run(view.sql);
  const query = async (sql: string, values: Record<string, string | number> = {}) =>
    (await c.runAndReadAll(sql, values)).getRowObjectsJson() as Record<string, unknown>[];
  /** `UNLOAD (q) TO 's3://bucket/prefix' WITH (format = 'PARQUET', compression = 'SNAPPY')`, as Athena runs it. */
  const unload = async (statement: string) => {
    const m =
      /^UNLOAD \(([\s\S]+)\) TO 's3:\/\/([^/]+)\/([^']+)' WITH \(format = 'PARQUET', compression = 'SNAPPY'\)$/.exec(
        statement,
      );
    if (!m?.[1] || m[2] !== BUCKET || !m[3]) throw new Error(`not an UNLOAD to the lake bucket: ${statement}`);
    const rows = Number((await query(`SELECT count(*) AS n FROM (${m[1]})`))[0]?.n);
    if (rows === 0) return;
    mkdirSync(join(bucket.root, m[3]), { recursive: true });
    const target = join(bucket.root, m[3], '20241203_0001_part0.parquet').replace(/'/g, "''");
    await c.run(`COPY (${m[1]}) TO '${target}' (FORMAT parquet, COMPRESSION snappy)`);
  };
  return { query, unload };
};

const everyMetric = async (query: (sql: string, values: Record<string, string | number>) => Promise<unknown[]>) => {
  const period = periodOf(new Date('2024-04-01T00:00:00Z'), new Date('2024-05-08T00:00:00Z'), 'week', 'UTC');
  const params = metricParams(period, undefined, DEFAULT_METRIC_OPTIONS);
  const out: Record<string, string[]> = {};
  for (const metric of METRIC_NAMES) {
    const { sql, values } = forDuckDb(METRIC_SQL[metric] as string, params);
    out[metric] = (await query(sql, values)).map((r) => JSON.stringify(r)).sort();
  }
  return out;
};

describe('Analytics lake compaction over real Parquet partitions', () => {
  it('rewrites her partitions as Parquet the table reads back, with every other row and every metric unchanged', async () => {
    // Prepare: the journey as Firehose would have left it on S3.
    const root = mkdtempSync(join(tmpdir(), 'omnihub-compaction-'));
    dirs.push(root);
    const lake = await LocalLake.open({ compactAfterErasureMs: 600_000 });
    closers.push(() => void lake.close());
    await lake.record(journeyRows());
    await lake.exportParquet(join(root, 'events'));
    const bucket = new FolderBucket(root);
    const athena = await athenaOver(bucket);
    const allRows = 'SELECT id, type, dt, customer_id FROM hub_lake';
    const before = (await athena.query(allRows)).map((r) => JSON.stringify(r)).sort();
    const metricsBefore = await everyMetric(athena.query);
    // The check at the end can fail: the metrics have rows (she had none left in them, the views hid her).
    expect(metricsBefore.channel_mix?.length).toBeGreaterThan(0);
    const filesBefore = await bucket.list('events/');
    const compact = createLakeCompactor({
      query: (sql) => athena.query(sql),
      execute: athena.unload,
      objects: bucket,
      bucket: BUCKET,
      runId: () => 'run1',
    });

    // Act
    const result = await compact();

    // Assess: her three partitions rewritten (two kept rows), nothing else.
    expect(result).toEqual({ partitions: 3, filesRemoved: 3, filesWritten: 2 });
    const after = (await athena.query(allRows)).map((r) => JSON.stringify(r)).sort();
    const hers = [EVENTS.g1.id, EVENTS.g2.id, 'evt_merge_g'];
    expect(after).toEqual(before.filter((r) => !hers.some((id) => r.includes(id))));
    expect(before.length - after.length).toBe(3);
    expect(after.some((r) => r.includes('evt_erase_g'))).toBe(true);
    // Files outside her partitions are the same files; the staging prefix is empty.
    const filesAfter = await bucket.list('events/');
    const inHers = (k: string) => /dt=2024-05-03\/type=(customer\.merged|message\.received|order\.placed)\//.test(k);
    expect(filesAfter.filter((k) => !inHers(k))).toEqual(filesBefore.filter((k) => !inHers(k)));
    expect(filesAfter.filter(inHers)).toEqual([
      'events/dt=2024-05-03/type=customer.merged/compacted-run1-0000.parquet',
      'events/dt=2024-05-03/type=message.received/compacted-run1-0000.parquet',
    ]);
    expect(await bucket.list('compaction/')).toEqual([]);
    // A rewritten file has the columns and types of Firehose's files beside it (the table reads both alike).
    const perFile =
      await athena.query(`SELECT file_name, list(name || ':' || coalesce(type, 'group') ORDER BY name) AS cols
      FROM parquet_schema('${join(root, 'events', '**', '*.parquet')}') GROUP BY file_name`);
    const compacted = perFile.filter((f) => String(f.file_name).includes('compacted'));
    expect(compacted).toHaveLength(2);
    expect(new Set(perFile.map((f) => JSON.stringify(f.cols))).size).toBe(1);
    const described = await athena.query(
      `DESCRIBE SELECT * FROM read_parquet('${String(compacted[0]?.file_name)}', hive_partitioning = false)`,
    );
    expect(described.map((c) => c.column_name)).toEqual(LAKE_COLUMNS.map((c) => c.name));
    // Every metric reads the same over the compacted files (she was already out of them).
    expect(await everyMetric(athena.query)).toEqual(metricsBefore);
  });
});
