/**
 * The store contract: one suite, run against the DynamoDB store (on DynamoDB
 * Local) and the in-memory store. It pins the item-level semantics the rules
 * rely on (conditions, all-or-nothing transactions, pagination) and the
 * customer-view behaviour built on them (exactly-once apply, merges, orders,
 * outbox, unmerge, erasure, a crash between any two writes), so the memory
 * store used by fast tests cannot drift from the real one.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ItemStore } from '../../functions/adapters/store/item-store.js';
import type { PlanProfileStore, PlanProfileStoreOptions } from '../../functions/adapters/store/plan-profile-store.js';
import { identityKey } from '../../functions/domain/identity.js';
import { linkingPolicy } from '../../functions/domain/linking.js';
import { absent, put, remove, versionIs, type StoredItem } from '../../functions/domain/store-model.js';
import { hubEventId } from '../../functions/events/event-id.js';
import type { HubEvent, Identity } from '../../functions/events/hub-event.js';

export interface StoreUnderTest {
  readonly store: PlanProfileStore;
  readonly items: ItemStore;
  /** Every item in the store. */
  all(): Promise<StoredItem[]>;
}

export type MakeStore = (options?: PlanProfileStoreOptions) => Promise<StoreUnderTest>;

let seq = 0;
const tag = () => `${randomUUID().slice(0, 8)}${seq++}`;

const event = (n: string, identities: Identity[], occurredAt: string, overrides: Partial<HubEvent> = {}): HubEvent =>
  ({
    schemaVersion: 1,
    id: hubEventId('contract', n),
    connector: 'contract',
    providerEventId: n,
    type: 'message.received',
    channel: 'telegram',
    occurredAt,
    receivedAt: occurredAt,
    customer: { identities, traits: { name: `name ${n}` } },
    summary: `message ${n}`,
    data: { messageId: n, direction: 'inbound', contentType: 'text', text: `private text ${n}` },
    ...overrides,
  }) as HubEvent;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString();

/** The facts of a profile that must not depend on crashes or retries. */
const facts = (p: Record<string, unknown> | undefined) => {
  if (!p) return p;
  const { createdAt: _c, updatedAt: _u, recent: _r, version: _v, ...rest } = p;
  return rest;
};

/** A clock one second further on every call, so "the oldest profile" never ties. */
const ticking = () => {
  let t = Date.UTC(2026, 10, 20, 9, 0);
  return () => new Date((t += 1000));
};

