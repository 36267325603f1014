/**
 * The AWS compaction job that takes an erased customer's rows out of the
 * lake's files. Its SQL runs on real DuckDB over the seeded journey (the
 * shared views decide who is erased); S3 is an in-memory bucket whose
 * `UNLOAD` runs the statement's query on that DuckDB lake and writes the rows
 * it returns as one staging object, as Athena would.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { S3LakeObjects } from '../../../functions/adapters/aws/s3-lake-objects.js';
import { LocalLake } from '../../../functions/adapters/local/local-lake.js';
import {
  ERASED_PARTITIONS_SQL,
  keptRowsSql,
  lakePartition,
  partitionPrefix,
  unloadStatement,
} from '../../../functions/analytics/compaction.js';
import type { LakeRow } from '../../../functions/analytics/lake-schema.js';
import { createLakeCompactor } from '../../../functions/handlers/lake-compactor.js';
import type { LakeObjects } from '../../../functions/ports.js';
import { EVENTS, journeyRows } from './journey.js';

const lakes: LocalLake[] = [];
afterEach(async () => {
  for (const lake of lakes.splice(0)) await lake.close();
});
const journeyLake = async () => {
  const lake = await LocalLake.open();
  lakes.push(lake);
  await lake.record(journeyRows());
  return lake;
};

/** The erased customer's rows: her order, her WhatsApp message (on the merged-away profile), the merge into her. */
const ERASED_IDS = [EVENTS.g1.id, EVENTS.g2.id, 'evt_merge_g'];

/** A bucket in memory: key → the ids of the rows the object holds; every call logged in order. */
class FakeLakeBucket implements LakeObjects {
  readonly objects = new Map<string, string[]>();
  readonly log: string[] = [];
  /** Called inside UNLOAD, after the job listed the partition: lets a test add a file "Firehose" wrote then. */
  onUnload?: (destination: string) => void;

  constructor(private readonly lake: LocalLake) {}

  /** What Athena does for `UNLOAD (query) TO 's3://bucket/prefix' …`: runs the query, writes its rows there. */
  async unload(sql: string): Promise<void> {
    const m =
      /^UNLOAD \(([\s\S]+)\) TO 's3:\/\/lake-bucket\/([^']+)' WITH \(format = 'PARQUET', compression = 'SNAPPY'\)$/.exec(
        sql,
      );
    if (!m?.[1] || !m[2]) throw new Error(`not an UNLOAD to the lake bucket: ${sql}`);
    const rows = await this.lake.query(m[1]);
    this.log.push(`unload ${m[2]}`);
    this.onUnload?.(m[2]);
    if (rows.length)
      this.objects.set(
        `${m[2]}20241203_0001`,
        rows.map((r) => String(r.id)),
      );
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async copy(from: string, to: string): Promise<void> {
    const rows = this.objects.get(from);
    if (!rows) throw new Error(`no such key ${from}`);
    this.objects.set(to, rows);
    this.log.push(`copy ${from} → ${to}`);
  }
  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
    this.log.push(`delete ${keys.join(', ')}`);
  }
}

/** The bucket as Firehose left it: one object per partition holding its rows (the erasure's too). */
const firehoseBucket = (lake: LocalLake, rows: readonly LakeRow[]) => {
  const bucket = new FakeLakeBucket(lake);
  for (const r of rows) {
    const key = `${partitionPrefix(r)}firehose-1.parquet`;
    bucket.objects.set(key, [...(bucket.objects.get(key) ?? []), String(r.id)]);
  }
  return bucket;
};

