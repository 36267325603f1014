/**
 * The analytics sink on AWS: lake rows into the Firehose stream that
 * converts them to Parquet (with the Glue table's schema) and writes them to
 * S3 partitioned by `dt` and `type`. One JSON object per record, timestamps as
 * epoch milliseconds (the stream parses them with the `millis` format); at
 * most 500 records per call, and records Firehose refused are sent again,
 * so the promise resolves only when every row was accepted.
 */
import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { LakeRow } from '../../analytics/lake-schema.js';
import type { AnalyticsSink } from '../../ports.js';

const MAX_BATCH = 500;

export class FirehoseAnalyticsSink implements AnalyticsSink {
  constructor(
    private readonly client: FirehoseClient,
    private readonly deliveryStreamName: string,
    private readonly maxAttempts = 5,
  ) {}

  async record(rows: readonly LakeRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += MAX_BATCH) await this.put(rows.slice(i, i + MAX_BATCH));
  }

  private async put(rows: readonly LakeRow[]): Promise<void> {
    let pending = rows.map((row) => new TextEncoder().encode(`${JSON.stringify(row)}\n`));
    for (let attempt = 1; pending.length; attempt++) {
      const res = await this.client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: this.deliveryStreamName,
          Records: pending.map((Data) => ({ Data })),
        }),
      );
      if (!res.FailedPutCount) return;
      // Failed entries are throttled or transient: send exactly those again, with backoff.
      pending = pending.filter((_, n) => res.RequestResponses?.[n]?.ErrorCode);
      if (attempt >= this.maxAttempts)
        throw new Error(`Firehose refused ${pending.length} lake rows after ${attempt} attempts`);
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}