export const profileStoreContract = (name: string, makeStore: MakeStore): void => {
  const make: MakeStore = (options = {}) => makeStore({ now: ticking(), ...options });

  describe(`Store contract (${name}): item semantics`, () => {
    it('a put conditional on absence fails when the item exists, and returns the item as it was', async () => {
      // Prepare
      const { items } = await make();
      const key = { pk: `T#${tag()}`, sk: 'x' };
      await items.execute({ kind: 'write', name: 'a', write: put({ ...key, v: 1 }, absent), onFail: 'conflict' });

      // Act
      const second = await items.execute({
        kind: 'write',
        name: 'b',
        write: put({ ...key, v: 2 }, absent),
        onFail: 'conflict',
      });

      // Assess
      expect(second).toEqual({ ok: false, existing: { ...key, v: 1 } });
      expect(await items.get(key, true)).toEqual({ ...key, v: 1 });
    });

    it('a version condition holds only on the version read, and fails on a missing item', async () => {
      const { items } = await make();
      const key = { pk: `T#${tag()}`, sk: 'x' };
      await items.execute({ kind: 'bulk', name: 'seed', writes: [put({ ...key, version: 3 })] });
      const stale = await items.execute({
        kind: 'write',
        name: 'w',
        write: put({ ...key, version: 3 }, versionIs(2)),
        onFail: 'conflict',
      });
      const fresh = await items.execute({
        kind: 'write',
        name: 'w',
        write: put({ ...key, version: 4 }, versionIs(3)),
        onFail: 'conflict',
      });
      const missing = await items.execute({
        kind: 'write',
        name: 'w',
        write: put({ pk: `T#${tag()}`, sk: 'x', version: 1 }, versionIs(0)),
        onFail: 'conflict',
      });
      expect([stale.ok, fresh.ok, missing.ok]).toEqual([false, true, false]);
      expect((await items.get(key, true))?.version).toBe(4);
    });

    it('a transaction with one failing condition writes nothing at all', async () => {
      // Prepare
      const { items } = await make();
      const a = { pk: `T#${tag()}`, sk: 'a' };
      const b = { pk: `T#${tag()}`, sk: 'b' };
      await items.execute({ kind: 'bulk', name: 'seed', writes: [put({ ...b, version: 1 })] });

      // Act
      const result = await items.execute({
        kind: 'transaction',
        name: 't',
        writes: [put({ ...a, v: 1 }, absent), put({ ...b, version: 2 }, versionIs(7))],
      });

      // Assess
      expect(result.ok).toBe(false);
      expect(await items.get(a, true)).toBeUndefined();
      expect((await items.get(b, true))?.version).toBe(1);
    });

    it('refuses a transaction that names one item twice', async () => {
      const { items } = await make();
      const a = { pk: `T#${tag()}`, sk: 'a' };
      await expect(
        items.execute({ kind: 'transaction', name: 't', writes: [put({ ...a, v: 1 }), remove(a)] }),
      ).rejects.toThrow();
    });

    it('a failed "one of" condition on a delete keeps the item (a link that names someone else stays)', async () => {
      const { items } = await make();
      const key = { pk: `I#${tag()}`, sk: 'I' };
      await items.execute({ kind: 'bulk', name: 'seed', writes: [put({ ...key, customerId: 'cus_b' })] });
      const result = await items.execute({
        kind: 'write',
        name: 'unlink',
        write: remove(key, { kind: 'oneOf', attribute: 'customerId', values: ['cus_a', 'cus_c'] }),
        onFail: 'skip',
      });
      expect(result.ok).toBe(false);
      expect(await items.get(key, true)).toBeDefined();
    });

    it('pages a query newest first with the limit counted before the filter', async () => {
      // Prepare: 5 items, every other one a match.
      const { items } = await make();
      const pk = `C#${tag()}`;
      await items.execute({
        kind: 'bulk',
        name: 'seed',
        writes: [0, 1, 2, 3, 4].map((i) => put({ pk, sk: `T#${i}`, kind: i % 2 ? 'odd' : 'even' })),
      });

      // Act
      const first = await items.query({
        pk,
        between: ['T#', 'T$'],
        descending: true,
        limit: 2,
        filter: [{ attribute: 'kind', oneOf: ['even'] }],
      });
      const second = await items.query({
        pk,
        between: ['T#', 'T$'],
        descending: true,
        limit: 2,
        filter: [{ attribute: 'kind', oneOf: ['even'] }],
        ...(first.next ? { startAfter: first.next } : {}),
      });

      // Assess
      expect(first.items.map((i) => i.sk)).toEqual(['T#4']);
      expect(first.next).toEqual({ pk, sk: 'T#3' });
      expect(second.items.map((i) => i.sk)).toEqual(['T#2']);
    });
  });

  describe(`Store contract (${name}): the customer view`, () => {
    it('applies an event once: a redelivery is a duplicate and changes nothing', async () => {
      // Prepare
      const { store } = await make();
      const phone = { type: 'phone' as const, value: `+38050${Math.floor(Math.random() * 1e7)}` };
      const e = event(tag(), [phone], at(1));

      // Act
      const first = await store.applyEvent(e);
      const again = await store.applyEvent(e);

      // Assess
      expect(first.status).toBe('applied');
      expect(again).toEqual(expect.objectContaining({ status: 'duplicate', customerId: first.customerId }));
      const profile = await store.findByIdentity(phone);
      expect(profile?.eventCount).toBe(1);
      expect((await store.getTimeline(first.customerId as string, { limit: 10 })).items).toHaveLength(1);
    });

    it('counts a returning customer’s messages, in any order, to the same profile', async () => {
      const { store } = await make();
      const tg = { type: 'telegram' as const, value: tag() };
      const events = [3, 1, 2].map((m) => event(`${tg.value}-${m}`, [tg], at(m)));
      for (const e of events) await store.applyEvent(e);
      const profile = await store.findByIdentity(tg);
      expect(profile?.eventCount).toBe(3);
      expect(profile?.lastInteractionAt).toBe(at(3));
      expect(profile?.channels.telegram?.count).toBe(3);
    });

    it('merges when an event links two profiles: the oldest survives, the old id reads the survivor, customer.merged stays in the outbox until marked', async () => {
      // Prepare
      const { store } = await make();
      const t = tag();
      const phone = { type: 'phone' as const, value: `+380501${String(seq).padStart(6, '0')}` };
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      const a = await store.applyEvent(event(`${t}-a`, [phone], at(1)));
      const b = await store.applyEvent(event(`${t}-b`, [mail], at(2)));

      // Act
      const merged = await store.applyEvent(event(`${t}-c`, [phone, mail], at(3)));

      // Assess
      expect(merged.customerId).toBe(a.customerId);
      expect((await store.getProfile(b.customerId as string))?.customerId).toBe(a.customerId);
      expect((await store.findByIdentity(mail))?.eventCount).toBe(3);
      expect(merged.notifications.map((n) => n.entry.detailType)).toEqual(['customer.merged', 'customer.updated']);
      const pending = await store.pendingNotifications({ before: new Date('2030-01-01T00:00:00Z'), limit: 100 });
      expect(pending.map((n) => n.id)).toContain(merged.notifications[0]?.id);
      await store.markNotified(merged.notifications);
      const after = await store.pendingNotifications({ before: new Date('2030-01-01T00:00:00Z'), limit: 100 });
      expect(after.map((n) => n.id)).not.toContain(merged.notifications[0]?.id);
      const timeline = await store.getTimeline(b.customerId as string, { limit: 10 });
      expect(timeline.items.map((i) => i.eventId)).toHaveLength(3);
    });

    it('ends in one profile when concurrent writers race for one new customer', async () => {
      const { store } = await make();
      const t = tag();
      const phone = { type: 'phone' as const, value: `+380502${String(seq).padStart(6, '0')}` };
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      const events = [
        event(`${t}-1`, [phone], at(1)),
        event(`${t}-2`, [mail], at(2)),
        event(`${t}-3`, [phone, mail], at(3)),
        event(`${t}-4`, [phone], at(4)),
        event(`${t}-5`, [mail], at(5)),
        event(`${t}-6`, [phone, mail], at(6)),
      ];
      await Promise.all(events.map((e) => store.applyEvent(e)));
      const byPhone = await store.findByIdentity(phone);
      expect((await store.findByIdentity(mail))?.customerId).toBe(byPhone?.customerId);
      expect(byPhone?.eventCount).toBe(6);
    });

    it('counts an order once whichever of its events arrive, and refunds against it', async () => {
      const { store } = await make();
      const t = tag();
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      const data = { orderId: `o-${t}`, total: { amountMinor: 12_000, currency: 'UAH' }, items: [] };
      await store.applyEvent(
        event(`${t}-placed`, [mail], at(1), { type: 'order.placed', channel: 'ecommerce', data } as never),
      );
      await store.applyEvent(
        event(`${t}-paid`, [mail], at(2), { type: 'order.paid', channel: 'ecommerce', data } as never),
      );
      const profile = await store.findByIdentity(mail);
      expect(profile?.orders).toEqual(expect.objectContaining({ count: 1, revenue: { UAH: 12_000 } }));
    });

    it('updates an existing order through its lifecycle: one order, the refund and the cancelled rest taken out once', async () => {
      const { store } = await make();
      const t = tag();
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      const total = { amountMinor: 12_000, currency: 'UAH' };
      const step = (n: string, m: number, type: string, extra: Record<string, unknown> = {}) =>
        event(`${t}-${n}`, [mail], at(m), {
          type,
          channel: 'ecommerce',
          data: { orderId: `o-${t}`, total, items: [], ...extra },
        } as never);
      await store.applyEvent(step('placed', 1, 'order.placed'));
      await store.applyEvent(step('paid', 2, 'order.paid'));
      await store.applyEvent(step('ready', 3, 'order.ready_for_pickup', { fulfillment: { method: 'pickup' } }));
      await store.applyEvent(step('fulfilled', 4, 'order.fulfilled'));
      await store.applyEvent(
        step('refund', 5, 'order.refunded', { refunded: { amountMinor: 2_000, currency: 'UAH' } }),
      );
      const cancel = step('cancel', 6, 'order.cancelled', { refunded: { amountMinor: 2_000, currency: 'UAH' } });
      await store.applyEvent(cancel);
      await store.applyEvent(cancel);
      const profile = await store.findByIdentity(mail);
      expect(profile?.orders).toEqual(
        expect.objectContaining({
          count: 1,
          revenue: { UAH: 12_000 },
          refunded: { UAH: 2_000 },
          cancelled: { UAH: 10_000 },
          cancelledCount: 1,
        }),
      );
      expect(profile?.eventCount).toBe(6);
    });

    it('never counts an order whose cancellation arrived before it', async () => {
      const { store } = await make();
      const t = tag();
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      const data = { orderId: `o-${t}`, total: { amountMinor: 5_000, currency: 'UAH' }, items: [] };
      await store.applyEvent(
        event(`${t}-cancel`, [mail], at(2), { type: 'order.cancelled', channel: 'ecommerce', data } as never),
      );
      await store.applyEvent(
        event(`${t}-placed`, [mail], at(1), { type: 'order.placed', channel: 'ecommerce', data } as never),
      );
      const profile = await store.findByIdentity(mail);
      expect(profile?.orders).toEqual(expect.objectContaining({ count: 0, revenue: {} }));
      expect(profile?.orders.cancelledCount ?? 0).toBe(0);
    });

    it('pages the timeline newest first with a cursor, filtered by type', async () => {
      const { store } = await make();
      const tg = { type: 'telegram' as const, value: tag() };
      for (let m = 1; m <= 5; m++) await store.applyEvent(event(`${tg.value}-${m}`, [tg], at(m)));
      const id = (await store.findByIdentity(tg))?.customerId as string;
      const first = await store.getTimeline(id, { limit: 2 });
      const second = await store.getTimeline(id, {
        limit: 2,
        ...(first.nextCursor ? { cursor: first.nextCursor } : {}),
      });
      expect(first.items.map((i) => i.occurredAt)).toEqual([at(5), at(4)]);
      expect(second.items.map((i) => i.occurredAt)).toEqual([at(3), at(2)]);
      expect((await store.getTimeline(id, { limit: 10, types: ['order.paid'] })).items).toEqual([]);
      expect(first.items[0]).not.toHaveProperty('pv');
    });

    it('unmerges identities with their events, and a repeated request returns the same split', async () => {
      const { store } = await make();
      const t = tag();
      const phone = { type: 'phone' as const, value: `+380503${String(seq).padStart(6, '0')}` };
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      await store.applyEvent(event(`${t}-1`, [phone, mail], at(1)));
      await store.applyEvent(event(`${t}-2`, [phone], at(2)));
      await store.applyEvent(event(`${t}-3`, [mail], at(3)));
      const id = (await store.findByIdentity(mail))?.customerId as string;
      const result = await store.unmerge(id, [identityKey(phone)]);
      const again = await store.unmerge(id, [identityKey(phone)]);
      expect(result.split.eventCount).toBe(1);
      expect(result.customer.eventCount).toBe(2);
      expect(again.split.customerId).toBe(result.split.customerId);
      expect((await store.findByIdentity(phone))?.customerId).toBe(result.split.customerId);
      expect(result.notifications.map((n) => n.entry.detailType)).toEqual(['customer.unmerged']);
    });

    it('erases everything held about a person, keeps no personal data, and a repeated erase finishes and answers', async () => {
      // Prepare
      const { store, all } = await make();
      const t = tag();
      const phone = { type: 'phone' as const, value: `+380504${String(seq).padStart(6, '0')}` };
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      await store.applyEvent(event(`${t}-1`, [phone], at(1)));
      await store.applyEvent(event(`${t}-2`, [mail], at(2)));
      const merged = await store.applyEvent(event(`${t}-3`, [phone, mail], at(3)));
      await store.markNotified(merged.notifications);
      const id = merged.customerId as string;

      // Act
      const erased = await store.eraseCustomer(id);
      const again = await store.eraseCustomer(id);

      // Assess
      expect(erased?.alreadyErased).toBe(false);
      expect(erased?.notifications.map((n) => n.entry.detailType)).toEqual(['customer.erased']);
      expect(again?.alreadyErased).toBe(true);
      expect(again?.notifications).toEqual(erased?.notifications);
      expect(await store.getProfile(id)).toBeUndefined();
      expect(await store.findByIdentity(mail)).toBeUndefined();
      expect(await store.exportCustomer(id)).toBeUndefined();
      const text = JSON.stringify((await all()).filter((i) => !i.pk.startsWith('X#')));
      for (const secret of [mail.value, phone.value, 'private text', `name ${t}`]) expect(text).not.toContain(secret);
      await store.markNotified(erased?.notifications ?? []);
      expect((await store.eraseCustomer(id))?.notifications).toEqual([]);
      expect(await store.eraseCustomer(`cus_${t}`)).toBeUndefined();
    });

    it('exports the profile, the whole timeline and the identity log', async () => {
      const { store } = await make();
      const tg = { type: 'telegram' as const, value: tag() };
      await store.applyEvent(event(`${tg.value}-1`, [tg], at(1)));
      await store.applyEvent(event(`${tg.value}-2`, [tg], at(2)));
      const id = (await store.findByIdentity(tg))?.customerId as string;
      const exported = await store.exportCustomer(id);
      expect(exported?.timeline.map((i) => i.occurredAt)).toEqual([at(1), at(2)]);
      expect(exported?.identityLog.map((l) => l.action)).toEqual(['link']);
    });
  });

  describe(`Store contract (${name}): the caller card`, () => {
    const phoneOf = (prefix: string) => ({ type: 'phone' as const, value: `${prefix}${String(seq).padStart(6, '0')}` });

    it('keeps one card per phone with what the screen-pop shows, written only when a card field changes', async () => {
      // Prepare
      const writes: string[] = [];
      const { store } = await make({ faultInjector: (step) => writes.push(step) });
      const t = tag();
      const phone = phoneOf('+380631');
      const second = phoneOf('+380632');

      // Act
      await store.applyEvent(event(`${t}-1`, [phone, second], at(1)));
      const first = await store.findCallerCard(phone.value);
      writes.length = 0;
      // Same name, same channel, within the slack: nothing on the card changes.
      await store.applyEvent(
        event(`${t}-2`, [phone], at(3), { customer: { identities: [phone], traits: { name: `name ${t}-1` } } }),
      );
      const quiet = [...writes];
      await store.applyEvent(
        event(`${t}-3`, [phone], at(4), {
          type: 'lead.submitted',
          channel: 'web',
          summary: 'Quiz done',
          data: { answers: [] },
        }),
      );

      // Assess
      const profile = await store.findByIdentity(phone);
      expect(first).toMatchObject({ customerId: profile?.customerId, name: `name ${t}-1` });
      expect(first?.lastInteraction).toMatchObject({ at: at(1), channel: 'telegram', summary: `message ${t}-1` });
      expect(quiet.filter((s) => s.includes('card'))).toEqual([]);
      const card = await store.findCallerCard(second.value);
      expect(card).toEqual(await store.findCallerCard(phone.value));
      expect(card?.open).toEqual([
        { kind: 'lead', type: 'lead.submitted', at: at(4), summary: 'Quiz done', channel: 'web' },
      ]);
      // The lead is in the same 15-minute window as the first message: the card shows the window's first.
      expect(card?.lastInteraction).toMatchObject({ at: at(1), type: 'message.received' });
      expect(await store.findCallerCard('+380999999999')).toBeUndefined();
    });

    it('moves the cards on a merge and an unmerge, and an erasure deletes them at once', async () => {
      const { store } = await make();
      const t = tag();
      const phone = phoneOf('+380633');
      const other = phoneOf('+380634');
      const a = await store.applyEvent(event(`${t}-a`, [phone], at(1)));
      const b = await store.applyEvent(event(`${t}-b`, [other], at(2)));
      expect((await store.findCallerCard(other.value))?.customerId).toBe(b.customerId);

      // A merge: the loser's phone names the survivor, with the survivor's card.
      await store.applyEvent(event(`${t}-c`, [phone, other], at(3)));
      const merged = await store.findCallerCard(other.value);
      expect(merged?.customerId).toBe(a.customerId);
      expect(merged).toEqual(await store.findCallerCard(phone.value));

      // An unmerge: the split-off phone's card names the split profile.
      const { split } = await store.unmerge(a.customerId as string, [identityKey(other)]);
      expect((await store.findCallerCard(other.value))?.customerId).toBe(split.customerId);
      expect((await store.findCallerCard(phone.value))?.customerId).toBe(a.customerId);

      // An erasure: her cards are gone for the very next lookup; the other profile's stays.
      await store.eraseCustomer(a.customerId as string);
      expect(await store.findCallerCard(phone.value)).toBeUndefined();
      expect((await store.findCallerCard(other.value))?.customerId).toBe(split.customerId);
    });

    it('a card write of an older version never overwrites a newer one', async () => {
      const { items } = await make();
      const key = { pk: `K#+38063${tag()}`, sk: 'K' };
      const write = (customerId: string, version: number) =>
        items.execute({
          kind: 'write',
          name: 'card',
          onFail: 'skip',
          write: put({ ...key, customerId, version }, { kind: 'supersedes', customerId, version }),
        });
      const results = [
        await write('cus_a', 3),
        await write('cus_a', 2),
        await write('cus_a', 3),
        await write('cus_b', 1),
      ];
      expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
      expect(await items.get(key, true)).toMatchObject({ customerId: 'cus_b', version: 1 });
    });
  });

  describe(`Store contract (${name}): an erased person stays erased`, () => {
    const erasedCustomer = async () => {
      const made = await make();
      const t = tag();
      const phone = { type: 'phone' as const, value: `+380505${String(seq).padStart(6, '0')}` };
      const mail = { type: 'email' as const, value: `${t}@example.com` };
      const old = [event(`${t}-1`, [phone], at(1)), event(`${t}-2`, [phone, mail], at(2))];
      for (const e of old) await made.store.applyEvent(e);
      const id = (await made.store.findByIdentity(phone))?.customerId as string;
      const erased = await made.store.eraseCustomer(id);
      await made.store.markNotified(erased?.notifications ?? []);
      return { ...made, t, phone, mail, old, erasedAt: erased?.erasedAt as string };
    };

    it('ignores a redelivery of her event and an old event never seen that carries her identity', async () => {
      // Prepare
      const { store, all, phone, mail, old, t } = await erasedCustomer();
      const unseen = event(`${t}-0`, [mail], at(0)); // queued or dead-lettered before the erasure

      // Act
      const redelivered = await store.applyEvent(old[1] as HubEvent);
      const late = await store.applyEvent(unseen);

      // Assess
      expect(redelivered).toEqual(expect.objectContaining({ status: 'ignored', reason: 'the customer was erased' }));
      expect(late.status).toBe('ignored');
      expect(await store.findByIdentity(phone)).toBeUndefined();
      expect(await store.findByIdentity(mail)).toBeUndefined();
      const text = JSON.stringify(await all());
      for (const secret of [mail.value, phone.value, 'private text', ...old.map((e) => e.id)])
        expect(text).not.toContain(secret);
    });

    it('lets her come back with a new message, and that profile still refuses her old events', async () => {
      // Prepare
      const { store, phone, old, t } = await erasedCustomer();
      const later = new Date(Date.now() + 60_000).toISOString();

      // Act
      const back = await store.applyEvent(event(`${t}-new`, [phone], later));
      const oldAgain = await store.applyEvent(old[0] as HubEvent);

      // Assess
      expect(back.status).toBe('applied');
      expect(oldAgain.status).toBe('ignored');
      const profile = await store.findByIdentity(phone);
      expect(profile?.eventCount).toBe(1);
      expect(profile?.holdsBefore).toBeDefined();
    });

    it('answers whether an event is an erased person’s (what the dispatcher and replays ask)', async () => {
      const { store, phone, old } = await erasedCustomer();
      const subject = (e: HubEvent) => ({ id: e.id, occurredAt: e.occurredAt, identities: e.customer.identities });
      expect(await store.holds.isErased(subject(old[0] as HubEvent))).toBe(true);
      expect(await store.holds.isErased({ id: 'evt_x', occurredAt: at(3), identities: [phone] })).toBe(true);
      const stranger = { type: 'phone' as const, value: '+380501234567' };
      expect(await store.holds.isErased({ id: 'evt_y', occurredAt: at(3), identities: [stranger] })).toBe(false);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect(await store.holds.isErased({ id: 'evt_z', occurredAt: future, identities: [phone] })).toBe(false);
    });
  });

  describe(`Store contract (${name}): a crash between any two writes`, () => {
    /** Applies a customer's events; `crashAt` throws once after that step, and the event is delivered again. */
    const journey = async (crashAt?: string, steps?: Set<string>) => {
      let crashed = false;
      const { store } = await make({
        linking: linkingPolicy(),
        now: ticking(),
        faultInjector: (step) => {
          steps?.add(step);
          if (step === crashAt && !crashed) {
            crashed = true;
            throw new Error(`injected crash ${step}`);
          }
        },
      });
      const t = 'crash-journey';
      const phone = { type: 'phone' as const, value: '+380509990001' };
      const mail = { type: 'email' as const, value: 'crash@example.com' };
      const events = [
        event(`${t}-1`, [phone], at(1)),
        event(`${t}-2`, [phone], at(2)),
        event(`${t}-3`, [mail], at(3)),
        event(`${t}-4`, [phone, mail], at(4)),
        event(`${t}-5`, [mail], at(5)),
      ];
      const notified: string[] = [];
      for (const e of events) {
        let outcome: Awaited<ReturnType<PlanProfileStore['applyEvent']>>;
        try {
          outcome = await store.applyEvent(e);
        } catch {
          outcome = await store.applyEvent(e); // the redelivery
        }
        notified.push(...outcome.notifications.map((n) => n.id));
        await store.markNotified(outcome.notifications);
      }
      const profile = await store.findByIdentity(phone);
      const timeline = await store.getTimeline(profile?.customerId as string, { limit: 100 });
      const card = await store.findCallerCard(phone.value);
      return { crashed, profile, timeline: timeline.items.map((i) => i.eventId), notified, store, mail, card };
    };

    it('gives the same profile, timeline and notifications as a run without a crash, wherever it crashes', async () => {
      // Prepare: the steps a clean run goes through.
      const steps = new Set<string>();
      const clean = await journey(undefined, steps);
      expect(steps.size).toBeGreaterThan(1);

      for (const step of steps) {
        // Act
        const run = await journey(step);

        // Assess
        expect(run.crashed, step).toBe(true);
        expect(facts(run.profile as never), step).toEqual(facts(clean.profile as never));
        expect(run.timeline, step).toEqual(clean.timeline);
        expect(new Set(run.notified), step).toEqual(new Set(clean.notified));
        expect((await run.store.findByIdentity(run.mail))?.customerId, step).toBe(run.profile?.customerId);
        // The redelivery heals a card write the crash cut short.
        expect(run.card, step).toEqual(clean.card);
      }
    });
  });
};
