import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { DynamoMessageStore } from '../../functions/adapters/aws/dynamodb-message-store.js';
import { ensureHubTable } from '../../functions/adapters/local/dynamodb-local.js';
import { describeMessageStoreContract } from '../contract/message-store.js';
import { sharedDynamo } from '../helpers/hub.js';

const client = sharedDynamo().client();
afterAll(() => client.destroy());

describeMessageStoreContract('DynamoDB (Local)', async () => {
  const tableName = `test-messages-${randomUUID()}`;
  await ensureHubTable(client, tableName);
  return new DynamoMessageStore(client, { tableName });
});
