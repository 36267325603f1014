/** The store contract against the DynamoDB store, on the shared DynamoDB Local (a fresh table per case). */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoCallerCards } from '../../functions/adapters/aws/dynamodb-caller-cards.js';
import { DynamoItemStore } from '../../functions/adapters/aws/dynamodb-item-store.js';
import { DynamoProfileStore } from '../../functions/adapters/aws/dynamodb-profile-store.js';
import { ensureHubTable } from '../../functions/adapters/local/dynamodb-local.js';
import type { StoredItem } from '../../functions/domain/store-model.js';
import { hubEventId } from '../../functions/events/event-id.js';
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

describe('DynamoCallerCards (what ingest reads on AWS for Binotel)', () => {
  it('reads the card the profile writer keeps, and nothing for an unknown or erased number', async () => {
    // Prepare
    const tableName = `cards-${randomUUID()}`;
    await ensureHubTable(client, tableName);
    const store = new DynamoProfileStore(client, { tableName });
    const cards = new DynamoCallerCards(client, { tableName });
    const phone = { type: 'phone' as const, value: '+380671234500' };
    const at = '2026-11-01T10:00:00.000Z';
    const applied = await store.applyEvent({
      schemaVersion: 1,
      id: hubEventId('cards', '1'),
      connector: 'cards',
      providerEventId: '1',
      type: 'message.received',
      channel: 'viber',
      occurredAt: at,
      receivedAt: at,
      customer: { identities: [phone], traits: { name: 'Ivan' } },
      summary: 'Hello',
      data: { messageId: '1', direction: 'inbound', contentType: 'text', text: 'Hello' },
    });

    // Act
    const card = await cards.findCallerCard(phone.value);

    // Assess
    expect(card).toEqual(await store.findCallerCard(phone.value));
    expect(card).toMatchObject({ customerId: applied.customerId, name: 'Ivan', lastInteraction: { summary: 'Hello' } });
    expect(await cards.findCallerCard('+380671234599')).toBeUndefined();
    await store.eraseCustomer(applied.customerId as string);
    expect(await cards.findCallerCard(phone.value)).toBeUndefined();
  });
});
