/**
 * The single customer view in one DynamoDB table (the same code runs against
 * DynamoDB Local in `npm start` and the tests). The rules are pure
 * (`domain/plan-apply.ts`, `plan-unmerge.ts`, `plan-erase.ts`) and the item
 * layout is `domain/store-model.ts`; this store only reads what a rule asks
 * for and executes the plans it returns (`DynamoItemStore`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PlanProfileStore, type PlanProfileStoreOptions } from '../store/plan-profile-store.js';
import { DynamoItemStore } from './dynamodb-item-store.js';

export { keys } from '../../domain/store-model.js';
export { newCustomerId } from '../../domain/plan-apply.js';

export interface DynamoProfileStoreOptions extends PlanProfileStoreOptions {
  readonly tableName: string;
}

export class DynamoProfileStore extends PlanProfileStore {
  constructor(client: DynamoDBClient, options: DynamoProfileStoreOptions) {
    super(new DynamoItemStore(client, options.tableName), options);
  }
}
