/**
 * No store call hangs. A DynamoDB endpoint that accepts the
 * connection and never answers (a paused DynamoDB Local, a black hole) fails
 * the call within the client's timeouts, with an error the consumers treat
 * as "the store is unavailable" (retry later, don't count it).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AWS_STORE_TIMEOUTS,
  LOCAL_STORE_TIMEOUTS,
  storeClientConfig,
} from '../../../functions/adapters/aws/dynamodb-client.js';
import { isTransientStoreError } from '../../../functions/shared/store-availability.js';

const sockets: Socket[] = [];
const blackHole: Server = createServer((socket) => {
  sockets.push(socket); // accepted, never answered
});
const listening = new Promise<number>((resolve) =>
  blackHole.listen(0, '127.0.0.1', () => resolve((blackHole.address() as { port: number }).port)),
);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackHole.close(r));
});

describe('store client timeouts', () => {
  it('fails a call to a store that never answers within its timeouts, as a transient error', async () => {
    // Prepare: the house settings, scaled down so the test takes a second.
    const client = new DynamoDBClient(
      storeClientConfig(
        { connectionTimeoutMs: 200, requestTimeoutMs: 300, maxAttempts: 2 },
        {
          endpoint: `http://127.0.0.1:${await listening}`,
          region: 'local',
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        },
      ),
    );
    const started = Date.now();

    // Act
    const error = await client.send(new ListTablesCommand({})).then(
      () => undefined,
      (err: unknown) => err,
    );
    client.destroy();

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(isTransientStoreError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives every store client, on AWS and locally, a connection and a request timeout that throws', () => {
    for (const timeouts of [AWS_STORE_TIMEOUTS, LOCAL_STORE_TIMEOUTS]) {
      const config = storeClientConfig(timeouts);
      expect(config.requestHandler).toEqual({
        connectionTimeout: timeouts.connectionTimeoutMs,
        requestTimeout: timeouts.requestTimeoutMs,
        throwOnRequestTimeout: true,
      });
      expect(config.maxAttempts).toBe(3);
    }
    expect(AWS_STORE_TIMEOUTS.requestTimeoutMs * AWS_STORE_TIMEOUTS.maxAttempts).toBeLessThan(30_000);
  });
});
