/**
 * Test helpers for the pure store rules: a "world" of stored items that
 * answers a rule's read requests (no store, no I/O), and builders for events
 * and stored profiles.
 */
import { cardKey, fromCardItem, type StoredCard } from '../../../functions/domain/caller-card.js';
import { identityKey } from '../../../functions/domain/identity.js';
import { linkingPolicy, type LinkingPolicy } from '../../../functions/domain/linking.js';
import { emptyReads, planApply, type ApplyContext, type ApplyReads } from '../../../functions/domain/plan-apply.js';
import { applyEvent, emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import {
  customerIdOfPk,
  fromOutboxItem,
  fromProfileItem,
  fromTimelineStored,
  keys,
  keyString,
  recordWrite,
  toProfileItem,
  type ItemKey,
  type Notification,
  type ProfileRecord,
  type StoredItem,
  type StoredTimeline,
  type WritePlan,
} from '../../../functions/domain/store-model.js';
import type { HubEvent, Identity } from '../../../functions/events/hub-event.js';
import { hubEventId } from '../../../functions/events/event-id.js';

export const NOW = '2026-11-23T12:00:00.000Z';

export type World = Map<string, StoredItem>;

export const worldOf = (...items: StoredItem[]): World => new Map(items.map((i) => [keyString(i), i]));

const get = (w: World, k: ItemKey) => w.get(keyString(k));

export const message = (n: number, identities: Identity[], occurredAt = '2026-11-01T10:00:00.000Z'): HubEvent => ({
  schemaVersion: 1,
  id: hubEventId('test', String(n)),
  connector: 'test',
  providerEventId: String(n),
  type: 'message.received',
  channel: 'telegram',
  occurredAt,
  receivedAt: occurredAt,
  customer: { identities, traits: {} },
  summary: `message ${n}`,
  data: { messageId: String(n), direction: 'inbound', contentType: 'text', text: 'hi' },
});

export const order = (n: number, identities: Identity[], orderId: string, amount = 1000): HubEvent => ({
  ...message(n, identities),
  type: 'order.placed',
  channel: 'ecommerce',
  data: { orderId, total: { amountMinor: amount, currency: 'UAH' }, items: [] },
});

export const phone = (value: string): Identity => ({ type: 'phone', value });
export const email = (value: string): Identity => ({ type: 'email', value });

/** A stored profile that has seen `events` (created at `createdAt`), and its identity links. */
export const storedProfile = (
  customerId: string,
  events: HubEvent[],
  createdAt = '2026-01-01T00:00:00.000Z',
): { profile: Profile; items: StoredItem[] } => {
  let profile = emptyProfile(customerId, events[0]?.occurredAt ?? NOW, createdAt);
  for (const e of events) profile = { ...applyEvent(profile, e, createdAt), recent: recordWrite(profile.recent, e.id) };
  return {
    profile,
    items: [
      toProfileItem(profile),
      ...profile.identities.map((i) => ({ ...keys.identity(i), customerId, type: i.type, value: i.value })),
    ],
  };
};

export const ctxOf = (overrides: Partial<ApplyContext> = {}): ApplyContext => ({
  now: NOW,
  policy: linkingPolicy(),
  consistent: true,
  probeOwn: false,
  ...overrides,
});

/**
 * Runs `planApply` to a plan, answering every read request from the world.
 * Returns the plan and the requests it made, in order.
 */
export const decideApply = (
  event: HubEvent,
  world: World,
  ctx: ApplyContext = ctxOf(),
  policy?: LinkingPolicy,
  /** Partitions whose entry of this event the store read before asking the rule (one it wrote itself). */
  seedProbes: readonly string[] = [],
): { plan: WritePlan<import('../../../functions/domain/plan-apply.js').ApplyResult>; requests: string[] } => {
  const reads = emptyReads() as {
    links?: Map<string, string>;
    records: Map<string, ProfileRecord | null>;
    probes: Map<string, StoredTimeline | null>;
    orderCounted?: boolean;
    outbox: Map<string, Notification | null>;
    holds?: Map<string, string>;
    cards?: Map<string, StoredCard | null>;
  };
  for (const id of seedProbes) {
    const item = get(world, keys.timeline(id, event.occurredAt, event.id));
    reads.probes.set(id, item ? fromTimelineStored(item) : null);
  }
  const requests: string[] = [];
  const context = policy ? { ...ctx, policy } : ctx;
  for (let i = 0; i < 50; i++) {
    const decision = planApply(event, reads as ApplyReads, context);
    if (decision.kind === 'plan') return { plan: decision.plan, requests };
    const r = decision.request;
    requests.push(Object.keys(r).join('+'));
    if (r.consistent) throw new Error('asked for a consistent re-read');
    if (r.links) {
      reads.links = new Map();
      for (const identity of r.links) {
        const link = get(world, keys.identity(identity));
        if (link) reads.links.set(identityKey(identity), link.customerId as string);
      }
    }
    for (const id of r.records ?? []) {
      const item = get(world, keys.profile(id));
      reads.records.set(id, item ? fromProfileItem(item) : null);
    }
    for (const id of r.probes ?? []) {
      const item = get(world, keys.timeline(id, event.occurredAt, event.id));
      reads.probes.set(id, item ? fromTimelineStored(item) : null);
    }
    if (r.order) reads.orderCounted = Boolean(get(world, keys.order(r.order)));
    if (r.holds && context.holdKeys) {
      const found = new Map<string, string>();
      for (const k of [context.holdKeys.event, ...context.holdKeys.identities]) {
        const item = get(world, k);
        if (item) found.set(keyString(k), item.erasedAt as string);
      }
      reads.holds = found;
    }
    for (const k of r.outbox ?? []) {
      const item = get(world, k);
      reads.outbox.set(k.sk, item ? fromOutboxItem(item) : null);
    }
    if (r.cards) {
      reads.cards = new Map();
      for (const p of r.cards) {
        const item = get(world, cardKey(p));
        reads.cards.set(p, item ? fromCardItem(item) : null);
      }
    }
  }
  throw new Error('planApply kept asking for reads');
};

/** The writes of a plan, flattened, with the step each is in. */
export const writesOf = (plan: WritePlan<unknown>) =>
  plan.steps.flatMap((step) =>
    (step.kind === 'write' ? [step.write] : step.writes).map((w) => ({ step: step.name, kind: step.kind, ...w })),
  );

/** The items a plan puts, with the condition of each. */
export const putsOf = (plan: WritePlan<unknown>) =>
  writesOf(plan).flatMap((w) => (w.op === 'put' ? [{ item: w.item, condition: w.condition, step: w.step }] : []));

/** Applies a plan's writes to a world as if every condition held (for chaining rules in a test). */
export const applyPlan = (world: World, plan: WritePlan<unknown>): World => {
  const next = new Map(world);
  for (const w of writesOf(plan)) {
    if (w.op === 'put') next.set(keyString(w.item), w.item);
    else next.delete(keyString(w.key));
  }
  return next;
};

export const profileIn = (world: World, customerId: string): ProfileRecord | undefined => {
  const item = get(world, keys.profile(customerId));
  return item ? fromProfileItem(item) : undefined;
};

export { customerIdOfPk };
