/**
 * The lake compaction job (AWS, daily schedule): takes erased customers' rows
 * out of the Parquet files. For each partition that holds one
 * (`ERASED_PARTITIONS_SQL`), it lists the partition's files, `UNLOAD`s the
 * rows to keep into a staging prefix unique to the run, copies those files
 * into the partition and only then deletes the files it listed and the
 * staging copies.
 *
 * Copy before delete: a query running during the swap may see a row twice
 * (every metric counts distinct ids), never miss one. A file Firehose adds to
 * the partition after the listing is left alone; its rows of an erased
 * customer, if any, stay hidden by the views and go on the next run. A run that
 * dies half-way leaves at worst duplicates, and the next run redoes the
 * partition.
 */
import { ERASED_PARTITIONS_SQL, lakePartition, partitionPrefix, unloadStatement } from '../analytics/compaction.js';
import type { LakeObjects } from '../ports.js';
import { logger } from '../shared/logger.js';

export interface LakeCompactorDeps {
  /** Runs a query in the analytics workgroup and returns its rows. */
  readonly query: (sql: string) => Promise<readonly Readonly<Record<string, unknown>>[]>;
  /** Runs a statement (the `UNLOAD`) to completion. */
  readonly execute: (sql: string) => Promise<void>;
  readonly objects: LakeObjects;
  /** The lake bucket's name (for the `UNLOAD` destination). */
  readonly bucket: string;
  /** Names this run's staging prefix. @default the current time */
  readonly runId?: () => string;
}

export interface CompactionResult {
  readonly partitions: number;
  readonly filesRemoved: number;
  readonly filesWritten: number;
}

export const createLakeCompactor = (deps: LakeCompactorDeps) => async (): Promise<CompactionResult> => {
  const runId = deps.runId?.() ?? new Date().toISOString().replace(/[-:.]/g, '');
  const partitions = (await deps.query(ERASED_PARTITIONS_SQL)).map(lakePartition);
  let filesRemoved = 0;
  let filesWritten = 0;
  for (const partition of partitions) {
    const prefix = partitionPrefix(partition);
    const before = await deps.objects.list(prefix);
    const staging = `compaction/${runId}/${prefix}`;
    await deps.execute(unloadStatement(partition, `s3://${deps.bucket}/${staging}`));
    const written = await deps.objects.list(staging);
    for (const [i, key] of written.entries())
      await deps.objects.copy(key, `${prefix}compacted-${runId}-${String(i).padStart(4, '0')}.parquet`);
    await deps.objects.delete([...before, ...written]);
    filesRemoved += before.length;
    filesWritten += written.length;
  }
  // Counts only: the partitions name dates and types, never a customer.
  logger.info('lake compacted', { partitions: partitions.length, filesRemoved, filesWritten });
  return { partitions: partitions.length, filesRemoved, filesWritten };
};
