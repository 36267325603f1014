/** The store contract against the DynamoDB store, on the shared DynamoDB Local (a fresh table per case). */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll } from 'vitest';
import { DynamoItemStore } from '../../functions/adapters/aws/dynamodb-item-store.js';
import { DynamoProfileStore } from '../../functions/adapters/aws/dynamodb-profile-store.js';
import { ensureHubTable } from '../../functions/adapters/local/dynamodb-local.js';
import type { StoredItem } from '../../functions/domain/store-model.js';
import { sharedDynamo } from '../helpers/hub.js';
import { profileStoreContract } from './profile-store.contract.js';

const client = sharedDynamo().client();
afterAll(() => client.destroy());

profileStoreContract('DynamoDB', async (options) => {
  const tableName = `contract-${randomUUID()}`;
  await ensureHubTable(client, tableName);
  return {
    store: new DynamoProfileStore(client, { ...options, tableName }),
    items: new DynamoItemStore(client, tableName),
    all: async () => {
      const out: StoredItem[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await client.send(
          new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start as never } : {}) }),
        );
        out.push(...(res.Items ?? []).map((i) => unmarshall(i) as StoredItem));
        start = res.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
});
