/**
 * `ItemStore` in memory, for fast tests: the same conditional semantics as
 * DynamoDB — `attribute_not_exists`, equality and `IN` conditions on the
 * item's current state, transactions all or nothing (at most 100 writes, one
 * per item), `Limit` counted before the filter, 400 KB items — proved by the
 * store contract suite that runs against both. Every call yields to the event
 * loop first, so concurrent writers interleave as they would over a network.
 * Not for production: nothing is persisted.
 */
import {
  keyOfWrite,
  keyString,
  MAX_TRANSACTION_WRITES,
  type Condition,
  type ItemKey,
  type Step,
  type StoredItem,
  type Write,
} from '../../domain/store-model.js';
import { HubError } from '../../shared/errors.js';
import type { ItemPage, ItemQuery, ItemStore, StepResult } from '../store/item-store.js';

/** DynamoDB's item size limit. */
const MAX_ITEM_BYTES = 400 * 1024;

/** A request DynamoDB would refuse outright (its `ValidationException`; not a failed condition). */
class MemoryValidationError extends HubError {
  constructor(message: string) {
    super(message, 500, 'store_validation');
  }
}

const clone = <T>(value: T): T => structuredClone(value);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const holds = (condition: Condition | undefined, item: StoredItem | undefined): boolean => {
  if (!condition) return true;
  switch (condition.kind) {
    case 'absent':
      return item === undefined;
    case 'equals':
      return item !== undefined && item[condition.attribute] === condition.value;
    case 'oneOf':
      return item !== undefined && condition.values.includes(item[condition.attribute] as string);
    case 'supersedes':
      return item === undefined || item.customerId !== condition.customerId || Number(item.version) < condition.version;
  }
};

export class MemoryItemStore implements ItemStore {
  private readonly items = new Map<string, StoredItem>();

  /** Every item, for assertions (copies). */
  all(): StoredItem[] {
    return [...this.items.values()].map(clone);
  }

  async get(key: ItemKey): Promise<StoredItem | undefined> {
    await tick();
    const item = this.items.get(keyString(key));
    return item && clone(item);
  }

  async batchGet(keys: readonly ItemKey[]): Promise<StoredItem[]> {
    await tick();
    const found = new Map<string, StoredItem>();
    for (const k of keys) {
      const item = this.items.get(keyString(k));
      if (item) found.set(keyString(k), clone(item));
    }
    return [...found.values()];
  }

  async query(q: ItemQuery): Promise<ItemPage> {
    await tick();
    let matching = [...this.items.values()]
      .filter((i) => i.pk === q.pk)
      .filter((i) => (q.between ? i.sk >= q.between[0] && i.sk <= q.between[1] : true))
      .filter((i) => (q.beginsWith ? i.sk.startsWith(q.beginsWith) : true))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    if (q.descending) matching.reverse();
    if (q.startAfter) {
      const after = q.startAfter.sk;
      matching = matching.filter((i) => (q.descending ? i.sk < after : i.sk > after));
    }
    // As DynamoDB: `Limit` bounds the items read, the filter applies to those.
    const page = q.limit ? matching.slice(0, q.limit) : matching;
    const last = page[page.length - 1];
    const filtered = page.filter((i) => (q.filter ?? []).every((f) => f.oneOf.includes(i[f.attribute] as string)));
    return {
      items: filtered.map(clone),
      ...(q.limit && page.length === q.limit && last ? { next: { pk: last.pk, sk: last.sk } } : {}),
    };
  }

  async execute(step: Step): Promise<StepResult> {
    await tick();
    switch (step.kind) {
      case 'write': {
        const current = this.items.get(keyString(keyOfWrite(step.write)));
        if (!holds(step.write.condition, current))
          return current ? { ok: false, existing: clone(current) } : { ok: false };
        this.apply(step.write);
        return { ok: true };
      }
      case 'transaction': {
        if (step.writes.length > MAX_TRANSACTION_WRITES)
          throw new MemoryValidationError(`A transaction holds at most ${MAX_TRANSACTION_WRITES} writes`);
        const keys = step.writes.map((w) => keyString(keyOfWrite(w)));
        if (new Set(keys).size !== keys.length)
          throw new MemoryValidationError('Transaction request cannot include multiple operations on one item');
        // All conditions first, on the state before the transaction; then every write, or none.
        for (const w of step.writes)
          if (!holds(w.condition, this.items.get(keyString(keyOfWrite(w))))) return { ok: false };
        for (const w of step.writes) this.check(w);
        for (const w of step.writes) this.apply(w);
        return { ok: true };
      }
      case 'bulk':
        for (const w of step.writes) this.check(w);
        for (const w of step.writes) this.apply(w);
        return { ok: true };
    }
  }

  private check(w: Write): void {
    if (w.op === 'put' && Buffer.byteLength(JSON.stringify(w.item), 'utf8') > MAX_ITEM_BYTES)
      throw new MemoryValidationError('Item size has exceeded the maximum allowed size');
  }

  private apply(w: Write): void {
    this.check(w);
    if (w.op === 'put') this.items.set(keyString(w.item), clone(w.item));
    else this.items.delete(keyString(w.key));
  }
}
