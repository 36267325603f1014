/**
 * Phase 2: end to end on the local runtime. Starts the local hub (the real
 * handlers, local bus and queues, DynamoDB Local) in this process — its HTTP
 * front in a worker thread, as `npm start` runs it — and drives
 * it from a load generator in a second process (`bench/loadgen.ts`) with a
 * mixed stream of signed webhooks (`bench/lib/workload.ts`).
 *
 * 1. Warm-up: DynamoDB Local's JIT, then a small stream through the hub,
 *    whose writes per event (every step the store executed) the floor replays.
 * 2. Floor A: raw DynamoDB Local throughput for the same writes per event
 *    (bench/lib/event-floor.ts), at the profile writer's parallelism and at
 *    10; the floor is the better of the two.
 * 3. Run A (saturation): a fixed count of webhooks, closed loop: the most
 *    webhooks/s the hub acknowledges, and the events/s it applies to profiles
 *    until the queue has drained (the sustained rate).
 * 4. Floor B, same as A: the floor is their mean (the spread says how noisy
 *    the machine was). CPU per event of the hub, DynamoDB Local and the load
 *    generator beside the floor's says whether the machine was the limit.
 * 5. Run B (paced at half the floor): acknowledgement latency at that rate,
 *    acknowledgement → committed for every event (timestamped at the store),
 *    and acknowledgement → visible through the read API for a sample.
 *
 * The hub's `store.applyEvent` is wrapped on the instance (no production
 * change) to timestamp commits and count merges; a middleware on the hub's
 * DynamoDB client counts calls and capacity. Both are the consumers' (main
 * thread); the read API's own client in the front thread is not metered.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { listConnectors, secretEnvName } from '../functions/connectors/index.js';
import {
  HUB_QUEUE_BATCH_SIZE,
  HUB_QUEUE_BATCHES,
  startLocalHub,
  type LocalHub,
} from '../functions/runtime/local/local-hub.js';
import type { ApplyOutcome } from '../functions/ports.js';
import type { HubEvent } from '../functions/events/hub-event.js';
import { DynamoMeter, diffTally, type MeterTally } from './lib/dynamo-meter.js';
import {
  benchDynamo,
  DYNAMO_ENDPOINT_ENV,
  isEntry,
  isQuick,
  processCpuMs,
  progress,
  ROOT,
  runPhase,
  sleep,
  wallNow,
} from './lib/phase.js';
import { round, summarize, type Summary } from './lib/stats.js';
import { captureEventWrites, runEventFloor, type EventFloorResult } from './lib/event-floor.js';
import { runStoreFloor, type FloorResult } from './lib/store-floor.js';
import { planStream, signSteps, TOUCH_KIND, type WireRequest } from './lib/workload.js';
import type { LoadJob, LoadResult } from './loadgen.js';

const PHASE = 'e2e';
/** 24+ bytes: the hub refuses shorter operator-chosen secrets and API tokens. */
const SECRET = 'bench-secret-of-24-bytes-or-more';
const API_TOKEN = 'bench-api-token-of-24-bytes';

/** Records of the store consumer the applyEvent wrapper collects. */
interface CommitLog {
  readonly committedAt: Map<string, number>;
  applied: number;
  duplicates: number;
  merges: number;
  failures: number;
}

const SIZES = {
  full: {
    warmupCustomers: 120,
    runACustomers: 1200,
    runBSeconds: 20,
    runBMaxRequests: 1500,
    floorEvents: 1000,
    concurrency: 32,
  },
  quick: {
    warmupCustomers: 30,
    runACustomers: 150,
    runBSeconds: 5,
    runBMaxRequests: 200,
    floorEvents: 300,
    concurrency: 16,
  },
};

/** Counts what the code under test writes to stdout (the hub's logs), still passing it on. */
const countStdout = () => {
  const original = process.stdout.write.bind(process.stdout);
  const counter = { bytes: 0, lines: 0 };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    counter.lines++;
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return counter;
};

