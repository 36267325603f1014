/**
 * The customer view in memory: the very plans the DynamoDB store executes,
 * executed by `MemoryItemStore`. For handler and rule tests that run in
 * milliseconds without Java; the store contract suite
 * (`test/store/profile-store.contract.ts`) runs against this store and the
 * DynamoDB one alike, which is what makes it honest.
 */
import type { StoredItem } from '../../domain/store-model.js';
import { PlanProfileStore, type PlanProfileStoreOptions } from '../store/plan-profile-store.js';
import { MemoryItemStore } from './memory-item-store.js';

export class MemoryProfileStore extends PlanProfileStore {
  constructor(
    options: PlanProfileStoreOptions = {},
    readonly itemStore: MemoryItemStore = new MemoryItemStore(),
  ) {
    super(itemStore, options);
  }

  /** Every stored item (copies), for assertions. */
  snapshot(): StoredItem[] {
    return this.itemStore.all();
  }
}
