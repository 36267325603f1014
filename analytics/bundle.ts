/**
 * Reads the SQL of `analytics/` and renders `functions/analytics/sql.generated.ts`,
 * the copy the Lambda bundles (esbuild does not bundle `.sql` files):
 * `npm run analytics:sql` regenerates it, and a test fails when it is stale,
 * so the SQL is written once, here.
 *
 *   analytics/views/<n>-<view>.sql   CREATE OR REPLACE VIEW …, run in file order
 *   analytics/<metric>.sql           one SELECT per metric, its definition in the leading comment
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ANALYTICS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const GENERATED_PATH = fileURLToPath(new URL('../functions/analytics/sql.generated.ts', import.meta.url));

export interface AnalyticsSql {
  /** View name → `CREATE OR REPLACE VIEW` statement, in creation order. */
  readonly views: readonly { readonly name: string; readonly sql: string }[];
  /** Metric name → its SELECT. */
  readonly metrics: Readonly<Record<string, string>>;
}

const sqlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

export const readAnalyticsSql = (dir = ANALYTICS_DIR): AnalyticsSql => ({
  views: sqlFiles(join(dir, 'views')).map((file) => {
    const sql = readFileSync(join(dir, 'views', file), 'utf8').trim();
    const name = /CREATE OR REPLACE VIEW (\w+) AS/.exec(sql)?.[1];
    if (!name) throw new Error(`analytics/views/${file}: expected CREATE OR REPLACE VIEW <name> AS`);
    return { name, sql };
  }),
  metrics: Object.fromEntries(
    sqlFiles(dir).map((file) => [file.replace(/\.sql$/, ''), readFileSync(join(dir, file), 'utf8').trim()]),
  ),
});

export const renderBundle = (sql: AnalyticsSql = readAnalyticsSql()): string =>
  [
    '/**',
    ' * GENERATED from analytics/*.sql by `npm run analytics:sql`; do not edit.',
    ' * The SQL the Athena engine sends (the Lambda bundle cannot read .sql files).',
    ' */',
    `export const VIEWS: readonly { readonly name: string; readonly sql: string }[] = ${JSON.stringify(sql.views, null, 2)};`,
    '',
    `export const METRIC_SQL: Readonly<Record<string, string>> = ${JSON.stringify(sql.metrics, null, 2)};`,
    '',
  ].join('\n');
