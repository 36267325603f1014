import { describe, expect, it } from 'vitest';
import {
  holdKeysOf,
  holdMacWith,
  holdRetentionDays,
  holdWrites,
  isErasedDetail,
  isHeld,
} from '../../../functions/domain/erasure.js';
import { identityKey } from '../../../functions/domain/identity.js';
import { ERASED } from '../../../functions/domain/plan-apply.js';
import { keys, keyString } from '../../../functions/domain/store-model.js';
import { hubEventId } from '../../../functions/events/event-id.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { applyPlan, ctxOf, decideApply, message, phone, storedProfile, worldOf } from './plan-world.js';

const mac = holdMacWith('dGVzdC1rZXktMzItYnl0ZXMtbG9uZy4uLi4uLi4uLi4u');
const ERASED_AT = '2026-11-15T00:00:00.000Z';
const P = phone('+380501118001');

/** The holds an erasure of a person with phone P and event `eventId` writes, as stored items. */
const holdsWorld = (eventIds: string[] = []) =>
  holdWrites({ eventIds, identityKeys: [identityKey(P)] }, ERASED_AT, mac, 91).map((w) => {
    if (w.op !== 'put') throw new Error('holds are puts');
    return w.item;
  });

describe('Erasure holds: keys and the rule', () => {
  it('keys carry no personal data and depend on the deployment key', () => {
    const k = holdKeysOf({ id: 'evt_1', identities: [P] }, mac);
    const other = holdKeysOf({ id: 'evt_1', identities: [P] }, holdMacWith('b3RoZXIta2V5'));
    expect(JSON.stringify(k)).not.toContain('380501118001');
    expect(k.identities[0]).not.toEqual(other.identities[0]);
  });

  it('holds an event by its id, or by an identity when it happened before the erasure', () => {
    const subject = (id: string, occurredAt: string) => ({ id, occurredAt, identities: [P] });
    const found = new Map(holdsWorld(['evt_old']).map((i) => [keyString(i), i.erasedAt as string]));
    const held = (id: string, at: string) => isHeld(subject(id, at), holdKeysOf(subject(id, at), mac), found);
    expect(held('evt_old', '2030-01-01T00:00:00.000Z')).toBe(true);
    expect(held('evt_queued', '2026-11-14T23:59:59.000Z')).toBe(true);
    expect(held('evt_new', '2026-11-15T00:00:01.000Z')).toBe(false);
  });

  it('keeps holds for the archive retention, at least the 14 days of queue retention, plus a day', () => {
    expect(holdRetentionDays(90)).toBe(91);
    expect(holdRetentionDays(7)).toBe(15);
    const [hold] = holdsWorld();
    expect(hold?.ttl).toBe(Date.parse(ERASED_AT) / 1000 + 91 * 86_400);
    expect(holdsWorld().at(-1)).toEqual({ ...keys.latestErasure(), erasedAt: ERASED_AT });
  });

  it('recognises her archived events: by id, by identity before the erasure, and a thin webhook that would become one', () => {
    const erased = { eventIds: new Set(['evt_a']), identityKeys: new Set([identityKey(P)]), erasedAt: ERASED_AT };
    const thin = { connector: 'kommo', providerEventId: 'lead-7', receivedAt: '2026-11-01T00:00:00Z' };
    const erasedThin = { ...erased, eventIds: new Set([hubEventId('kommo', 'lead-7')]) };
    expect(isErasedDetail({ id: 'evt_a' }, erased, hubEventId)).toBe(true);
    expect(
      isErasedDetail(
        { id: 'evt_b', occurredAt: '2026-11-01T00:00:00Z', customer: { identities: [P] } },
        erased,
        hubEventId,
      ),
    ).toBe(true);
    expect(
      isErasedDetail(
        { id: 'evt_c', occurredAt: '2026-12-01T00:00:00Z', customer: { identities: [P] } },
        erased,
        hubEventId,
      ),
    ).toBe(false);
    expect(isErasedDetail(thin, erasedThin, hubEventId)).toBe(true);
    expect(isErasedDetail(thin, erased, hubEventId)).toBe(false);
    expect(isErasedDetail({ customerId: 'cus_x', type: 'customer.erased' }, erased, hubEventId)).toBe(false);
  });
});

describe('planApply: erasure holds', () => {
  const holdCtx = (e: ReturnType<typeof message>) =>
    ctxOf({ holdKeys: holdKeysOf({ id: e.id, identities: e.customer.identities }, mac) });

  it('ignores an event of hers that happened before the erasure, writing nothing', () => {
    const e = message(1, [P], '2026-11-10T10:00:00.000Z');
    const { plan, requests } = decideApply(e, worldOf(...holdsWorld()), holdCtx(e));
    expect(requests).toContain('holds');
    expect(plan.outcome).toEqual({ status: 'ignored', reason: 'the customer was erased' });
    expect(plan.steps).toEqual([]);
  });

  it('starts a new profile for a message she sends after the erasure, remembering the erasure', () => {
    const e = message(2, [P], '2026-11-20T10:00:00.000Z');
    const { plan } = decideApply(e, worldOf(...holdsWorld()), holdCtx(e));
    const world = applyPlan(worldOf(...holdsWorld()), plan);
    expect(plan.outcome.status).toBe('applied');
    const profile = [...world.values()].find((i) => i.sk === 'P');
    expect(profile?.holdsBefore).toBe(ERASED_AT);
    // An old event of hers reaching that profile is checked and refused, though every identity is linked.
    const old = message(3, [P], '2026-11-10T10:00:00.000Z');
    const { plan: refused, requests } = decideApply(old, world, holdCtx(old));
    expect(requests).toContain('holds');
    expect(refused.outcome.status).toBe('ignored');
  });

  it("refuses a receipt of a message to her as hers, not as a stranger's", () => {
    const e = { ...message(6, [P], '2026-11-10T10:00:00.000Z'), type: 'message.delivered' } as HubEvent;
    const { plan } = decideApply(e, worldOf(...holdsWorld()), holdCtx(e));
    expect(plan.outcome).toEqual({ status: 'ignored', reason: ERASED });
    expect(plan.steps).toEqual([]);
  });

  it('never reads holds for a returning customer whose profile holds no erased identity', () => {
    const { items } = storedProfile('cus_h', [message(4, [phone('+380501118002')])]);
    const e = message(5, [phone('+380501118002')], '2026-11-10T10:00:00.000Z');
    const { requests } = decideApply(e, worldOf(...items), holdCtx(e));
    expect(requests).not.toContain('holds');
  });
});
