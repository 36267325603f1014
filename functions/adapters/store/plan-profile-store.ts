/**
 * The customer-view store over any `ItemStore`: it reads what a rule asks
 * for, hands the reads to the pure rule (`domain/plan-*.ts`), executes the
 * plan it gets back step by step, and on a conflict (a condition failed: a
 * concurrent writer, a stale read) runs the rule again on fresh, strongly
 * consistent reads. The rules decide; this only does I/O.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { CARD_KEY_PREFIX, cardKey, fromCardItem, type StoredCard } from '../../domain/caller-card.js';
import { identityKey } from '../../domain/identity.js';
import { linkingPolicy, type LinkingPolicy } from '../../domain/linking.js';
import { heldSubjectOf, holdKeysOf, holdRetentionDays, holdWrites, type HoldsFound } from '../../domain/erasure.js';
import { emptyReads, planApply, type ApplyReads } from '../../domain/plan-apply.js';
import {
  markerOutboxKeys,
  planErase,
  planEraseRetry,
  type EraseContext,
  type EraseOutcome,
} from '../../domain/plan-erase.js';
import { planUnmerge, splitCustomerId, type TimelineEntryAt, type UnmergeReads } from '../../domain/plan-unmerge.js';
import type { Profile } from '../../domain/profile.js';
import type { ChangeOptions } from '../../domain/profile-changes.js';
import {
  customerIdOfPk,
  fromOutboxItem,
  fromProfileItem,
  fromTimelineStored,
  keys,
  OUTBOX_SHARDS,
  outboxKey,
  publicTimeline,
  remove,
  type ItemKey,
  type Notification,
  type ProfileRecord,
  type Step,
  type StoredItem,
  type StoredTimeline,
  type WritePlan,
} from '../../domain/store-model.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type {
  ApplyOutcome,
  CustomerExport,
  EraseResult,
  ProfileStore,
  TimelinePage,
  TimelineQuery,
  UnmergeResult,
} from '../../ports.js';
import { ErasureHolds } from './erasure-holds.js';
import { queryAll, type ItemQuery, type ItemStore, type StepResult } from './item-store.js';

export interface PlanProfileStoreOptions {
  /** Identity guard rails. @default no ignored values, 10 per type */
  readonly linking?: LinkingPolicy;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
  /** Attempts when concurrent writers conflict. @default 10 */
  readonly maxAttempts?: number;
  /** Test hook, called as `after-<step>` after each executed step of a plan (throw to simulate a crash there). */
  readonly faultInjector?: (step: string) => void;
  /** Days the bus archive keeps events: erasure holds are kept at least as long. @default 90 */
  readonly archiveRetentionDays?: number;
  /** What makes a `customer.updated` (lifetime value thresholds, lifespan). @default no thresholds */
  readonly changes?: ChangeOptions;
}

const encodeCursor = (sk: string): string => Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
const decodeCursor = (cursor: string): string => {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof parsed.sk === 'string' && parsed.sk.startsWith('T#')) return parsed.sk;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('The cursor is not one this API returned');
};

type MutableApplyReads = {
  links?: Map<string, string>;
  records: Map<string, ProfileRecord | null>;
  probes: Map<string, StoredTimeline | null>;
  orderCounted?: boolean;
  outbox: Map<string, Notification | null>;
  holds?: HoldsFound;
  cards?: Map<string, StoredCard | null>;
};

/** An attempt whose rule asked for fresh strongly consistent reads (a conflict with no write made). */
const REREAD = { ok: false } as const;

const MAX_READ_ROUNDS = 50;

export class PlanProfileStore implements ProfileStore {
  protected readonly now: () => Date;
  protected readonly policy: LinkingPolicy;
  /** The erasure holds, for every consumer that must not bring an erased person back (dispatcher, replay). */
  readonly holds: ErasureHolds;

  constructor(
    protected readonly items: ItemStore,
    protected readonly options: PlanProfileStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.policy = options.linking ?? linkingPolicy();
    this.holds = new ErasureHolds(items);
  }

  // ------------------------------------------------------------------ running plans

  /** Executes the steps in order; stops at the first conflict, naming its step. */
  protected async run(plan: WritePlan<unknown>, done?: (step: Step) => void): Promise<{ ok: true } | Failure> {
    for (const step of plan.steps) {
      const result = await this.items.execute(step);
      if (!result.ok && !(step.kind === 'write' && step.onFail === 'skip')) return { ...result, step: step.name };
      done?.(step);
      this.options.faultInjector?.(`after-${step.name}`);
    }
    return { ok: true };
  }