const instrumentStore = (hub: LocalHub): CommitLog => {
  const log: CommitLog = { committedAt: new Map(), applied: 0, duplicates: 0, merges: 0, failures: 0 };
  const original = hub.store.applyEvent.bind(hub.store);
  hub.store.applyEvent = async (event: HubEvent): Promise<ApplyOutcome> => {
    try {
      const outcome = await original(event);
      if (outcome.status === 'applied') {
        log.applied++;
        log.committedAt.set(event.id, wallNow());
        if (outcome.notifications.some((n) => n.entry.detailType === 'customer.merged')) log.merges++;
      } else log.duplicates++;
      return outcome;
    } catch (err) {
      log.failures++;
      throw err;
    }
  };
  return log;
};

/** Samples the local queues' backlog (pending + in flight) while a run is going. */
const sampleBacklog = (hub: LocalHub) => {
  let max = 0;
  const timer = setInterval(() => {
    const backlog = hub.bus.queues().reduce((s, q) => s + q.stats().pending + q.stats().inFlight, 0);
    max = Math.max(max, backlog);
  }, 50);
  return { stop: () => (clearInterval(timer), max) };
};

const runLoadgen = async (dir: string, name: string, job: LoadJob): Promise<LoadResult> => {
  const jobPath = join(dir, `${name}.job.json`);
  const resultPath = join(dir, `${name}.result.json`);
  writeFileSync(jobPath, JSON.stringify(job));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/loadgen.ts'), jobPath, resultPath], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), job.deadlineMs + 30_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`load generator exited with ${code}: ${stderr}`);
  return JSON.parse(readFileSync(resultPath, 'utf8')) as LoadResult;
};

const waitIdle = async (hub: LocalHub, timeoutMs: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    hub.idle().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return done;
};

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * CPU used from now until `stop`, by this process (every thread) and by
 * DynamoDB Local's Java (read from /proc when its pid is known), per event,
 * and how many of the machine's cores that kept busy: where the CPU of an
 * event goes, and whether the machine itself was the limit.
 */
const cpuWindow = (jvmPid: number | undefined) => {
  const start = { wall: performance.now(), own: cpuMs(), jvm: processCpuMs(jvmPid) };
  return (events: number, extraMs = 0) => {
    const seconds = (performance.now() - start.wall) / 1000;
    const own = cpuMs() - start.own;
    const jvmNow = processCpuMs(jvmPid);
    const jvm = jvmNow !== undefined && start.jvm !== undefined ? jvmNow - start.jvm : undefined;
    const per = (ms: number) => round(ms / Math.max(1, events), 3);
    return {
      thisProcessMsPerEvent: per(own),
      ...(jvm !== undefined ? { dynamoDbLocalMsPerEvent: per(jvm) } : {}),
      ...(extraMs ? { loadGeneratorMsPerEvent: per(extraMs) } : {}),
      coresBusy: round((own + (jvm ?? 0) + extraMs) / 1000 / seconds, 2),
      cores: availableParallelism(),
    };
  };
};

const perEvent = (tally: MeterTally, events: number) => {
  const calls: Record<string, number | null> = {};
  const avgMs: Record<string, number | null> = {};
  for (const [name, s] of Object.entries(tally.commands)) {
    calls[name.replace(/Command$/, '')] = round(s.calls / events, 3);
    avgMs[name.replace(/Command$/, '')] = round(s.ms / s.calls, 2);
  }
  return {
    callsPerEvent: calls,
    avgCallMs: avgMs,
    awsWcuPerEvent: round(tally.awsWrite / events, 2),
    awsRcuPerEvent: round(tally.awsRead / events, 2),
    cancelledTransactionsPerEvent: round(tally.cancelledTransactions / events, 3),
  };
};

const roundSummary = (s: Summary, digits = 1) => ({
  count: s.count,
  p50: round(s.p50, digits),
  p95: round(s.p95, digits),
  p99: round(s.p99, digits),
  max: round(s.max, digits),
  mean: round(s.mean, digits),
});

const mixOf = (requests: readonly WireRequest[]) => {
  const byKind: Record<string, number> = {};
  const byConnector: Record<string, number> = {};
  for (const r of requests) {
    const kind = TOUCH_KIND[r.touch];
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    byConnector[r.connector] = (byConnector[r.connector] ?? 0) + 1;
  }
  return { byKind, byConnector, linkingTouches: requests.filter((r) => r.expectMerge).length };
};

