/**
 * The only items of the hub table the ingest function may touch, each kind
 * under its own partition-key prefix so its IAM grant can be limited to them
 * (`dynamodb:LeadingKeys`): the replay guard's one-time values, and what
 * ingest found wrong with a connector's secrets (for `GET /v1/connectors`,
 * whose function may not read secret values). Nothing a vendor sent is
 * stored verbatim.
 */
import { createHash } from 'node:crypto';

/** Partition-key prefix of replay-guard items. */
const REPLAY_KEY_PREFIX = 'REPLAY#';

/** Sort key of every replay-guard item (one item per value). */
export const REPLAY_SORT_KEY = 'NONCE';

/** `REPLAY#<sha256 of the connector's key>`: fixed length, and the value itself is never stored. */
export const replayPartitionKey = (key: string): string =>
  `${REPLAY_KEY_PREFIX}${createHash('sha256').update(key, 'utf8').digest('hex')}`;

/** Partition-key prefix of connector status items: `CONNECTOR#<name>`. */
export const CONNECTOR_KEY_PREFIX = 'CONNECTOR#';

/** Sort key of the item holding the secret problems ingest last saw for a connector. */
export const SECRET_PROBLEMS_SORT_KEY = 'SECRET_PROBLEMS';

/** Every partition-key prefix ingest may read or write. */
export const INGEST_KEY_PREFIXES = [REPLAY_KEY_PREFIX, CONNECTOR_KEY_PREFIX] as const;