  /** Runs `attempt` until it commits; attempt 1 may read eventually consistent, later ones read strongly. */
  private async retrying<T>(what: string, attempt: (n: number, hint?: StoredItem) => Promise<T | Failure>): Promise<T> {
    const max = this.options.maxAttempts ?? 10;
    let hint: StoredItem | undefined;
    for (let n = 1; ; n++) {
      const result = await attempt(n, hint);
      if (!isFailure(result)) return result as T;
      hint = result.existing;
      if (n >= max) throw new Error(`Gave up ${what} after ${max} conflicting attempts`);
      // Jittered backoff so racing writers don't collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 25 * n));
    }
  }

  // ------------------------------------------------------------------ apply

  async applyEvent(event: HubEvent): Promise<ApplyOutcome> {
    const sk = keys.timeline('', event.occurredAt, event.id).sk;
    /** Partitions this call wrote the event's entry into: a retry looks there first, wherever the identities lead now. */
    const wrote = new Set<string>();
    const track = (step: Step) => {
      if (step.kind === 'write' && step.write.op === 'put' && step.write.item.sk === sk)
        wrote.add(customerIdOfPk(step.write.item.pk));
    };
    return this.retrying<ApplyOutcome>(`applying event ${event.id}`, async (n, hint) => {
      // The first attempt reads eventually consistent (half the read cost): every decision taken
      // from it is re-checked by a condition, and a stale read only makes the plan conflict.
      const consistent = n > 1;
      const reads = emptyReads() as MutableApplyReads;
      // The entry a failed conditional put returned: no need to read it again.
      if (hint?.sk === sk) reads.probes.set(customerIdOfPk(hint.pk), fromTimelineStored(hint));
      const mine = [...wrote].filter((id) => !reads.probes.has(id));
      if (mine.length) await this.readProbes(mine, sk, consistent, reads.probes);
      let plan = await this.planApplyFor(event, reads, consistent, n > 1);
      if (!('steps' in plan)) return REREAD;
      let result = await this.run(plan, track);
      if (!result.ok && result.step === 'timeline' && result.existing?.sk === sk) {
        // The entry is there already: a redelivery, or a write a crash cut short. Deciding which needs no
        // fresh reads (a stale owner record can only make the repair's own condition fail).
        reads.probes.set(customerIdOfPk(result.existing.pk), fromTimelineStored(result.existing));
        plan = await this.planApplyFor(event, reads, consistent, n > 1);
        if (!('steps' in plan)) return REREAD;
        result = await this.run(plan, track);
      }
      if (!result.ok) return result;
      return { ...plan.outcome, notifications: plan.notifications };
    });
  }

  private async planApplyFor(event: HubEvent, reads: MutableApplyReads, consistent: boolean, probeOwn: boolean) {
    const sk = keys.timeline('', event.occurredAt, event.id).sk;
    // The deployment's erasure key exists from the first write on (made once, then cached), so the writer
    // never misses holds an erasure in another process wrote.
    const mac = await this.holds.macFor(true);
    const holdKeys = mac ? holdKeysOf(heldSubjectOf(event), mac) : undefined;
    const ctx = {
      now: this.now().toISOString(),
      policy: this.policy,
      consistent,
      probeOwn,
      ...(holdKeys ? { holdKeys } : {}),
      ...(this.options.changes ? { changes: this.options.changes } : {}),
    };
    for (let round = 0; round < MAX_READ_ROUNDS; round++) {
      const decision = planApply(event, reads as ApplyReads, ctx);
      if (decision.kind === 'plan') return decision.plan;
      const request = decision.request;
      if (request.consistent) return REREAD;
      if (request.links) reads.links = await this.resolveLinks(request.links, consistent);
      if (request.records) await this.readRecords(request.records, consistent, reads.records);
      if (request.probes) await this.readProbes(request.probes, sk, consistent, reads.probes);
      if (request.order) reads.orderCounted = Boolean(await this.items.get(keys.order(request.order), consistent));
      if (request.outbox) await this.readOutbox(request.outbox, reads.outbox);
      if (request.holds && holdKeys) reads.holds = await this.holds.read(holdKeys);
      if (request.cards) reads.cards = await this.readCards(request.cards, consistent);
    }
    throw new Error(`Event ${event.id}: the rule kept asking for reads`);
  }