interface RunAnalysis {
  readonly requests: number;
  readonly acked: number;
  readonly failed: Record<string, number>;
  readonly failureSamples: string[];
  readonly ackPerSecond: number | null;
  readonly ackLatencyMs: ReturnType<typeof roundSummary>;
  /** By connector: the ack path differs (a replay-guard claim, Binotel's caller lookup). */
  readonly ackLatencyByConnector: Record<string, { count: number; p50: number | null; p99: number | null }>;
  readonly events: number;
  readonly applied: number;
  readonly notAppliedAtDeadline: number;
  readonly merges: number;
  readonly appliedPerSecond: number | null;
  readonly ackToCommittedMs: ReturnType<typeof roundSummary>;
  readonly drainAfterLastAckSeconds: number | null;
  readonly maxBacklog: number;
}

const analyse = (
  requests: readonly WireRequest[],
  load: LoadResult,
  commits: CommitLog,
  mergesBefore: number,
  appliedBefore: number,
  maxBacklog: number,
  latencyFrom: 'sent' | 'due',
): RunAnalysis => {
  const ok = load.records.map((r, i) => ({ r, i })).filter(({ r }) => r[3] >= 200 && r[3] < 300);
  const failed: Record<string, number> = {};
  for (const r of load.records)
    if (!(r[3] >= 200 && r[3] < 300)) failed[String(r[3])] = (failed[String(r[3])] ?? 0) + 1;
  const firstSent = Math.min(...load.records.filter((r) => r[1] > 0).map((r) => r[1]));
  const firstDue = Math.min(...load.records.filter((r) => r[0] > 0).map((r) => r[0]));
  const lastAck = Math.max(...ok.map(({ r }) => r[2]));
  const ackLatency = ok.map(({ r }) => r[2] - (latencyFrom === 'sent' ? r[1] : r[0]));
  const byConnector = new Map<string, number[]>();
  ok.forEach(({ i }, j) => {
    const name = (requests[i] as WireRequest).connector;
    byConnector.set(name, [...(byConnector.get(name) ?? []), ackLatency[j] as number]);
  });
  const lags: number[] = [];
  let events = 0;
  let missing = 0;
  let lastCommit = 0;
  for (const { r, i } of ok) {
    for (const id of (requests[i] as WireRequest).eventIds) {
      events++;
      const at = commits.committedAt.get(id);
      if (at === undefined) missing++;
      else {
        lags.push(Math.max(0, at - r[2]));
        lastCommit = Math.max(lastCommit, at);
      }
    }
  }
  const start = latencyFrom === 'sent' ? firstSent : firstDue;
  return {
    requests: requests.length,
    acked: ok.length,
    failed,
    failureSamples: load.failures,
    ackPerSecond: ok.length > 1 ? round(ok.length / ((lastAck - start) / 1000), 1) : null,
    ackLatencyMs: roundSummary(summarize(ackLatency), 2),
    ackLatencyByConnector: Object.fromEntries(
      [...byConnector].map(([name, l]) => {
        const s = summarize(l);
        return [name, { count: s.count, p50: round(s.p50, 1), p99: round(s.p99, 1) }];
      }),
    ),
    events,
    applied: commits.applied - appliedBefore,
    notAppliedAtDeadline: missing,
    merges: commits.merges - mergesBefore,
    appliedPerSecond: lastCommit > start ? round((events - missing) / ((lastCommit - start) / 1000), 1) : null,
    ackToCommittedMs: roundSummary(summarize(lags), 1),
    drainAfterLastAckSeconds: lastCommit ? round(Math.max(0, lastCommit - lastAck) / 1000, 2) : null,
    maxBacklog,
  };
};

const floorSummary = (f: FloorResult | EventFloorResult) => ({
  perSecond: round(f.perSecond, 1),
  ...('callsPerEvent' in f
    ? {
        callsPerEvent: {
          PutItem: round(f.callsPerEvent.write, 3),
          TransactWriteItems: round(f.callsPerEvent.transaction, 3),
          BatchWriteItem: round(f.callsPerEvent.bulk, 3),
        },
        itemsPerEvent: round(f.itemsPerEvent, 2),
      }
    : {}),
  transactions: f.transactions,
  concurrency: f.concurrency,
  itemsPerTransaction: round(f.itemsPerTransaction, 2),
  bytesPerTransaction: Math.round(f.bytesPerTransaction),
  latencyMs: roundSummary(f.latencyMs, 1),
  errors: f.errors,
  ...('errorSamples' in f && f.errorSamples.length ? { errorSamples: f.errorSamples } : {}),
});