describe('Analytics lake compaction on AWS', () => {
  it('finds exactly the partitions holding an erased customer’s rows (DuckDB runs the SQL)', async () => {
    const lake = await journeyLake();

    const partitions = (await lake.query(ERASED_PARTITIONS_SQL)).map(lakePartition);

    // Her order S1 and WhatsApp message on 3 May, and the merge of her WhatsApp profile that day;
    // the erasure record (7 May) is not compacted away.
    expect(partitions).toEqual([
      { dt: '2024-05-03', type: 'customer.merged' },
      { dt: '2024-05-03', type: 'message.received' },
      { dt: '2024-05-03', type: 'order.placed' },
    ]);
  });

  it('keeps every row of a partition but the erased customer’s, with the table’s columns', async () => {
    const lake = await journeyLake();

    const kept = await lake.query(keptRowsSql({ dt: '2024-05-03', type: 'message.received' }));

    // Olena's WhatsApp message o6 that day, delivered twice; the erased customer's g2 is gone.
    expect(kept.map((r) => r.id)).toEqual([EVENTS.o6.id, EVENTS.o6.id]);
    expect(Object.keys(kept[0] ?? {})).not.toContain('dt');
    expect(await lake.query(keptRowsSql({ dt: '2024-05-03', type: 'order.placed' }))).toEqual([]);
  });

  it('rewrites those partitions without her rows, copying before deleting, and leaves the rest alone', async () => {
    // Prepare
    const lake = await journeyLake();
    const bucket = firehoseBucket(lake, journeyRows());
    const compacted = ['customer.merged', 'message.received', 'order.placed'].map(
      (type) => `events/dt=2024-05-03/type=${type}/`,
    );
    const inCompacted = (key: string) => compacted.some((p) => key.startsWith(p));
    const untouched = [...bucket.objects].filter(([k]) => !inCompacted(k));
    const compact = createLakeCompactor({
      query: (sql) => lake.query(sql),
      execute: (sql) => bucket.unload(sql),
      objects: bucket,
      bucket: 'lake-bucket',
      runId: () => 'run1',
    });

    // Act
    const result = await compact();

    // Assess: three partitions, one Firehose file each removed; two had rows to keep.
    expect(result).toEqual({ partitions: 3, filesRemoved: 3, filesWritten: 2 });
    const everything = [...bucket.objects.values()].flat();
    for (const id of ERASED_IDS) expect(everything).not.toContain(id);
    expect(everything).toContain('evt_erase_g');
    expect(Object.fromEntries([...bucket.objects].filter(([k]) => inCompacted(k)))).toEqual({
      'events/dt=2024-05-03/type=customer.merged/compacted-run1-0000.parquet': ['evt_merge_o'],
      'events/dt=2024-05-03/type=message.received/compacted-run1-0000.parquet': [EVENTS.o6.id, EVENTS.o6.id],
    });
    // Other partitions, that day's too (Olena's sent and delivered messages), keep their Firehose files.
    expect([...bucket.objects].filter(([k]) => !inCompacted(k) && !k.startsWith('compaction/'))).toEqual(untouched);
    expect(untouched.map(([k]) => k)).toContain('events/dt=2024-05-03/type=message.sent/firehose-1.parquet');
    expect([...bucket.objects.keys()].filter((k) => k.startsWith('compaction/'))).toEqual([]);
    // Copy before delete, per partition: a query during the swap may see a row twice, never miss one.
    const merged = bucket.log.filter((l) => l.includes('type=customer.merged'));
    expect(merged.map((l) => l.split(' ')[0])).toEqual(['unload', 'copy', 'delete']);
  });

  it('leaves a file Firehose adds during the run alone (the next run takes it)', async () => {
    // Prepare
    const lake = await journeyLake();
    const bucket = firehoseBucket(lake, journeyRows());
    const late = 'events/dt=2024-05-03/type=order.placed/firehose-2.parquet';
    bucket.onUnload = (destination) => {
      if (destination.endsWith('type=order.placed/')) bucket.objects.set(late, ['evt_late']);
    };
    const compact = createLakeCompactor({
      query: (sql) => lake.query(sql),
      execute: (sql) => bucket.unload(sql),
      objects: bucket,
      bucket: 'lake-bucket',
      runId: () => 'run2',
    });

    // Act
    await compact();

    // Assess
    expect(bucket.objects.get(late)).toEqual(['evt_late']);
  });

  it('splices only a real date and a known type into its statements', () => {
    expect(() => lakePartition({ dt: "2024-05-03' OR 1=1 --", type: 'order.placed' })).toThrow('partition date');
    expect(() => lakePartition({ dt: '2024-13-45', type: 'order.placed' })).toThrow('partition date');
    expect(() => lakePartition({ dt: '2024-05-03', type: 'order.placed; DROP' })).toThrow('record type');
    expect(() => unloadStatement({ dt: '2024-05-03', type: 'order.placed' }, "s3://b/x' --/")).toThrow('S3 prefix');
    expect(unloadStatement({ dt: '2024-05-03', type: 'order.placed' }, 's3://b/compaction/r/')).toMatch(
      /^UNLOAD \(SELECT id, .+ AND NOT erased\) TO 's3:\/\/b\/compaction\/r\/' WITH \(format = 'PARQUET'/s,
    );
  });
});

describe('S3 lake objects', () => {
  const s3 = (pages: { keys: string[]; next?: string }[], errors: { Key: string; Code: string }[] = []) => {
    const sent: { name: string; input: any }[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: any }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        if (command.constructor.name === 'ListObjectsV2Command') {
          const page = pages.shift() ?? { keys: [] };
          return {
            Contents: page.keys.map((Key) => ({ Key })),
            IsTruncated: Boolean(page.next),
            NextContinuationToken: page.next,
          };
        }
        if (command.constructor.name === 'DeleteObjectsCommand') return { Errors: errors };
        return {};
      },
    } as unknown as S3Client;
    return { client, sent };
  };

  it('lists every page, copies with an encoded source, deletes in batches of 1 000', async () => {
    const { client, sent } = s3([{ keys: ['a/1'], next: 't1' }, { keys: ['a/2'] }]);
    const objects = new S3LakeObjects(client, 'lake');

    expect(await objects.list('a/')).toEqual(['a/1', 'a/2']);
    expect(sent[1]?.input).toEqual({ Bucket: 'lake', Prefix: 'a/', ContinuationToken: 't1' });

    await objects.copy('events/dt=2024-05-03/type=order.placed/x y', 'events/b');
    expect(sent[2]?.input).toMatchObject({
      Bucket: 'lake',
      Key: 'events/b',
      CopySource: 'lake/events/dt%3D2024-05-03/type%3Dorder.placed/x%20y',
    });

    await objects.delete(Array.from({ length: 1001 }, (_, i) => `k${i}`));
    const deletes = sent.filter((s) => s.name === 'DeleteObjectsCommand');
    expect(deletes.map((d) => d.input.Delete.Objects.length)).toEqual([1000, 1]);
  });

  it('fails when S3 could not delete an object, so the run is retried', async () => {
    const { client } = s3([], [{ Key: 'k', Code: 'AccessDenied' }]);
    await expect(new S3LakeObjects(client, 'lake').delete(['k'])).rejects.toThrow('AccessDenied');
  });
});
