/**
 * Where the replay guard keeps its one-time values in the hub table: one
 * item per value under its own partition-key prefix, so the ingest function's
 * IAM grant can be limited to these items (`dynamodb:LeadingKeys`), and the
 * value itself is stored only as a hash.
 */
import { createHash } from 'node:crypto';

/** Partition-key prefix of replay-guard items; the ingest role may touch no other key. */
export const REPLAY_KEY_PREFIX = 'REPLAY#';

/** Sort key of every replay-guard item (one item per value). */
export const REPLAY_SORT_KEY = 'NONCE';

/** `REPLAY#<sha256 of the connector's key>`: fixed length, and nothing a vendor sent is stored verbatim. */
export const replayPartitionKey = (key: string): string =>
  `${REPLAY_KEY_PREFIX}${createHash('sha256').update(key, 'utf8').digest('hex')}`;
