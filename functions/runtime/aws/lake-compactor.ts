/** Lambda entry: the daily compaction job that removes erased customers' rows from the lake's files. */
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { AthenaMetricsEngine } from '../../adapters/aws/athena-metrics-engine.js';
import { S3LakeObjects } from '../../adapters/aws/s3-lake-objects.js';
import { createLakeCompactor } from '../../handlers/lake-compactor.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';

const config = readFunctionConfig(FUNCTION_CONFIGS['lake-compactor']);
// An UNLOAD of a partition may take minutes; the function's own timeout (15 min) bounds the run.
const athena = new AthenaMetricsEngine(new AthenaClient({}), {
  workGroup: config.athenaWorkGroup,
  database: config.analyticsDatabase,
  timeoutMs: 10 * 60_000,
  pollMs: 500,
});

export const handler = createLakeCompactor({
  query: (sql) => athena.query(sql),
  execute: (sql) => athena.execute(sql),
  objects: new S3LakeObjects(new S3Client({}), config.lakeBucket),
  bucket: config.lakeBucket,
});
