/**
 * Phase 3: DynamoDB capacity per event. Applies events through the
 * production `DynamoProfileStore.applyEvent` on DynamoDB Local, one at a
 * time, and meters every call (`bench/lib/dynamo-meter.ts`): write and read
 * units per event type for a fresh customer, a returning customer (second
 * and twenty-first event), a redelivery, and merges.
 *
 * Two figures per scenario: what DynamoDB Local reports through
 * `ReturnConsumedCapacity`, and AWS's billing rules applied to the item
 * sizes the meter saw (DynamoDB Local mis-reports transactions and
 * `BatchGetItem` misses). The AWS figure is the one that is billed, so the
 * target and the cost model use it.
 */
import { DynamoProfileStore } from '../functions/adapters/aws/dynamodb-profile-store.js';
import { ensureHubTable } from '../functions/adapters/local/dynamodb-local.js';
import { linkingPolicy } from '../functions/domain/linking.js';
import type { HubEvent } from '../functions/events/hub-event.js';
import { DynamoMeter, diffTally, type MeterTally } from './lib/dynamo-meter.js';
import { benchDynamo, DYNAMO_ENDPOINT_ENV, isEntry, isQuick, progress, runPhase } from './lib/phase.js';
import { mean, median, round } from './lib/stats.js';
import { customer, touchEvents, type Customer, type Touch } from './lib/workload.js';

const PHASE = 'capacity';

export interface ScenarioFigures {
  readonly scenario: string;
  readonly eventType: string;
  readonly case: 'fresh' | 'returning' | 'returning-21st' | 'returning-changed' | 'duplicate' | 'merge';
  readonly samples: number;
  /** AWS billing rules on the observed item sizes: what on-demand bills. */
  readonly wcu: number | null;
  readonly rcu: number | null;
  /** As DynamoDB Local reported them. */
  readonly reportedWcu: number | null;
  readonly reportedRcu: number | null;
  readonly callsPerEvent: Record<string, number | null>;
  /** CPU of this process per applyEvent (SDK, marshalling, profile fold), ms on this machine's core. */
  readonly cpuMsPerEvent: number | null;
  /** Item sizes (bytes) of the event's transaction, first sample. */
  readonly transactionItemBytes: number[];
}

const KINDS: { label: string; touch: Touch }[] = [
  { label: 'message (WhatsApp)', touch: 'whatsapp' },
  { label: 'message (Telegram)', touch: 'telegram' },
  { label: 'call (Binotel)', touch: 'binotel' },
  { label: 'lead (Marquiz)', touch: 'marquiz' },
  { label: 'order (Shopify)', touch: 'shopify' },
];

