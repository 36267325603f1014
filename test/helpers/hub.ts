/** Starts a local hub for integration tests against the shared DynamoDB Local. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { localClient, type DynamoDbLocal } from '../../functions/adapters/local/dynamodb-local.js';
import { startLocalHub, type LocalHub, type LocalHubOptions } from '../../functions/adapters/local/local-hub.js';

export const sharedDynamo = (): DynamoDbLocal => {
  const endpoint = inject('dynamoEndpoint');
  return { endpoint, port: Number(new URL(endpoint).port), client: () => localClient(endpoint), stop: async () => undefined };
};

export const TEST_SECRET = 'test-secret';
export const TEST_VERIFY_TOKEN = 'test-verify-token';

export const startTestHub = (options: Partial<LocalHubOptions> = {}): Promise<LocalHub> =>
  startLocalHub({
    port: 0,
    dynamo: sharedDynamo(),
    tableName: `test-${randomUUID()}`,
    apiToken: 'test-api-token',
    retryBaseMs: 50,
    env: new Proxy({} as NodeJS.ProcessEnv, {
      // Every connector is configured with the same fixture secret.
      get: (_t, name) =>
        typeof name === 'string' && name.startsWith('OMNIHUB_SECRET_') ? TEST_SECRET
        : typeof name === 'string' && name.startsWith('OMNIHUB_VERIFY_TOKEN_') ? TEST_VERIFY_TOKEN
        : undefined,
    }),
    ...options,
  });

export const api = async (hub: LocalHub, path: string): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${hub.apiToken}` } });
  return { status: res.status, body: await res.json() };
};
