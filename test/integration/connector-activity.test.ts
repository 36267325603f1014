/** The last-event-per-connector items on DynamoDB Local: coalesced writes, newest wins, one Query to read. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoConnectorActivity } from '../../functions/adapters/aws/dynamodb-connector-activity.js';
import { ensureHubTable } from '../../functions/adapters/local/dynamodb-local.js';
import { sharedDynamo } from '../helpers/hub.js';

const event = (connector: string, receivedAt: string, type = 'message.received' as const) => ({
  connector,
  type,
  receivedAt,
  occurredAt: receivedAt,
});

describe('Adapter: DynamoConnectorActivity', () => {
  let client: DynamoDBClient;
  const tableName = `test-${randomUUID()}`;

  beforeAll(async () => {
    client = sharedDynamo().client();
    await ensureHubTable(client, tableName);
  });
  afterAll(() => client?.destroy());

  it('writes the first event at once and coalesces later ones within the interval', async () => {
    // Prepare
    let now = 1_000_000;
    const activity = new DynamoConnectorActivity(client, { tableName, minIntervalMs: 60_000, now: () => now });

    // Act
    await activity.record(event('telegram', '2026-11-01T10:00:00.000Z'));
    now += 30_000;
    await activity.record(event('telegram', '2026-11-01T10:00:30.000Z'));
    const within = await activity.lastEvents();
    now += 31_000;
    await activity.record(event('telegram', '2026-11-01T10:01:01.000Z'));
    const after = await activity.lastEvents();

    // Assess
    expect(within.telegram?.receivedAt).toBe('2026-11-01T10:00:00.000Z');
    expect(after.telegram?.receivedAt).toBe('2026-11-01T10:01:01.000Z');
  });

  it('keeps the newest event when a writer reports an older one', async () => {
    // Prepare: two writers (two Lambda containers), each with its own coalescing.
    const a = new DynamoConnectorActivity(client, { tableName, minIntervalMs: 0 });
    const b = new DynamoConnectorActivity(client, { tableName, minIntervalMs: 0 });

    // Act
    await a.record(event('viber', '2026-11-02T10:00:00.000Z'));
    await b.record(event('viber', '2026-11-01T09:00:00.000Z'));

    // Assess
    expect((await a.lastEvents()).viber).toEqual({
      connector: 'viber',
      type: 'message.received',
      receivedAt: '2026-11-02T10:00:00.000Z',
      occurredAt: '2026-11-02T10:00:00.000Z',
    });
  });
});
