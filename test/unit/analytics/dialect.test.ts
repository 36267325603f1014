/**
 * The SQL text both engines run: placeholders, literals, the DuckDB
 * compatibility macros, and the files themselves (a definition first, only
 * parameters the planner provides, the generated bundle current).
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, readAnalyticsSql, renderBundle } from '../../../analytics/bundle.js';
import {
  athenaLiteral,
  DUCKDB_COMPAT_MACROS,
  forAthena,
  forDuckDb,
  leadingComment,
  placeholders,
} from '../../../functions/analytics/dialect.js';
import { DEFAULT_METRIC_OPTIONS, METRIC_NAMES, metricParams, periodOf } from '../../../functions/analytics/metrics.js';

const SQL = `-- a :comment is not a placeholder
SELECT ':not_me' AS "x:y", CAST(:from_ts AS TIMESTAMP), x::date, :tz, :from_ts FROM t WHERE c = :connector`;

describe('Analytics dialect: placeholders', () => {
  it('finds named placeholders in code only, in order, repeats included', () => {
    expect(placeholders(SQL)).toEqual(['from_ts', 'tz', 'from_ts', 'connector']);
  });

  it('binds them by name for DuckDB', () => {
    const { sql, values } = forDuckDb(SQL, { from_ts: '2024-05-01 00:00:00.000', tz: 'UTC', connector: '', extra: 1 });
    expect(sql).toContain('CAST($from_ts AS TIMESTAMP), x::date, $tz, $from_ts FROM t WHERE c = $connector');
    expect(sql).toContain("':not_me'");
    expect(values).toEqual({ from_ts: '2024-05-01 00:00:00.000', tz: 'UTC', connector: '' });
  });

  it('turns them into positional parameters with SQL literals for Athena', () => {
    const { queryString, executionParameters } = forAthena(SQL, {
      from_ts: '2024-05-01 00:00:00.000',
      tz: "O'Hare",
      connector: 'whatsapp',
    });
    expect(queryString).toContain('CAST(? AS TIMESTAMP), x::date, ?, ? FROM t WHERE c = ?');
    expect(executionParameters).toEqual([
      "'2024-05-01 00:00:00.000'",
      "'O''Hare'",
      "'2024-05-01 00:00:00.000'",
      "'whatsapp'",
    ]);
  });

  it('refuses a placeholder without a value and a number that is not finite', () => {
    expect(() => forAthena('SELECT :missing', {})).toThrow(/:missing has no value/);
    expect(() => forDuckDb('SELECT :n', { n: Number.NaN })).toThrow(/not finite/);
    expect(athenaLiteral(15)).toBe('15');
  });
});

describe('Analytics dialect: DuckDB compatibility macros', () => {
  it('give DuckDB the Trino functions with Trino semantics', async () => {
    // Prepare
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    await c.run("SET TimeZone = 'UTC'");
    for (const m of DUCKDB_COMPAT_MACROS) await c.run(m);

    // Act
    const row = (
      await c.runAndReadAll(`
        SELECT
          (SELECT approx_percentile(v, 0.5) FROM (VALUES (1), (2), (3), (4)) t (v)) AS median,
          CAST(at_timezone(with_timezone(TIMESTAMP '2024-05-01 22:30:00', 'UTC'), 'Europe/Kyiv') AS DATE) AS kyiv_day,
          (SELECT count(*) FROM UNNEST(sequence(DATE '2024-05-01', DATE '2024-05-07', INTERVAL '1' DAY)) AS s (d)) AS days,
          (SELECT count_if(x) FROM (VALUES (CAST(NULL AS BOOLEAN))) t (x)) AS none_true`)
    ).getRowObjectsJson()[0];

    // Assess: nearest rank (2 of 4), 22:30Z is 01:30 on 2 May in Kyiv, 7 days, and 0 (not NULL) as in Trino.
    expect(row).toEqual({ median: 2, kyiv_day: '2024-05-02', days: '7', none_true: '0' });
  });
});

describe('Analytics SQL files', () => {
  const files = readAnalyticsSql();
  const provided = Object.keys(
    metricParams(periodOf(new Date(0), new Date(86_400_000), 'day', 'UTC'), undefined, DEFAULT_METRIC_OPTIONS),
  );

  it('has one file per metric of the catalogue, and none else', () => {
    expect(Object.keys(files.metrics).sort()).toEqual([...METRIC_NAMES].sort());
  });

  it('starts every file with its definition and uses only parameters the planner provides', () => {
    for (const [name, sql] of [...Object.entries(files.metrics), ...files.views.map((v) => [v.name, v.sql])]) {
      expect(leadingComment(sql as string), name).toMatch(new RegExp(`^${name}: .{40,}`));
      for (const p of placeholders(sql as string)) expect(provided, `${name} uses :${p}`).toContain(p);
    }
  });

  it('views take no parameters (Athena views cannot)', () => {
    for (const view of files.views) expect(placeholders(view.sql), view.name).toEqual([]);
  });

  it('keeps to the shared dialect: no DuckDB-only syntax', () => {
    for (const [name, sql] of Object.entries(files.metrics)) {
      const code = sql.replace(/--.*$/gm, '');
      expect(code, `${name}: "::" casts are DuckDB-only`).not.toMatch(/::/);
      expect(code, `${name}: QUALIFY is DuckDB-only`).not.toMatch(/\bQUALIFY\b/i);
      expect(code, `${name}: integer / integer truncates on Trino; CAST to DOUBLE first`).not.toMatch(
        /count\([^)]*\)\s*\/\s*count/i,
      );
    }
  });

  it('the bundle the Lambda ships is generated from the files and current', () => {
    // Regenerate with `npm run analytics:sql`.
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderBundle(files));
  });
});