export const runCapacity = async () => {
  const samples = isQuick() ? 3 : 8;
  const dynamo = await benchDynamo();
  const client = dynamo.client();
  const tableName = `bench-capacity-${Date.now().toString(36)}`;
  try {
    await ensureHubTable(client, tableName);
    const meter = new DynamoMeter({ requestCapacity: true, keepTransactionShapes: 1_000_000 }).attach(client);
    const store = new DynamoProfileStore(client, {
      tableName,
      linking: linkingPolicy([], 10, 'UA'),
    });
    // The deployment's erasure key is made once per table, by the first write: not part of any event's cost.
    await store.holds.macFor(true);
    let uid = 0;
    let clock = Date.parse('2026-01-05T09:00:00.000Z');
    const eventOf = (touch: Touch, c: Customer): HubEvent => {
      const events = touchEvents(touch, c, ++uid, (clock += 60_000), 'cap');
      if (events.length !== 1) throw new Error(`${touch} yielded ${events.length} events`);
      return events[0] as HubEvent;
    };
    const results: ScenarioFigures[] = [];
    /**
     * `prepare(i)` sets sample i up (unmetered: earlier events of the same
     * customer) and returns the event to meter.
     */
    const measure = async (
      scenario: string,
      kase: ScenarioFigures['case'],
      prepare: (i: number) => Promise<HubEvent>,
    ) => {
      const tallies: MeterTally[] = [];
      const cpu: number[] = [];
      let type = '';
      let shape: number[] = [];
      for (let i = 0; i < samples; i++) {
        const event = await prepare(i);
        const before = meter.snapshot();
        const shapesBefore = meter.transactionShapes.length;
        const cpuBefore = process.cpuUsage();
        await store.applyEvent(event);
        const used = process.cpuUsage(cpuBefore);
        cpu.push((used.user + used.system) / 1000);
        tallies.push(diffTally(meter.snapshot(), before));
        type = event.type;
        if (i === 0) shape = meter.transactionShapes.slice(shapesBefore).flat();
      }
      const calls: Record<string, number | null> = {};
      for (const name of new Set(tallies.flatMap((t) => Object.keys(t.commands)))) {
        calls[name.replace(/Command$/, '')] = round(mean(tallies.map((t) => t.commands[name]?.calls ?? 0)), 2);
      }
      results.push({
        scenario,
        eventType: type,
        case: kase,
        samples,
        wcu: round(mean(tallies.map((t) => t.awsWrite)), 2),
        rcu: round(mean(tallies.map((t) => t.awsRead)), 2),
        reportedWcu: round(mean(tallies.map((t) => t.reportedWrite)), 2),
        reportedRcu: round(mean(tallies.map((t) => t.reportedRead)), 2),
        callsPerEvent: calls,
        cpuMsPerEvent: round(median(cpu), 3),
        transactionItemBytes: shape,
      });
      progress(PHASE, `${scenario}: ${results.at(-1)?.wcu} WCU, ${results.at(-1)?.rcu} RCU`);
    };

    let stream = 30;
    for (const { label, touch } of KINDS) {
      const s = stream++;
      const seconds: HubEvent[] = [];
      await measure(`${label}, fresh customer`, 'fresh', async (i) => eventOf(touch, customer(s, i)));
      await measure(
        `${label}, returning customer`,
        'returning',
        async (i) => (seconds[i] = eventOf(touch, customer(s, i))),
      );
      await measure(`${label}, redelivery (duplicate)`, 'duplicate', async (i) => seconds[i] as HubEvent);
      if (touch === 'whatsapp') {
        await measure(`${label}, returning customer, 21st event`, 'returning-21st', async (i) => {
          for (let k = 0; k < 18; k++) await store.applyEvent(eventOf(touch, customer(s, i)));
          return eventOf(touch, customer(s, i));
        });
      }
    }
    // A returning customer whose event changes what subscribers keep (her name): customer.updated joins the write.
    const renamed = stream++;
    await measure('lead (Marquiz), returning customer, new name (customer.updated)', 'returning-changed', async (i) => {
      const c = customer(renamed, i);
      await store.applyEvent(eventOf('marquiz', c));
      const next = eventOf('marquiz', c);
      return { ...next, customer: { ...next.customer, traits: { ...next.customer.traits, name: `Renamed ${i}` } } };
    });
    // Merges: two profiles exist (different identities), then one event carries both.
    const tg = stream++;
    await measure('merge: Telegram contact card joins a Telegram-only and a WhatsApp profile', 'merge', async (i) => {
      const c = customer(tg, i);
      await store.applyEvent(eventOf('telegram', c));
      await store.applyEvent(eventOf('whatsapp', c));
      return eventOf('telegram-contact', c);
    });
    const shop = stream++;
    await measure('merge: Marquiz lead (phone + email) joins a Shopify and a Binotel profile', 'merge', async (i) => {
      const c = customer(shop, i);
      await store.applyEvent(eventOf('shopify', c));
      await store.applyEvent(eventOf('binotel', c));
      return eventOf('marquiz', c);
    });
    return {
      method:
        'One event at a time through DynamoProfileStore.applyEvent on DynamoDB Local; a client middleware adds ReturnConsumedCapacity=TOTAL and meters every call. ' +
        `Mean of ${samples} customers per scenario. wcu/rcu = AWS billing rules (transactional write 2 units per started KB per item; consistent read 1 unit per started 4 KB, also for a missing key) applied to the observed item sizes; ` +
        'reported* = what DynamoDB Local returned (it over-reports transactions and reports 0 for BatchGetItem misses).',
      table: tableName,
      scenarios: results,
    };
  } finally {
    client.destroy();
    if (!process.env[DYNAMO_ENDPOINT_ENV]) await dynamo.stop();
  }
};

if (isEntry(import.meta.url)) runPhase(PHASE, runCapacity);
