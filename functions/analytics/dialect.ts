/**
 * The one mapping between the SQL both engines run. The files in
 * `analytics/` are written in Athena's dialect (Trino) with named
 * placeholders (`:from_ts`); this module turns that text into what each
 * engine takes, and holds the few DuckDB macros that give DuckDB the Trino
 * functions the files use. Nothing else differs: everything else in the files
 * is SQL both engines parse the same way (tested on DuckDB in
 * test/unit/analytics/dialect.test.ts).
 *
 * | in the files                     | Athena (Trino)            | DuckDB                               |
 * |----------------------------------|---------------------------|--------------------------------------|
 * | `:name`                          | `?` + ExecutionParameters | `$name` (prepared-statement binding) |
 * | `approx_percentile(x, p)`        | native (approximate)      | `quantile_disc(x, p)` (exact)        |
 * | `with_timezone(ts, zone)`        | native                    | `timezone(zone, ts)` → TIMESTAMPTZ    |
 * | `at_timezone(tstz, zone)`        | native                    | `timezone(zone, tstz)` → local time  |
 * | `sequence(from, to, step)`       | native                    | `generate_series(from, to, step)`    |
 * | `count_if(x)`                    | native: 0 when none true  | `count(*) FILTER (WHERE x)`: DuckDB's |
 * |                                  |                           | own returns NULL when all x are NULL |
 */

/** A placeholder value: strings (timestamps and dates are strings too) and finite numbers. */
export type SqlParam = string | number;

/** The parameters a query may use, by name. */
export type SqlParams = Readonly<Record<string, SqlParam>>;

/**
 * Splits SQL into code and non-code (string literals, quoted identifiers,
 * comments) so placeholders are only ever found in code.
 */
const segments = (sql: string): { text: string; code: boolean }[] => {
  const out: { text: string; code: boolean }[] = [];
  let i = 0;
  let start = 0;
  const push = (end: number, code: boolean) => {
    if (end > start) out.push({ text: sql.slice(start, end), code });
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      push(i, true);
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`Unterminated ${c} quote in SQL`);
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
      push(i, false);
    } else if (c === '-' && sql[i + 1] === '-') {
      push(i, true);
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      push(i, false);
    } else i++;
  }
  push(sql.length, true);
  return out;
};

const PLACEHOLDER = /(?<![:\w]):([a-z_][a-z0-9_]*)/g;

/** Placeholder names in order of occurrence (repeats included). */
export const placeholders = (sql: string): string[] =>
  segments(sql)
    .filter((s) => s.code)
    .flatMap((s) => [...s.text.matchAll(PLACEHOLDER)].map((m) => m[1] as string));

const replacePlaceholders = (sql: string, replace: (name: string) => string): string =>
  segments(sql)
    .map((s) => (s.code ? s.text.replace(PLACEHOLDER, (_, name: string) => replace(name)) : s.text))
    .join('');

const requireParam = (params: SqlParams, name: string): SqlParam => {
  const value = params[name];
  if (value === undefined) throw new Error(`SQL parameter :${name} has no value`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`SQL parameter :${name} is not finite`);
  return value;
};

/** DuckDB: `:name` → `$name`, and the values to bind (only those the text uses). */
export const forDuckDb = (sql: string, params: SqlParams): { sql: string; values: Record<string, SqlParam> } => {
  const values: Record<string, SqlParam> = {};
  const text = replacePlaceholders(sql, (name) => {
    values[name] = requireParam(params, name);
    return `$${name}`;
  });
  return { sql: text, values };
};

/** A Trino literal for an execution parameter: strings quoted with `'` doubled, numbers as written. */
export const athenaLiteral = (value: SqlParam): string =>
  typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;

/**
 * Athena: each `:name` → `?`, and the execution parameters in the order the
 * `?` appear (Athena binds them positionally, as SQL literals).
 */
export const forAthena = (sql: string, params: SqlParams): { queryString: string; executionParameters: string[] } => {
  const executionParameters: string[] = [];
  const queryString = replacePlaceholders(sql, (name) => {
    executionParameters.push(athenaLiteral(requireParam(params, name)));
    return '?';
  });
  return { queryString, executionParameters };
};

/**
 * Macros that give DuckDB the Trino functions the files use. DuckDB expands
 * macros inline, so `approx_percentile` inside an aggregate query stays an
 * aggregate.
 */
export const DUCKDB_COMPAT_MACROS: readonly string[] = [
  'CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, p)',
  'CREATE OR REPLACE MACRO with_timezone(ts, zone) AS timezone(zone, ts)',
  'CREATE OR REPLACE MACRO at_timezone(ts, zone) AS timezone(zone, ts)',
  'CREATE OR REPLACE MACRO sequence(start_value, stop_value, step) AS generate_series(start_value, stop_value, step)',
  // DuckDB's count_if is NULL when every input is NULL (e.g. a LEFT JOIN with no match); Trino's is 0.
  'CREATE OR REPLACE MACRO count_if(x) AS count(*) FILTER (WHERE x)',
];

/** The leading `--` comment of a SQL file: the metric's definition, as one paragraph. */
export const leadingComment = (sql: string): string => {
  const lines: string[] = [];
  for (const line of sql.split('\n')) {
    const m = /^\s*--\s?(.*)$/.exec(line);
    if (!m) break;
    lines.push((m[1] as string).trim());
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim();
};
