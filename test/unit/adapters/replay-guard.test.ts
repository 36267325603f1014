/**
 * One contract for both replay guards: the in-memory one (fast handler
 * tests) and the DynamoDB one (ingest on AWS and in `npm start`), the latter
 * against the shared DynamoDB Local. Claims are exclusive, a commit makes the
 * value `used` until it expires, a release frees it for the vendor's genuine
 * retry, and a lease that nobody commits or releases runs out.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoReplayGuard } from '../../../functions/adapters/aws/dynamodb-replay-guard.js';
import { DynamoSecretProblemLog } from '../../../functions/adapters/aws/dynamodb-secret-problems.js';
import { ensureHubTable } from '../../../functions/adapters/local/dynamodb-local.js';
import { MemoryReplayGuard } from '../../../functions/adapters/memory/memory-replay-guard.js';
import type { ReplayGuard } from '../../../functions/ports.js';
import { REPLAY_SORT_KEY, replayPartitionKey } from '../../../functions/shared/ingest-keys.js';
import { sharedDynamo } from '../../helpers/hub.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');

interface Subject {
  readonly guard: ReplayGuard;
  /** Moves the guard's clock. */
  advance(ms: number): void;
}

const dynamo = sharedDynamo();
const client = dynamo.client();
const tableName = `test-replay-${randomUUID()}`;

beforeAll(async () => {
  await ensureHubTable(client, tableName);
});
afterAll(() => {
  client.destroy();
});

const clock = () => {
  let now = T0;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

const SUBJECTS: Record<string, () => Subject> = {
  memory: () => {
    const c = clock();
    return { guard: new MemoryReplayGuard(c.now), advance: c.advance };
  },
  dynamodb: () => {
    const c = clock();
    return { guard: new DynamoReplayGuard(client, { tableName, now: c.now }), advance: c.advance };
  },
};

const LEASE = { leaseSeconds: 60 };
const HOUR = 3_600_000;

for (const [name, make] of Object.entries(SUBJECTS)) {
  describe(`ReplayGuard contract: ${name}`, () => {
    const key = () => `mailgun\n${randomUUID()}`;

    it('grants the first claim and refuses a second one while the first is in flight', async () => {
      // Prepare
      const { guard } = make();
      const k = key();

      // Act
      const first = await guard.claim(k, LEASE);
      const second = await guard.claim(k, LEASE);

      // Assess
      expect(first.status).toBe('first');
      expect(second.status).toBe('in-flight');
    });

    it('refuses the value as used once committed, until it expires, then frees it', async () => {
      // Prepare
      const { guard, advance } = make();
      const k = key();
      const first = await guard.claim(k, LEASE);
      if (first.status !== 'first') throw new Error('expected the first claim');

      // Act
      await first.commit(new Date(T0 + 8 * HOUR));
      advance(8 * HOUR - 1000);
      const stillUsed = await guard.claim(k, LEASE);
      advance(2000);
      const afterExpiry = await guard.claim(k, LEASE);

      // Assess
      expect(stillUsed.status).toBe('used');
      expect(afterExpiry.status).toBe('first');
    });

    it('lets the next claim through after a release (the genuine retry of a failed request)', async () => {
      // Prepare
      const { guard } = make();
      const k = key();
      const first = await guard.claim(k, LEASE);
      if (first.status !== 'first') throw new Error('expected the first claim');

      // Act
      await first.release();
      const retry = await guard.claim(k, LEASE);

      // Assess
      expect(retry.status).toBe('first');
    });

    it('frees a value whose holder never commits nor releases once the lease runs out', async () => {
      // Prepare: a crashed invocation holds the claim.
      const { guard, advance } = make();
      const k = key();
      await guard.claim(k, LEASE);

      // Act
      advance(59_000);
      const during = await guard.claim(k, LEASE);
      advance(2_000);
      const after = await guard.claim(k, LEASE);

      // Assess
      expect(during.status).toBe('in-flight');
      expect(after.status).toBe('first');
    });

    it('does not let a stale holder release or commit over the one that took the value over', async () => {
      // Prepare
      const { guard, advance } = make();
      const k = key();
      const stale = await guard.claim(k, LEASE);
      advance(61_000);
      const current = await guard.claim(k, LEASE);
      if (stale.status !== 'first' || current.status !== 'first') throw new Error('expected two successive claims');

      // Act
      await stale.release();
      await stale.commit(new Date(T0 + HOUR));
      const third = await guard.claim(k, LEASE);

      // Assess: the current holder still holds it (pending, not used by the stale commit).
      expect(third.status).toBe('in-flight');
    });

    it('grants exactly one of many concurrent claims', async () => {
      // Prepare
      const { guard } = make();
      const k = key();

      // Act
      const claims = await Promise.all(Array.from({ length: 12 }, () => guard.claim(k, LEASE)));

      // Assess
      expect(claims.filter((c) => c.status === 'first')).toHaveLength(1);
    });

    it('keeps different values apart', async () => {
      // Prepare
      const { guard } = make();

      // Act
      const a = await guard.claim(key(), LEASE);
      const b = await guard.claim(key(), LEASE);

      // Assess
      expect([a.status, b.status]).toEqual(['first', 'first']);
    });
  });
}

describe('DynamoReplayGuard items', () => {
  it('stores only a hash of the value, under the REPLAY# prefix, with a TTL past its expiry', async () => {
    // Prepare
    const guard = new DynamoReplayGuard(client, { tableName, now: () => T0 });
    const k = `mailgun\n1714564800:token-${randomUUID()}`;
    const claim = await guard.claim(k, LEASE);
    if (claim.status !== 'first') throw new Error('expected the first claim');

    // Act
    await claim.commit(new Date(T0 + 8 * HOUR));
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: replayPartitionKey(k) }, sk: { S: REPLAY_SORT_KEY } },
      }),
    );
    const everything = await client.send(new ScanCommand({ TableName: tableName }));

    // Assess
    expect(replayPartitionKey(k)).toMatch(/^REPLAY#[0-9a-f]{64}$/);
    expect(Item?.state?.S).toBe('used');
    expect(Number(Item?.ttl?.N)).toBeGreaterThan((T0 + 8 * HOUR) / 1000);
    expect(JSON.stringify(everything.Items)).not.toContain('token-');
  });
});

describe('DynamoSecretProblemLog', () => {
  it('keeps the last report per connector under CONNECTOR#<name>, with its time', async () => {
    // Prepare
    const log = new DynamoSecretProblemLog(client, { tableName });
    const connector = `c${randomUUID().slice(0, 8)}`;

    // Act
    const before = await log.latest(connector);
    await log.report(connector, ['first'], new Date(T0));
    await log.report(connector, ['a', 'b'], new Date(T0 + 60_000));
    const latest = await log.latest(connector);
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `CONNECTOR#${connector}` }, sk: { S: 'SECRET_PROBLEMS' } },
      }),
    );

    // Assess
    expect(before).toBeUndefined();
    expect(latest).toEqual({ problems: ['a', 'b'], at: new Date(T0 + 60_000).toISOString() });
    expect(Number(Item?.ttl?.N)).toBeGreaterThan((T0 + 60_000) / 1000);
  });
});
