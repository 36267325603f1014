/**
 * Phase 7: what one automation run calls on AWS. Drives the production
 * automation runner (`functions/automations/runner.ts`) through the whole
 * abandoned-cart run — the `cart.updated` that sets the timer, the timer's
 * wake-up that re-checks her timeline and emits `cart.abandoned`, and the
 * `cart.abandoned` that runs the automation (marketing cap, idempotency
 * check, message request, `automation.triggered`) — on DynamoDB Local with
 * the production stores behind a metering client (`bench/lib/dynamo-meter.ts`,
 * AWS billing rules on the observed item sizes), the production
 * `SchedulerTimers` and `EventBridgePublisher` on counting SDK clients
 * (every CreateSchedule, SendMessage and PutEvents entry the run makes),
 * and the runner's CPU per run. `bench/cost.ts` (`automationCostPerMillion`)
 * prices it with the dated table. The sender's delivery and the profile
 * writer applying the events the run emits are priced in their own lines
 * (5b, 5), not here.
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoMessageStore } from '../functions/adapters/aws/dynamodb-message-store.js';
import { DynamoProfileStore } from '../functions/adapters/aws/dynamodb-profile-store.js';
import { EventBridgePublisher } from '../functions/adapters/aws/event-bridge-publisher.js';
import { SchedulerTimers } from '../functions/adapters/aws/scheduler-timers.js';
import { ensureHubTable } from '../functions/adapters/local/dynamodb-local.js';
import { defineAutomations } from '../functions/automations/config.js';
import { reactionsOf } from '../functions/automations/reactions.js';
import { createAutomationRunner } from '../functions/automations/runner.js';
import { buildEvent } from '../functions/connectors/shared/build-event.js';
import { linkingPolicy } from '../functions/domain/linking.js';
import { toBusEntry, toEnvelope } from '../functions/events/envelope.js';
import type { HubEvent } from '../functions/events/hub-event.js';
import { outboundSettingsOf } from '../functions/outbound/settings.js';
import { DynamoMeter, diffTally, type MeterTally } from './lib/dynamo-meter.js';
import { benchDynamo, DYNAMO_ENDPOINT_ENV, isEntry, isQuick, progress, runPhase } from './lib/phase.js';
import { mean, median, round as roundOrNull } from './lib/stats.js';

/** Rounded; the figures here are always finite (a NaN would be a bug in the phase). */
const round = (value: number, digits = 2): number => roundOrNull(value, digits) ?? Number.NaN;

const PHASE = 'automations';

/** The calls of one run, as the runner made them. */
export interface AutomationRunFigures {
  readonly scenario: string;
  readonly samples: number;
  /** Envelopes the runner's queue delivered (rule deliveries and timer wake-ups): SQS messages in. */
  readonly queueMessages: number;
  /** Scheduler API calls by command (not billed; they count against the API quotas). */
  readonly schedulerCalls: Record<string, number>;
  /** Schedules that fire (each one Scheduler invocation, billed). */
  readonly scheduledInvocations: number;
  /** SendMessage calls the runner made itself (timers within the SQS-delay range). */
  readonly sqsSends: number;
  /** PutEvents entries and their bytes. */
  readonly putEventsEntries: number;
  readonly putEventsBytes: number;
  /** DynamoDB units, AWS billing rules on the observed item sizes. */
  readonly wcu: number;
  readonly rcu: number;
  readonly dynamoCalls: Record<string, number>;
  /** Runner CPU per run (all three envelopes), ms on this machine's core. */
  readonly cpuMs: number;
}

const AUTOMATIONS = defineAutomations({
  automations: [
    {
      name: 'abandoned-cart',
      when: { 'detail-type': ['cart.abandoned'] },
      send: {
        purpose: 'marketing',
        template: {
          name: 'cart_reminder',
          language: 'uk',
          parameters: ['{{profile.firstName | клієнте}}', '{{event.data.total}}'],
        },
      },
    },
  ],
  marketingCap: { max: 2, per: '7d' },
});

/** A counting stand-in for an AWS SDK client: answers every command as the service would on success. */
const countingClient = (answer: (name: string, input: Record<string, unknown>) => unknown) => {
  const calls: Record<string, number> = {};
  const counted = {
    calls,
    lastInput: undefined as Record<string, unknown> | undefined,
    client: {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name.replace(/Command$/, '');
        calls[name] = (calls[name] ?? 0) + 1;
        counted.lastInput = command.input;
        return answer(name, command.input);
      },
    },
  };
  return counted;
};

