/** Each metric's definition: the leading comment of its `analytics/<metric>.sql`, so it is written once. */
import { leadingComment } from './dialect.js';
import { METRIC_NAMES, type MetricName } from './metrics.js';
import { METRIC_SQL } from './sql.generated.js';

export const METRIC_DEFINITIONS: Readonly<Record<MetricName, string>> = Object.fromEntries(
  METRIC_NAMES.map((name) => [name, leadingComment(METRIC_SQL[name] ?? '').replace(new RegExp(`^${name}: `), '')]),
) as Record<MetricName, string>;