  private async readProbes(
    ids: readonly string[],
    sk: string,
    consistent: boolean,
    into: Map<string, StoredTimeline | null>,
  ): Promise<void> {
    const found = await this.items.batchGet(
      ids.map((id) => ({ pk: keys.profile(id).pk, sk })),
      consistent,
    );
    for (const id of ids) into.set(id, null);
    for (const item of found) into.set(customerIdOfPk(item.pk), fromTimelineStored(item));
  }

  /** identityKey → customerId for the identities that are linked. */
  private async resolveLinks(identities: readonly Identity[], consistent: boolean): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (!identities.length) return found;
    for (const item of await this.items.batchGet(identities.map(keys.identity), consistent))
      found.set(
        identityKey({ type: item.type as Identity['type'], value: item.value as string }),
        item.customerId as string,
      );
    return found;
  }

  private async readRecords(
    ids: readonly string[],
    consistent: boolean,
    into: Map<string, ProfileRecord | null>,
  ): Promise<void> {
    const found = await this.items.batchGet(ids.map(keys.profile), consistent);
    for (const id of ids) into.set(id, null);
    for (const item of found) into.set(customerIdOfPk(item.pk), fromProfileItem(item));
  }

  private async readCards(phones: readonly string[], consistent: boolean): Promise<Map<string, StoredCard | null>> {
    const found = new Map<string, StoredCard | null>(phones.map((p) => [p, null]));
    for (const item of await this.items.batchGet(phones.map(cardKey), consistent))
      found.set(item.pk.slice(CARD_KEY_PREFIX.length), fromCardItem(item));
    return found;
  }

  private async readOutbox(outboxKeys: readonly ItemKey[], into: Map<string, Notification | null>): Promise<void> {
    const found = await this.items.batchGet(outboxKeys, true);
    for (const k of outboxKeys) into.set(k.sk, null);
    for (const item of found) into.set(item.sk, fromOutboxItem(item));
  }

  // ------------------------------------------------------------------ outbox

  async markNotified(notifications: readonly Notification[]): Promise<void> {
    if (!notifications.length) return;
    await this.items.execute({
      kind: 'bulk',
      name: 'mark-notified',
      writes: notifications.map((n) => remove(outboxKey(n))),
    });
  }

  async pendingNotifications({ before, limit }: { before: Date; limit: number }): Promise<Notification[]> {
    const out: Notification[] = [];
    for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
      const page = await this.items.query({
        pk: keys.outbox(shard, '', '').pk,
        // Outbox sort keys start with the ISO time they were made.
        between: ['0', before.toISOString()],
        limit,
        consistent: true,
      });
      out.push(...page.items.map(fromOutboxItem));
    }
    return out.sort((a, b) => a.at.localeCompare(b.at)).slice(0, limit);
  }

  // ------------------------------------------------------------------ reads

  private async record(customerId: string, consistent: boolean): Promise<ProfileRecord | undefined> {
    const item = await this.items.get(keys.profile(customerId), consistent);
    return item ? fromProfileItem(item) : undefined;
  }

  /** The record at the end of the merge chain from `customerId`. */
  private async finalRecord(customerId: string, consistent: boolean): Promise<ProfileRecord | undefined> {
    let id = customerId;
    for (let hops = 0; hops < 20; hops++) {
      const record = await this.record(id, consistent);
      if (record?.kind !== 'merged') return record;
      id = record.mergedInto;
    }
    throw new Error(`Merge chain from ${customerId} is longer than 20 hops`);
  }

  /** The profile, following merge tombstones to the survivor; undefined when unknown or erased. */
  async getProfile(customerId: string, consistent = true): Promise<Profile | undefined> {
    const record = await this.finalRecord(customerId, consistent);
    return record?.kind === 'live' ? record.profile : undefined;
  }

  async findByIdentity(identity: Pick<Identity, 'type' | 'value'>): Promise<Profile | undefined> {
    const item = await this.items.get(keys.identity(identity), false);
    return item ? this.getProfile(item.customerId as string) : undefined;
  }

  /** Strongly consistent: a card an erasure deleted is gone for the very next lookup. */
  async findCallerCard(phone: string): Promise<StoredCard | undefined> {
    const item = await this.items.get(cardKey(phone), true);
    return item ? fromCardItem(item) : undefined;
  }

  /**
   * Newest-first timeline across the profile's own partition and those of
   * every profile merged into it, optionally filtered by channel and type.
   */
  async getTimeline(customerId: string, query: TimelineQuery): Promise<TimelinePage> {
    const profile = await this.getProfile(customerId);
    if (!profile) throw new NotFoundError(`No customer with id "${customerId}"`);
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const { items, more } = await this.mergedTimeline(
      [profile.customerId, ...profile.mergedIds],
      query.limit,
      before,
      query,
    );
    const last = items[items.length - 1];
    const page = items.map(publicTimeline);
    return more && last ? { items: page, nextCursor: encodeCursor(last.sk) } : { items: page };
  }

  /** k-way merge of per-partition descending queries, `limit` items strictly older than `before`. */
  private async mergedTimeline(
    partitions: readonly string[],
    limit: number,
    before: string | undefined,
    filter: Pick<TimelineQuery, 'channels' | 'types'> = {},
  ): Promise<{ items: StoredItem[]; more: boolean }> {
    const streams = partitions.map((id) => this.timelineStream(id, before, filter));
    const heads = await Promise.all(streams.map((s) => s.next()));
    const items: StoredItem[] = [];
    while (items.length < limit) {
      let best = -1;
      heads.forEach((h, i) => {
        if (!h.done && (best < 0 || h.value.sk > (heads[best] as IteratorYieldResult<StoredItem>).value.sk)) best = i;
      });
      if (best < 0) return { items, more: false };
      items.push((heads[best] as IteratorYieldResult<StoredItem>).value);
      heads[best] = await (streams[best] as AsyncGenerator<StoredItem>).next();
    }
    return { items, more: heads.some((h) => !h.done) };
  }

  private async *timelineStream(
    customerId: string,
    before: string | undefined,
    filter: Pick<TimelineQuery, 'channels' | 'types'>,
  ): AsyncGenerator<StoredItem> {
    const conditions: { attribute: string; oneOf: readonly string[] }[] = [];
    if (filter.channels?.length) conditions.push({ attribute: 'channel', oneOf: filter.channels });
    if (filter.types?.length) conditions.push({ attribute: 'type', oneOf: filter.types });
    const query: ItemQuery = {
      pk: keys.profile(customerId).pk,
      between: ['T#', before ?? 'T$'],
      descending: true,
      limit: 100,
      ...(conditions.length ? { filter: conditions } : {}),
    };
    for await (const item of queryAll(this.items, query)) if (item.sk !== before) yield item;
  }

  /** Every timeline entry of a profile (all partitions), oldest first. */
  private async allTimeline(partitions: readonly string[], consistent: boolean): Promise<TimelineEntryAt[]> {
    const out: TimelineEntryAt[] = [];
    for (const id of partitions) {
      for await (const item of queryAll(this.items, {
        pk: keys.profile(id).pk,
        beginsWith: 'T#',
        consistent,
      }))
        out.push({ partition: id, entry: fromTimelineStored(item) });
    }
    return out.sort(
      (a, b) => a.entry.occurredAt.localeCompare(b.entry.occurredAt) || a.entry.eventId.localeCompare(b.entry.eventId),
    );
  }

  private async partitionItems(customerId: string, prefix?: string): Promise<StoredItem[]> {
    const out: StoredItem[] = [];
    for await (const item of queryAll(this.items, {
      pk: keys.profile(customerId).pk,
      ...(prefix ? { beginsWith: prefix } : {}),
      consistent: true,
    }))
      out.push(item);
    return out;
  }

  // ------------------------------------------------------------------ privacy

  async exportCustomer(customerId: string): Promise<CustomerExport | undefined> {
    const profile = await this.getProfile(customerId);
    if (!profile) return undefined;
    const partitions = [profile.customerId, ...profile.mergedIds];
    const log = (await Promise.all(partitions.map((id) => this.partitionItems(id, 'L#')))).flat();
    const timeline = await this.allTimeline(partitions, true);
    return {
      exportedAt: this.now().toISOString(),
      profile,
      timeline: timeline.map((t) =>
        publicTimeline({ ...keys.timeline(t.partition, t.entry.occurredAt, t.entry.eventId), ...t.entry }),
      ),
      identityLog: log.map(({ pk: _pk, sk: _sk, ...rest }) => rest),
    };
  }

  /** The erasure's context: the holds it writes first (`erasure.ts`). */
  private async eraseContext(now: string): Promise<EraseContext> {
    const mac = await this.holds.macFor(true);
    const days = holdRetentionDays(this.options.archiveRetentionDays ?? 90);
    return mac ? { now, holds: (subject, erasedAt) => holdWrites(subject, erasedAt, mac, days) } : { now };
  }

  async eraseCustomer(customerId: string): Promise<EraseResult | undefined> {
    return this.retrying<EraseResult | undefined>(`erasing ${customerId}`, async () => {
      const record = await this.finalRecord(customerId, true);
      if (!record) return undefined;
      let plan: WritePlan<EraseOutcome>;
      if (record.kind === 'erased') {
        const partitions = [record.customerId, ...record.relatedIds];
        const items = (await Promise.all(partitions.map((id) => this.partitionItems(id)))).flat();
        const outbox = (await this.items.batchGet(markerOutboxKeys(record), true)).map(fromOutboxItem);
        plan = planEraseRetry(record, items, outbox);
      } else if (record.kind === 'live') {
        const { profile } = record;
        const partitions = [profile.customerId, ...profile.mergedIds];
        const items = (await Promise.all(partitions.map((id) => this.partitionItems(id)))).flat();
        const identities = new Map<string, Identity>();
        for (const i of [
          ...profile.identities,
          ...items.filter((i) => i.sk.startsWith('T#')).flatMap((i) => fromTimelineStored(i).identities),
        ])
          identities.set(identityKey(i), i);
        const links = await this.resolveLinks([...identities.values()], true);
        plan = planErase(profile, items, links, await this.eraseContext(this.now().toISOString()));
        const result = await this.run(plan);
        if (!result.ok) return result;
        // An entry a writer put into her partition after it was read (its profile update then fails): gone too.
        const late = (await Promise.all(partitions.map((id) => this.partitionItems(id)))).flat();
        const tidy = planEraseRetry(
          {
            kind: 'erased',
            customerId: profile.customerId,
            erasedAt: plan.outcome.erasedAt,
            relatedIds: [],
            outbox: [],
          },
          late,
          [],
        );
        await this.run(tidy);
        return { ...plan.outcome, notifications: plan.notifications };
      } else return undefined;
      const result = await this.run(plan);
      if (!result.ok) return result;
      return { ...plan.outcome, notifications: plan.notifications };
    });
  }

  // ------------------------------------------------------------------ unmerge

  /**
   * Splits `identityKeys` and the events they brought into a profile of
   * their own again, recomputes both profiles from their timelines, and puts
   * a `customer.unmerged` notification in the outbox. Idempotent: the new id
   * is derived from the request, so a retry finishes the same split.
   */
  async unmerge(customerId: string, identityKeys: readonly string[]): Promise<UnmergeResult> {
    return this.retrying<UnmergeResult>(`unmerging ${customerId}`, async () => {
      const profile = await this.getProfile(customerId, true);
      if (!profile) throw new NotFoundError(`No customer with id "${customerId}"`);
      const reads: {
        -readonly [K in keyof UnmergeReads]: UnmergeReads[K];
      } & { records: Map<string, ProfileRecord | null>; outbox: Map<string, Notification | null> } = {
        profile,
        records: new Map(),
        outbox: new Map(),
      };
      const family = [profile.customerId, ...profile.mergedIds];
      const splitId = splitCustomerId(profile.customerId, identityKeys);
      for (let round = 0; round < MAX_READ_ROUNDS; round++) {
        const decision = planUnmerge(identityKeys, reads, this.now().toISOString());
        if (decision.kind === 'plan') {
          const result = await this.run(decision.plan);
          if (!result.ok) return result;
          return { ...decision.plan.outcome, notifications: decision.plan.notifications };
        }
        const { request } = decision;
        if (request.records) await this.readRecords(request.records, true, reads.records);
        if (request.timeline) reads.timeline = await this.allTimeline(family, true);
        if (request.splitTimeline) reads.splitTimeline = await this.allTimeline([splitId], true);
        if (request.outbox) await this.readOutbox(request.outbox, reads.outbox);
      }
      throw new Error(`Unmerge of ${customerId}: the rule kept asking for reads`);
    });
  }
}

/** A plan that did not commit: the step whose condition failed, and the item a single write found. */
type Failure = Extract<StepResult, { ok: false }> & { readonly step?: string };

const isFailure = (value: unknown): value is Failure =>
  typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
