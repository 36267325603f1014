/**
 * The I/O a customer-view store needs: read items, query a partition,
 * execute one step of a write plan. DynamoDB (`aws/dynamodb-item-store.ts`)
 * and memory (`memory/memory-item-store.ts`) implement it with the same
 * semantics — conditions, all-or-nothing transactions, `Limit` before the
 * filter — and the store contract suite runs against both.
 */
import type { ItemKey, Step, StoredItem } from '../../domain/store-model.js';

export interface ItemQuery {
  readonly pk: string;
  /** Sort keys from `[0]` to `[1]`, both included (`BETWEEN`). */
  readonly between?: readonly [string, string];
  readonly beginsWith?: string;
  readonly descending?: boolean;
  /** Items read per page, counted before the filter (as DynamoDB's `Limit`). */
  readonly limit?: number;
  readonly startAfter?: ItemKey;
  /** Keeps items whose attribute is one of the values (a filter on the page read). */
  readonly filter?: readonly { readonly attribute: string; readonly oneOf: readonly string[] }[];
  readonly consistent?: boolean;
}

export interface ItemPage {
  readonly items: StoredItem[];
  /** Where the next page starts; absent on the last page. */
  readonly next?: ItemKey;
}

export type StepResult =
  | { readonly ok: true }
  /** A condition failed (a single write returns the item as it was, when it existed). */
  | { readonly ok: false; readonly existing?: StoredItem };

export interface ItemStore {
  get(key: ItemKey, consistent: boolean): Promise<StoredItem | undefined>;
  /** The items that exist, in any order. */
  batchGet(keys: readonly ItemKey[], consistent: boolean): Promise<StoredItem[]>;
  query(query: ItemQuery): Promise<ItemPage>;
  execute(step: Step): Promise<StepResult>;
}

/** Every item of a query, page after page. */
export async function* queryAll(store: ItemStore, query: ItemQuery): AsyncGenerator<StoredItem> {
  let startAfter = query.startAfter;
  do {
    const page = await store.query({ ...query, ...(startAfter ? { startAfter } : {}) });
    yield* page.items;
    startAfter = page.next;
  } while (startAfter);
}
