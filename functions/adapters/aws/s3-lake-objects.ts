/** The lake's files on S3, for the compaction job: list, copy within the bucket, delete in batches of 1 000. */
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { LakeObjects } from '../../ports.js';

const DELETE_BATCH = 1000;

export class S3LakeObjects implements LakeObjects {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async copy(from: string, to: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: to,
        // Keys are dt=…/type=…/name: no character needs more than the URI encoding of each segment.
        CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        ServerSideEncryption: 'AES256',
      }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const res = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (res.Errors?.length)
        throw new Error(`S3 did not delete ${res.Errors.length} lake objects: ${res.Errors[0]?.Code ?? 'unknown'}`);
    }
  }
}
