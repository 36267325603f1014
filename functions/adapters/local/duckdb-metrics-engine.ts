/**
 * The embedded metrics engine: each metric's SQL (`analytics/<metric>.sql`,
 * via the generated bundle) run by DuckDB over the local lake, with the
 * placeholders bound as prepared-statement parameters.
 */
import { forDuckDb, type SqlParams } from '../../analytics/dialect.js';
import type { MetricName, MetricRow } from '../../analytics/metrics.js';
import { METRIC_SQL } from '../../analytics/sql.generated.js';
import type { MetricsEngine } from '../../ports.js';
import type { LocalLake } from './local-lake.js';

export class DuckDbMetricsEngine implements MetricsEngine {
  constructor(private readonly lake: LocalLake) {}

  async run(metric: MetricName, params: SqlParams): Promise<MetricRow[]> {
    const text = METRIC_SQL[metric];
    if (!text) throw new Error(`No SQL for metric ${metric}`);
    const { sql, values } = forDuckDb(text, params);
    return this.lake.queryEvents(sql, values);
  }
}
