/**
 * The erasure holds in the store's table (`domain/erasure.ts` has the
 * rules): the per-deployment HMAC key, created on first use and kept in the
 * table itself (so a restored or copied table keeps matching its holds; it
 * protects erased people's values from being guessed by anyone without table
 * access — who could read the live customers anyway), and the check every
 * consumer runs.
 */
import { randomBytes } from 'node:crypto';
import {
  holdKeysOf,
  holdMacWith,
  isHeld,
  type HeldSubject,
  type HoldKeys,
  type HoldMac,
  type HoldsFound,
} from '../../domain/erasure.js';
import { absent, keys, keyString, put } from '../../domain/store-model.js';
import type { ErasureRegistry } from '../../ports.js';
import type { ItemStore } from './item-store.js';

export class ErasureHolds implements ErasureRegistry {
  private mac?: HoldMac;

  constructor(private readonly items: ItemStore) {}

  /** The HMAC over the deployment's key; `create` makes the key when there is none yet (undefined then: no holds exist). */
  async macFor(create: boolean): Promise<HoldMac | undefined> {
    if (this.mac) return this.mac;
    let item = await this.items.get(keys.salt(), true);
    if (!item && create) {
      // Two first writers race: the conditional put lets one win, and both read the winner's key.
      await this.items.execute({
        kind: 'write',
        name: 'erasure-key',
        onFail: 'skip',
        write: put({ ...keys.salt(), key: randomBytes(32).toString('base64url') }, absent),
      });
      item = await this.items.get(keys.salt(), true);
    }
    if (typeof item?.key !== 'string') return undefined;
    this.mac = holdMacWith(item.key);
    return this.mac;
  }

  /** The holds that exist among `holdKeys` (read strongly: an erasure writes them before it deletes anything). */
  async read(holdKeys: HoldKeys): Promise<HoldsFound> {
    const found = await this.items.batchGet([holdKeys.event, ...holdKeys.identities], true);
    return new Map(found.map((item) => [keyString(item), item.erasedAt as string]));
  }

  async isErased(subject: HeldSubject): Promise<boolean> {
    // One read for almost every event: nothing that happened after the latest erasure can be held.
    const latest = await this.items.get(keys.latestErasure(), true);
    if (typeof latest?.erasedAt !== 'string' || subject.occurredAt >= latest.erasedAt) return false;
    const mac = await this.macFor(false);
    if (!mac) return false;
    const holdKeys = holdKeysOf(subject, mac);
    return isHeld(subject, holdKeys, await this.read(holdKeys));
  }
}