export const runE2e = async () => {
  const size = isQuick() ? SIZES.quick : SIZES.full;
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-e2e-'));
  const dynamo = await benchDynamo();
  const stdout = countStdout();
  const env: NodeJS.ProcessEnv = {};
  for (const c of listConnectors()) env[secretEnvName('SECRET', c.name)] = SECRET;
  const stamp = Date.now().toString(36);
  const hub = await startLocalHub({
    port: 0,
    dynamo,
    tableName: `bench-e2e-${stamp}`,
    apiToken: API_TOKEN,
    env,
    retryBaseMs: 200,
    // Subscriptions are per deployment; the benchmark measures the core path.
    subscriptions: [],
    // As `npm start` runs it: the HTTP front in its own thread (BENCH_FRONT_THREAD=0 measures one thread).
    frontThread: process.env.BENCH_FRONT_THREAD !== '0',
  });
  const floorClient = dynamo.client();
  try {
    const commits = instrumentStore(hub);
    const compareFloors = process.env.BENCH_E2E_COMPARE_FLOORS === '1';
    const meter = new DynamoMeter({ requestCapacity: false, keepTransactionShapes: compareFloors ? 5000 : 0 }).attach(
      hub.dynamoClient,
    );
    const writes = captureEventWrites(hub.store);
    // As many events in flight as the profile writer can have: its queue's batches × records per batch.
    const floorConcurrency = HUB_QUEUE_BATCHES * HUB_QUEUE_BATCH_SIZE;
    const secrets = { secret: SECRET };
    const job = (requests: WireRequest[], extra: Partial<LoadJob>): LoadJob => ({
      baseUrl: hub.url,
      apiToken: API_TOKEN,
      mode: 'closed',
      concurrency: size.concurrency,
      requests: requests.map((r) => ({
        path: r.path,
        headers: r.headers,
        body: r.body,
        identity: r.identity,
        eventIds: r.eventIds,
      })),
      probeEvery: 0,
      probePollMs: 50,
      probeTimeoutMs: 30_000,
      deadlineMs: 120_000,
      ...extra,
    });
    const build = (stream: number, customers: number) => {
      const now = new Date();
      return signSteps(planStream(customers, 1000 + stream), {
        stream,
        baseUrl: hub.url,
        secrets,
        now,
        tag: `${stamp}s${stream}`,
        startMs: now.getTime(),
      });
    };

    // 1. Warm-up: the JVM first, then the hub; the hub's writes per event are the floor's shape.
    progress(PHASE, 'warming up DynamoDB Local and the hub');
    // DynamoDB Local keeps getting faster for a while (JIT): a short warm-up left floor A 40 % below floor B.
    await runStoreFloor(floorClient, {
      tableName: `bench-floor-warm-${stamp}`,
      run: 'w',
      transactions: Math.round(size.floorEvents * 0.8),
      concurrency: floorConcurrency,
      shapes: [],
    });
    const warm = build(0, size.warmupCustomers);
    await runLoadgen(dir, 'warmup', job(warm, { concurrency: 16 }));
    await waitIdle(hub, 60_000);
    const shapes = writes.take();
    writes.stop();
    const transactionShapes = meter.transactionShapes.splice(0);
    const warmTally = meter.snapshot();
    const warmApplied = commits.applied;
    meter.reset();
    const floorOptions = { events: size.floorEvents, concurrency: floorConcurrency, shapes };

    // 2. Floor A: the replayed writes at the consumer's parallelism and at 10.
    const measureFloor = async (run: 'a' | 'b') => {
      const at = async (concurrency: number, tag: string) => {
        const cpu = cpuWindow(dynamo.pid);
        const result = await runEventFloor(floorClient, {
          tableName: `bench-floor-${tag}-${stamp}`,
          run: tag,
          ...floorOptions,
          concurrency,
        });
        return { result, cpu: cpu(result.transactions) };
      };
      const consumer = await at(floorConcurrency, run);
      const ten = await at(10, `${run}10`);
      return { consumer: consumer.result, ten: ten.result, cpu: { consumer: consumer.cpu, ten: ten.cpu } };
    };
    progress(
      PHASE,
      `store floor A (${size.floorEvents} events replaying the writes of ${shapes.length} warm-up events, ${floorConcurrency} and 10 at once)`,
    );
    const floorA = await measureFloor('a');
    // The floor as it was before (every event one of the warm-up's transactions, 10 at once), and those
    // transactions at the consumer's parallelism: for the record of what changed, not part of the ratio.
    const compared = compareFloors
      ? {
          transactionsOnlyAt10: floorSummary(
            await runStoreFloor(floorClient, {
              tableName: `bench-floor-t10-${stamp}`,
              run: 't',
              transactions: size.floorEvents,
              concurrency: 10,
              shapes: transactionShapes,
            }),
          ),
          transactionsOnlyAtConsumerParallelism: floorSummary(
            await runStoreFloor(floorClient, {
              tableName: `bench-floor-t40-${stamp}`,
              run: 'u',
              transactions: size.floorEvents,
              concurrency: floorConcurrency,
              shapes: transactionShapes,
            }),
          ),
        }
      : undefined;

    // 3. Run A: saturation.
    const streamA = build(1, size.runACustomers);
    progress(PHASE, `run A: ${streamA.length} webhooks, closed loop, ${size.concurrency} connections`);
    const beforeA = {
      merges: commits.merges,
      applied: commits.applied,
      tally: meter.snapshot(),
      cpu: cpuMs(),
      log: { ...stdout },
    };
    const backlogA = sampleBacklog(hub);
    const cpuA = cpuWindow(dynamo.pid);
    const loadA = await runLoadgen(dir, 'run-a', job(streamA, {}));
    const cpuAtLastAck = cpuMs();
    const appliedAtLastAck = commits.applied;
    const drainedA = await waitIdle(hub, 100_000);
    const runACpu = cpuA(streamA.length, loadA.cpuMs);
    const cpuDrain = cpuMs() - cpuAtLastAck;
    const appliedInDrain = commits.applied - appliedAtLastAck;
    const runA = analyse(streamA, loadA, commits, beforeA.merges, beforeA.applied, backlogA.stop(), 'sent');
    const tallyA = diffTally(meter.snapshot(), beforeA.tally);
    const hubCpuA = cpuMs() - beforeA.cpu;
    const logA = { bytes: stdout.bytes - beforeA.log.bytes, lines: stdout.lines - beforeA.log.lines };

    // 4. Floor B.
    progress(PHASE, 'store floor B');
    const floorB = await measureFloor('b');
    // The floor is the store at its best parallelism: the consumer's, or 10 if DynamoDB Local does more at 10
    // (a parallelism the hub chose badly must not lower its own bar).
    const meanAt = (c: 'consumer' | 'ten') => (floorA[c].perSecond + floorB[c].perSecond) / 2;
    const floorAt = meanAt('consumer') >= meanAt('ten') ? 'consumer' : 'ten';
    const floorPerSecond = meanAt(floorAt);

    // 5. Run B: paced at half the floor, with read-API probes.
    const rate = Math.max(5, floorPerSecond / 2);
    const target = Math.min(size.runBMaxRequests, Math.ceil(rate * size.runBSeconds));
    const streamB = build(2, Math.max(10, Math.round(target / 2.35)));
    // About 40 probes: enough for a p50/p99 estimate, little read load on the hub under test.
    const probeEvery = Math.max(1, Math.ceil(streamB.length / 40));
    progress(
      PHASE,
      `run B: ${streamB.length} webhooks at ${rate.toFixed(1)}/s, probing every ${probeEvery}th through the read API`,
    );
    const beforeB = { merges: commits.merges, applied: commits.applied, tally: meter.snapshot() };
    const backlogB = sampleBacklog(hub);
    const loadB = await runLoadgen(
      dir,
      'run-b',
      job(streamB, { mode: 'paced', rate, maxInFlight: 256, probeEvery, deadlineMs: 45_000 }),
    );
    const drainedB = await waitIdle(hub, 40_000);
    const runB = analyse(streamB, loadB, commits, beforeB.merges, beforeB.applied, backlogB.stop(), 'due');
    const tallyB = diffTally(meter.snapshot(), beforeB.tally);
    const visible = loadB.probes.filter((p) => p.visibleAt !== null).map((p) => (p.visibleAt as number) - p.ackAt);
    const eventsA = Math.max(1, runA.events - runA.notAppliedAtDeadline);

    return {
      method:
        'Hub and DynamoDB Local on this machine; load generator in a second process over keep-alive HTTP. ' +
        "Floor: the store's own writes per warm-up event (each executed plan step, same items and conditions) replayed with the SDK on fresh keys, no reads, at the consumer's parallelism and at 10, the better of the two. " +
        'Run A: closed loop (fixed count, all in flight as fast as acknowledged). Run B: open loop at half the floor, latency from the due time. ' +
        'Committed = store.applyEvent returned (timestamped by wrapping store.applyEvent); visible = the event is in GET /v1/customers/{id}/timeline (polled for a sample of about 40 events, every 2 ms doubling to 50 ms).',
      sizes: size,
      mix: mixOf(streamA),
      floor: {
        perSecond: round(floorPerSecond, 1),
        concurrency: floorA[floorAt].concurrency,
        spreadPercent: round(
          (Math.abs(floorA[floorAt].perSecond - floorB[floorAt].perSecond) / floorPerSecond) * 100,
          1,
        ),
        a: { ...floorSummary(floorA[floorAt]), cpu: floorA.cpu[floorAt] },
        b: { ...floorSummary(floorB[floorAt]), cpu: floorB.cpu[floorAt] },
        perSecondByConcurrency: {
          [floorConcurrency]: round(meanAt('consumer'), 1),
          10: round(meanAt('ten'), 1),
        },
        shapeSource: `the store's writes for ${shapes.length} events of the warm-up stream, replayed step by step on fresh keys`,
        ...(compared ? { compared } : {}),
      },
      runA: {
        ...runA,
        drained: drainedA,
        sustainedEventsPerSecond: runA.appliedPerSecond,
        ratioToFloor: runA.appliedPerSecond !== null ? round(runA.appliedPerSecond / floorPerSecond, 2) : null,
        ackRatioToFloor: runA.ackPerSecond !== null ? round(runA.ackPerSecond / floorPerSecond, 2) : null,
        store: perEvent(tallyA, eventsA),
        hubCpuMsPerEvent: round(hubCpuA / eventsA, 3),
        /** From the first request to the drained queue: the hub (all its threads), DynamoDB Local, the load generator. */
        cpu: runACpu,
        /** CPU of the hub process after the last acknowledgement: the consumer alone (profile writer + SDK). */
        consumerCpuMsPerEvent: appliedInDrain > 50 ? round(cpuDrain / appliedInDrain, 3) : null,
        logBytesPerWebhook: round(logA.bytes / Math.max(1, runA.acked), 0),
        logLinesPerWebhook: round(logA.lines / Math.max(1, runA.acked), 2),
      },
      runB: {
        ...runB,
        drained: drainedB,
        offeredPerSecond: round(rate, 1),
        offeredRatioToFloor: round(rate / floorPerSecond, 2),
        ackLatencyMeasuredFrom: 'due time (open loop)',
        store: perEvent(tallyB, Math.max(1, runB.events - runB.notAppliedAtDeadline)),
        visibleThroughApiMs: {
          ...roundSummary(summarize(visible), 1),
          probes: loadB.probes.length,
          timedOut: loadB.probes.length - visible.length,
          pollsPerProbe: round(loadB.probes.reduce((s, p) => s + p.polls, 0) / Math.max(1, loadB.probes.length), 1),
          medianResolutionMs: round(summarize(loadB.probes.map((p) => p.intervalMs)).p50, 0),
        },
        timedOut: loadB.timedOut,
      },
      warmup: { webhooks: warm.length, store: perEvent(warmTally, Math.max(1, warmApplied)) },
      deadLetters: hub.bus.queues().reduce((s, q) => s + q.stats().deadLettered, 0),
      consumer:
        'The local queue hands one batch of up to 10 records at a time to the profile writer, which applies them in parallel (powertools processPartialResponse); ' +
        'on AWS the SQS event source runs up to maxConcurrency (10) such batches at once.',
    };
  } finally {
    floorClient.destroy();
    await Promise.race([hub.stop().catch(() => undefined), sleep(10_000)]);
    if (!process.env[DYNAMO_ENDPOINT_ENV]) await dynamo.stop();
    rmSync(dir, { recursive: true, force: true });
    await sleep(0);
  }
};

if (isEntry(import.meta.url)) runPhase(PHASE, runE2e);
