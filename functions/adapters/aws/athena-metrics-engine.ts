/**
 * Athena: the metrics engine at scale, over the S3 data lake. A metric's SQL
 * (the generated copy of `analytics/<metric>.sql`) is sent with its
 * placeholders as execution parameters (Trino literals, in order), in the
 * stack's workgroup — which enforces the encrypted results location and the
 * bytes-scanned limit — and polled until it ends. Also runs the DDL that
 * creates the views (the stack's custom resource).
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type ColumnInfo,
} from '@aws-sdk/client-athena';
import { forAthena, type SqlParams } from '../../analytics/dialect.js';
import type { MetricName, MetricRow } from '../../analytics/metrics.js';
import { METRIC_SQL } from '../../analytics/sql.generated.js';
import type { MetricsEngine } from '../../ports.js';
import { HubError } from '../../shared/errors.js';

export interface AthenaOptions {
  readonly workGroup: string;
  /** Glue database of the lake table and the views. */
  readonly database: string;
  /** Longest a query may run before it is given up on. @default 25000 (under API Gateway's 30 s) */
  readonly timeoutMs?: number;
  /** First poll interval; doubles to 1 s. @default 100 */
  readonly pollMs?: number;
}

const NUMERIC = new Set(['tinyint', 'smallint', 'integer', 'bigint', 'double', 'float', 'real', 'decimal']);

/** A cell as the metrics expect it: numbers for numeric columns, strings otherwise, null for no value. */
const athenaCell = (value: string | undefined, column: { Type?: string | undefined }): string | number | null => {
  if (value === undefined) return null;
  return NUMERIC.has((column.Type ?? '').toLowerCase()) ? Number(value) : value;
};

/** Athena failed or took too long: a 503 for the caller (its message, which may name SQL, stays in the logs). */
class AthenaQueryError extends HubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 503, 'analytics_unavailable', options);
  }
}

export class AthenaMetricsEngine implements MetricsEngine {
  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaOptions,
  ) {}

  async run(metric: MetricName, params: SqlParams): Promise<MetricRow[]> {
    const sql = METRIC_SQL[metric];
    if (!sql) throw new Error(`No SQL for metric ${metric}`);
    const { queryString, executionParameters } = forAthena(sql, params);
    const id = await this.start(queryString, executionParameters);
    await this.wait(id);
    return this.results(id);
  }

  /** Runs a query without parameters (the compaction job's) and returns its rows. */
  async query(sql: string): Promise<MetricRow[]> {
    const id = await this.start(sql, []);
    await this.wait(id);
    return this.results(id);
  }

  /** Runs a statement without parameters (DDL) to completion. */
  async execute(sql: string): Promise<void> {
    await this.wait(await this.start(sql, []));
  }

  private async start(queryString: string, executionParameters: string[]): Promise<string> {
    const res = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: queryString,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
        ...(executionParameters.length ? { ExecutionParameters: executionParameters } : {}),
      }),
    );
    if (!res.QueryExecutionId) throw new AthenaQueryError('Athena returned no query execution id');
    return res.QueryExecutionId;
  }

  private async wait(id: string): Promise<void> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 25_000);
    let delay = this.options.pollMs ?? 100;
    for (;;) {
      const res = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = res.QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED' || state === 'CANCELLED')
        throw new AthenaQueryError(
          `Athena query ${id} ${state.toLowerCase()}: ${res.QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
        );
      if (Date.now() > deadline) throw new AthenaQueryError(`Athena query ${id} did not finish in time`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }

  private async results(id: string): Promise<MetricRow[]> {
    const rows: MetricRow[] = [];
    let token: string | undefined;
    let columns: ColumnInfo[] | undefined;
    let header = true;
    do {
      const res = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, ...(token ? { NextToken: token } : {}) }),
      );
      columns ??= res.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      for (const row of res.ResultSet?.Rows ?? []) {
        // The first row of the first page repeats the column names.
        if (header) {
          header = false;
          continue;
        }
        const cols = columns;
        rows.push(
          Object.fromEntries(
            (row.Data ?? []).map((cell, i) => [
              cols[i]?.Name ?? String(i),
              athenaCell(cell.VarCharValue, cols[i] ?? {}),
            ]),
          ),
        );
      }
      token = res.NextToken;
    } while (token);
    return rows;
  }
}
