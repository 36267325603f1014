/**
 * In-memory `ReplayGuard` for fast handler tests: the same claim / commit /
 * release semantics as the DynamoDB adapter (one contract suite runs against
 * both), with an injectable clock so leases and expiries can be tested
 * without waiting.
 */
import { randomUUID } from 'node:crypto';
import type { ReplayClaim, ReplayGuard } from '../../ports.js';

interface Entry {
  readonly state: 'pending' | 'used';
  readonly owner: string;
  readonly expiresAtMs: number;
}

export class MemoryReplayGuard implements ReplayGuard {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Values currently remembered (expired ones excluded). */
  get size(): number {
    const now = this.now();
    return [...this.entries.values()].filter((e) => e.expiresAtMs >= now).length;
  }

  async claim(key: string, { leaseSeconds }: { readonly leaseSeconds: number }): Promise<ReplayClaim> {
    const now = this.now();
    const existing = this.entries.get(key);
    if (existing && existing.expiresAtMs >= now) return { status: existing.state === 'used' ? 'used' : 'in-flight' };
    const owner = randomUUID();
    this.entries.set(key, { state: 'pending', owner, expiresAtMs: now + leaseSeconds * 1000 });
    const mine = () => this.entries.get(key)?.owner === owner;
    return {
      status: 'first',
      commit: async (expiresAt) => {
        if (mine()) this.entries.set(key, { state: 'used', owner, expiresAtMs: expiresAt.getTime() });
      },
      release: async () => {
        if (mine() && this.entries.get(key)?.state === 'pending') this.entries.delete(key);
      },
    };
  }
}
