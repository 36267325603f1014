/**
 * The caller cards (`K#<phone>` / `K`, `domain/caller-card.ts`) read with
 * one strongly consistent `GetItem` and nothing else: what the ingest
 * function may read of the customer view (its IAM grant is `GetItem` on
 * `K#*` partition keys only), so Binotel's `apiCallSettings` is answered
 * with the caller's card on AWS too.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { cardKey, fromCardItem, type StoredCard } from '../../domain/caller-card.js';
import type { StoredItem } from '../../domain/store-model.js';
import type { ProfileStore } from '../../ports.js';

export class DynamoCallerCards implements Pick<ProfileStore, 'findCallerCard'> {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: { readonly tableName: string },
  ) {}

  async findCallerCard(phone: string): Promise<StoredCard | undefined> {
    const key = cardKey(phone);
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        // An erased customer's card is gone for the very next call.
        ConsistentRead: true,
      }),
    );
    return Item ? fromCardItem(unmarshall(Item) as StoredItem) : undefined;
  }
}