export const runAutomations = async () => {
  const samples = isQuick() ? 3 : 12;
  const dynamo = await benchDynamo();
  const client = dynamo.client();
  const tableName = `bench-automations-${Date.now().toString(36)}`;
  try {
    await ensureHubTable(client, tableName);
    const meter = new DynamoMeter({ requestCapacity: true }).attach(client);
    const store = new DynamoProfileStore(client, { tableName, linking: linkingPolicy([], 10, 'UA') });
    await store.holds.macFor(true);
    const messages = new DynamoMessageStore(client, { tableName });
    let putEventsEntries = 0;
    let putEventsBytes = 0;
    const bus = countingClient((_name, input) => {
      const entries = (input.Entries as { Detail?: string }[] | undefined) ?? [];
      putEventsEntries += entries.length;
      putEventsBytes += entries.reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)), 0);
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
    const scheduler = countingClient(() => ({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' }));
    const sqs = countingClient(() => ({ MessageId: 'm' }));
    let clock = Date.parse('2026-11-23T10:00:00.000Z');
    const now = () => new Date(clock);
    const timers = new SchedulerTimers(
      sqs.client as unknown as SQSClient,
      scheduler.client as unknown as SchedulerClient,
      {
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/omnihub-bench-automations',
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:omnihub-bench-automations',
        scheduleGroup: 'omnihub-bench-automations',
        scheduleRoleArn: 'arn:aws:iam::123456789012:role/omnihub-bench-scheduler',
        sqsDelayUpToSeconds: 900,
        now,
      },
    );
    const publisher = new EventBridgePublisher(bus.client as unknown as EventBridgeClient, 'omnihub-bench');
    const published: HubEvent[] = [];
    const recordingPublisher = {
      publish: async (events: readonly HubEvent[]) => {
        published.push(...events);
        await publisher.publish(events);
      },
      putEntries: (entries: Parameters<typeof publisher.putEntries>[0]) => publisher.putEntries(entries),
    };
    const runner = createAutomationRunner({
      store,
      messages,
      publisher: recordingPublisher,
      timers,
      settings: outboundSettingsOf(
        {
          outboundConnectors: ['whatsapp'],
          quietHours: 'off',
          messageRetentionDays: 90,
          sendMaxAttempts: 3,
          sendRetryWindowHours: 24,
        },
        'automations',
      ),
      defaultCountry: 'UA',
      // Production defaults: cart.abandoned after 24 h (a Scheduler schedule), lead.unanswered after 15 min.
      reactions: reactionsOf(AUTOMATIONS, { abandonedCartHours: 24, leadUnansweredMinutes: 15 }),
      ...(AUTOMATIONS.marketingCap ? { marketingCap: AUTOMATIONS.marketingCap } : {}),
      clocks: { inactiveDays: 0 },
      now,
    });
    const envelopeOf = (event: HubEvent) => JSON.parse(JSON.stringify(toEnvelope(toBusEntry(event), { time: now() })));

    const figures: { tally: MeterTally; cpuMs: number; envelopes: number; scheduled: number }[] = [];
    const before = { scheduler: { ...scheduler.calls }, sqs: { ...sqs.calls } };
    for (let i = 0; i < samples; i++) {
      // Prepare (unmetered): a WhatsApp customer whose cart the profile writer applied.
      const phone = `+38067${String(3_000_000 + i).padStart(7, '0')}`;
      clock += 3_600_000;
      const at = now().toISOString();
      const ctx = { receivedAt: at, defaultCountry: 'UA' as const };
      const hello = buildEvent(
        {
          connector: 'whatsapp',
          providerEventId: `wamid.bench.${i}`,
          type: 'message.received',
          channel: 'whatsapp',
          occurredAt: at,
          identities: [{ type: 'phone', value: phone }],
          traits: { name: 'Олена Коваль' },
          summary: 'Hi',
          data: { messageId: `wamid.bench.${i}`, direction: 'inbound', contentType: 'text', text: 'Hi' },
        },
        ctx,
      ) as HubEvent;
      const cart = buildEvent(
        {
          connector: 'site',
          providerEventId: `cart.bench.${i}`,
          type: 'cart.updated',
          channel: 'ecommerce',
          occurredAt: at,
          identities: [{ type: 'phone', value: phone }],
          summary: 'Cart',
          data: {
            cartId: `cart_${i}`,
            total: { amountMinor: 2549900, currency: 'UAH' },
            items: [{ sku: 'SOFA', name: 'Sofa Oslo', quantity: 1 }],
          },
        },
        ctx,
      ) as HubEvent;
      await store.applyEvent(hello);
      await store.applyEvent(cart);

      // Act (metered): the three envelopes of one run, as the queue delivers them.
      const tallyBefore = meter.snapshot();
      const cpuBefore = process.cpuUsage();
      let envelopes = 0;
      published.length = 0;
      await runner.handle(envelopeOf(cart));
      envelopes++;
      // The schedule fires a day later with the `automation.due` Scheduler was given.
      clock += 24 * 3_600_000 + 1_000;
      const due = { 'detail-type': 'automation.due', detail: lastScheduleInput(scheduler.lastInput) };
      await runner.handle(due);
      envelopes++;
      const abandoned = published.find((e) => e.type === 'cart.abandoned');
      if (!abandoned) throw new Error('the run emitted no cart.abandoned');
      // The profile writer puts cart.abandoned into her timeline before the runner's queue hands it over (unmetered).
      const paused = meter.snapshot();
      await store.applyEvent(abandoned);
      const writerShare = diffTally(meter.snapshot(), paused);
      await runner.handle(envelopeOf(abandoned));
      envelopes++;
      const used = process.cpuUsage(cpuBefore);
      if (!published.some((e) => e.type === 'automation.triggered'))
        throw new Error(`the automation did not send: ${JSON.stringify(published.map((e) => e.data))}`);
      const raw = diffTally(meter.snapshot(), tallyBefore);
      figures.push({
        tally: subtract(raw, writerShare),
        cpuMs: (used.user + used.system) / 1000,
        envelopes,
        scheduled: 1,
      });
    }
    const perRun = (calls: Record<string, number>, base: Record<string, number>) =>
      Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, round((v - (base[k] ?? 0)) / samples, 2)]));
    const dynamoCalls: Record<string, number> = {};
    for (const name of new Set(figures.flatMap((f) => Object.keys(f.tally.commands)))) {
      const calls = round(mean(figures.map((f) => f.tally.commands[name]?.calls ?? 0)), 2);
      if (calls > 0) dynamoCalls[name.replace(/Command$/, '')] = calls;
    }
    const result: AutomationRunFigures = {
      scenario: 'abandoned cart: cart.updated → 24 h schedule → cart.abandoned → WhatsApp template requested',
      samples,
      queueMessages: round(mean(figures.map((f) => f.envelopes)), 2),
      schedulerCalls: perRun(scheduler.calls, before.scheduler),
      scheduledInvocations: 1,
      sqsSends: perRun(sqs.calls, before.sqs).SendMessage ?? 0,
      putEventsEntries: round(putEventsEntries / samples, 2),
      putEventsBytes: round(putEventsBytes / Math.max(1, putEventsEntries), 0),
      wcu: round(mean(figures.map((f) => f.tally.awsWrite)), 2),
      rcu: round(mean(figures.map((f) => f.tally.awsRead)), 2),
      dynamoCalls,
      cpuMs: round(median(figures.map((f) => f.cpuMs)), 3),
    };
    progress(PHASE, `${result.wcu} WCU, ${result.rcu} RCU, ${result.putEventsEntries} PutEvents entries per run`);
    return {
      method:
        'The production runner, stores (DynamoDB Local behind a metering client, AWS billing rules on the observed item sizes), SchedulerTimers and EventBridgePublisher on counting SDK clients; ' +
        `mean of ${samples} runs. The profile writer's applying of cart.abandoned (between the wake-up and the automation) is taken out of the figures: it is the writer's cost.`,
      table: tableName,
      run: result,
    };
  } finally {
    client.destroy();
    if (!process.env[DYNAMO_ENDPOINT_ENV]) await dynamo.stop();
  }
};

/** The `automation.due` detail of the last CreateSchedule / UpdateSchedule (its Target.Input is an envelope). */
const lastScheduleInput = (input: Record<string, unknown> | undefined): unknown => {
  const target = input?.Target as { Input?: string } | undefined;
  if (!target?.Input) throw new Error('no schedule was created');
  return (JSON.parse(target.Input) as { detail: unknown }).detail;
};

const subtract = (a: MeterTally, b: MeterTally): MeterTally => ({
  ...a,
  awsRead: a.awsRead - b.awsRead,
  awsWrite: a.awsWrite - b.awsWrite,
  reportedRead: a.reportedRead - b.reportedRead,
  reportedWrite: a.reportedWrite - b.reportedWrite,
  commands: Object.fromEntries(
    Object.entries(a.commands).map(([k, v]) => [k, { ...v, calls: v.calls - (b.commands[k]?.calls ?? 0) }]),
  ),
});

if (isEntry(import.meta.url)) runPhase(PHASE, runAutomations);
