/**
 * `npm run bench`: runs every phase in its own Node process, one after the
 * other, against one shared DynamoDB Local, then prices the measurements,
 * prints the tables and writes `bench/results.json`.
 *
 *   npm run bench                       everything (about 4–6 minutes on 2 cores)
 *   npm run bench -- --quick            small counts: a smoke run of the harness
 *   npm run bench -- --only ingest-cpu,bundles
 *   npm run bench -- --out /tmp/results.json
 *   npm run bench -- --no-docs          keep docs/benchmarks.md as it is
 *   npm run bench -- --render [file]    re-render tables and the doc block from a results file, no runs
 *
 * A full run written to bench/results.json also regenerates the tables
 * between the `bench:results` markers of docs/benchmarks.md.
 *
 * Every figure is reported beside a floor measured in the same run, so the
 * ratios stay meaningful on a noisy machine; the load average before and
 * after each phase is recorded so a noisy run can be recognised.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../functions/adapters/local/dynamodb-local.js';
import {
  type CostAssumptions,
  costPerMillion,
  DEFAULT_ASSUMPTIONS,
  dynamoCallsOf,
  FUNCTION_URL_ASSUMPTIONS,
  PRICES,
  senderCostPerMillion,
  automationCostPerMillion,
  traceShare,
  type CostResult,
  type EventProfile,
} from './cost.js';
import { DYNAMO_ENDPOINT_ENV, DYNAMO_PID_ENV, QUICK_ENV, ROOT } from './lib/phase.js';
import { median, round } from './lib/stats.js';
import { formatTable, markdownTable, replaceBetween, type Cell } from './lib/table.js';
import { importRows } from './import-lookup.js';

const PHASES = [
  { name: 'ingest-cpu', file: 'bench/ingest-cpu.ts', timeoutS: 120, dynamo: false },
  { name: 'bundles', file: 'bench/bundles.ts', timeoutS: 120, dynamo: false },
  { name: 'capacity', file: 'bench/capacity.ts', timeoutS: 90, dynamo: true },
  { name: 'e2e', file: 'bench/e2e.ts', timeoutS: 230, dynamo: true },
  // Scales with BENCH_IMPORT_ROWS: DynamoDB Local applies ~100–200 import events/s.
  { name: 'import-lookup', file: 'bench/import-lookup.ts', timeoutS: importTimeoutS(), dynamo: true },
  { name: 'analytics', file: 'bench/analytics.ts', timeoutS: 420, dynamo: false },
  { name: 'automations', file: 'bench/automations.ts', timeoutS: 90, dynamo: true },
] as const;
// The phase time limits (560 s) plus DynamoDB Local's start keep a run under 10 minutes whatever happens.
type PhaseName = (typeof PHASES)[number]['name'];

const DEFAULT_OUT = join(ROOT, 'bench/results.json');

/** The import phase's limit: warm-up and lookups, plus the rows at a pessimistic 60 rows/s. */
function importTimeoutS(): number {
  return 120 + Math.ceil(importRows(process.argv.includes('--quick') || process.env[QUICK_ENV] === '1') / 60);
}

const TARGETS = {
  ingestRatio: 2,
  // Applied throughput at saturation against the store floor (the local runtime must not be the bottleneck).
  e2eFloorShare: 0.8,
  ackP99Ms: 50,
  importFloorShare: 0.5,
  lookupP99Ms: 10,
  returningWcu: 2,
  returningRcu: 2,
  initRatio: 1.5,
  usdPerMillion: 4,
  metricFloorRatio: 3,
  dashboardMs: 2000,
  athenaMbPerDay: 10,
};

interface PhaseOutcome {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly loadavgBefore: number;
  readonly loadavgAfter: number;
  readonly result?: any;
  readonly error?: string;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
};

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const runPhaseProcess = (phase: (typeof PHASES)[number], out: string, env: NodeJS.ProcessEnv): Promise<PhaseOutcome> =>
  new Promise((resolve) => {
    const started = Date.now();
    const loadavgBefore = loadavg()[0] as number;
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, phase.file), '--out', out], {
      cwd: ROOT,
      env,
      // stdout is the code under test's (the hub logs every webhook); progress comes on stderr.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.startsWith('[')) process.stderr.write(`  ${line}\n`);
    });
    const timer = setTimeout(() => {
      process.stderr.write(`  [${phase.name}] exceeded ${phase.timeoutS} s, stopping it\n`);
      child.kill('SIGKILL');
    }, phase.timeoutS * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const base = { durationMs: Date.now() - started, loadavgBefore, loadavgAfter: loadavg()[0] as number };
      try {
        const parsed = JSON.parse(readFileSync(out, 'utf8')) as { ok: boolean; result?: unknown; error?: string };
        resolve({ ...base, ok: parsed.ok, result: parsed.result, ...(parsed.error ? { error: parsed.error } : {}) });
      } catch {
        resolve({
          ...base,
          ok: false,
          error: `exited with ${signal ?? code} and no result; last output: ${tail.slice(-1500)}`,
        });
      }
    });
  });

const git = (...args: string[]): string | null => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

const pass = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'PASS' : 'MISS');

// ------------------------------------------------------------------ cost inputs

const findScenario = (capacity: any, label: string, kase: string) =>
  (capacity?.scenarios as any[] | undefined)?.find((s) => String(s.scenario).startsWith(label) && s.case === kase);

const buildProfiles = (
  phases: Partial<Record<PhaseName, PhaseOutcome>>,
): { profiles: EventProfile[]; notes: string[] } => {
  const notes: string[] = [];
  const ingest = phases['ingest-cpu']?.result;
  const bundles = phases.bundles?.result;
  const capacity = phases.capacity?.result;
  const e2e = phases.e2e?.result;
  const memoryOf = (fn: string) => {
    const m = (bundles?.functions as any[] | undefined)?.find((f) => f.function === fn)?.memoryMb;
    if (typeof m === 'number') return m;
    notes.push(`${fn} memory not measured; assumed 512 MB`);
    return 512;
  };
  const handlerMs = (connector: string) => {
    const us = (ingest?.connectors as any[] | undefined)?.find((c) => c.connector === connector)?.handlerUs;
    if (typeof us === 'number') return us / 1000;
    notes.push(`${connector} ingest CPU not measured; assumed 1 ms`);
    return 1;
  };
  let writerCpuMs = e2e?.runA?.consumerCpuMsPerEvent;
  if (typeof writerCpuMs !== 'number') {
    writerCpuMs = 5;
    notes.push('profile-writer CPU per event not measured; assumed 5 ms');
  }
  let appLogBytes = e2e?.runA?.logBytesPerWebhook;
  if (typeof appLogBytes !== 'number') {
    appLogBytes = 300;
    notes.push('application log bytes per webhook not measured; assumed 300');
  }
  const ingestMemoryMb = memoryOf('ingest');
  const writerMemoryMb = memoryOf('profile-writer');
  const profile = (label: string, connector: string, scenario: any): EventProfile | undefined => {
    if (!scenario) {
      notes.push(`no capacity figures for "${label}"`);
      return undefined;
    }
    const calls = scenario.callsPerEvent ?? {};
    return {
      label,
      ingestCpuMs: handlerMs(connector),
      ingestMemoryMb,
      eventBytes: scenario.transactionItemBytes?.[1] ?? 1500,
      writerCpuMs: writerCpuMs as number,
      writerMemoryMb,
      ...dynamoCallsOf(calls),
      wcu: scenario.wcu,
      rcu: scenario.rcu,
      appLogBytes: appLogBytes as number,
    };
  };
  const candidates = [
    profile(
      'Message, returning customer (WhatsApp)',
      'whatsapp',
      findScenario(capacity, 'message (WhatsApp)', 'returning'),
    ),
    profile('Message, fresh customer (WhatsApp)', 'whatsapp', findScenario(capacity, 'message (WhatsApp)', 'fresh')),
    profile('Call, returning customer (Binotel)', 'binotel', findScenario(capacity, 'call (Binotel)', 'returning')),
    profile('Lead, returning customer (Marquiz)', 'marquiz', findScenario(capacity, 'lead (Marquiz)', 'returning')),
    profile('Order, returning customer (Shopify)', 'shopify', findScenario(capacity, 'order (Shopify)', 'returning')),
  ];
  const profiles = candidates.filter((p): p is EventProfile => p !== undefined);
  const mix = e2e?.runA?.store;
  const base = profiles[0];
  if (base && typeof mix?.awsWcuPerEvent === 'number') {
    const c = mix.callsPerEvent ?? {};
    profiles.push({
      ...base,
      label: 'End-to-end mix (run A average, incl. fresh customers and merges)',
      wcu: mix.awsWcuPerEvent,
      rcu: mix.awsRcuPerEvent,
      ...dynamoCallsOf(c),
    });
  }
  return { profiles, notes };
};

// ------------------------------------------------------------------ report

interface Section {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  readonly digits: number;
  readonly notes: readonly string[];
}

interface Target {
  readonly target: string;
  readonly figure: string;
  readonly floor: string;
  readonly ratio: number | null;
  readonly verdict: string;
}

/** Label suffix of the cost columns priced with webhooks on a Lambda function URL. */
const URL_SUFFIX = ' — function URL';

/** The profiles each cost column was priced from, kept beside the results for projections. */
const PROFILE_OF = new WeakMap<CostResult, EventProfile>();
const profilesOf = (costs: readonly CostResult[]) => costs.map((c) => PROFILE_OF.get(c));

/** Every profile on the HTTP API, and the returning message and the mix again on a function URL. */
const priceProfiles = (profiles: readonly EventProfile[]): CostResult[] => {
  const priced = (p: EventProfile, a: CostAssumptions, suffix: string): CostResult => {
    const r = costPerMillion(p, a);
    const result = { ...r, label: `${r.label}${suffix}` };
    PROFILE_OF.set(result, p);
    return result;
  };
  return [
    ...profiles.map((p) => priced(p, DEFAULT_ASSUMPTIONS, '')),
    ...profiles
      .filter((p) => p.label.startsWith('Message, returning') || p.label.startsWith('End-to-end mix'))
      .map((p) => priced(p, FUNCTION_URL_ASSUMPTIONS, URL_SUFFIX)),
  ];
};

/** Write units of a returning message once the store's non-transactional path lands. */
const PROJECTED_RETURNING_WCU = 2;

/**
 * The returning message priced again at the store's target write units, from
 * this run's other figures: a projection, labelled as one, that equals the
 * measured column once the store spends that many.
 */
const buildProjection = (
  costs: readonly CostResult[],
  profiles: readonly (EventProfile | undefined)[],
): string | undefined => {
  const i = costs.findIndex((c) => c.label.startsWith('Message, returning') && c.label.endsWith(URL_SUFFIX));
  const profile = profiles[i];
  if (!profile || profile.wcu <= PROJECTED_RETURNING_WCU) return undefined;
  const at = (a: CostAssumptions) => round(costPerMillion({ ...profile, wcu: PROJECTED_RETURNING_WCU }, a).totalUsd, 2);
  return `Projection, not a measurement: the returning message at ${PROJECTED_RETURNING_WCU} WCU (the store's target; ${profile.wcu} measured in this run) would cost $${at(FUNCTION_URL_ASSUMPTIONS)} per million on a function URL, $${at(DEFAULT_ASSUMPTIONS)} on the HTTP API.`;
};

/** The tables of the run and the targets, shared by the terminal output and docs/benchmarks.md. */
const buildSections = (
  phases: Partial<Record<PhaseName, PhaseOutcome>>,
  costs: CostResult[],
): { sections: Section[]; targets: Target[] } => {
  const sections: Section[] = [];
  const targets: Target[] = [];
  for (const [name, outcome] of Object.entries(phases)) {
    if (!outcome.ok)
      sections.push({
        title: `${name}: FAILED`,
        header: ['error'],
        rows: [[outcome.error ?? 'unknown']],
        digits: 0,
        notes: [],
      });
  }
  const ingest = phases['ingest-cpu'];
  if (ingest?.ok) {
    const connectors = ingest.result.connectors as any[];
    sections.push({
      title:
        '1. Ingest CPU per connector (µs per webhook, summed over its fixtures; ratio = geometric mean of the per-fixture paired ratios)',
      header: [
        'connector',
        'fixtures',
        'pipeline µs',
        'floor µs',
        'ratio',
        'worst fixture',
        'largest stages',
        'handler µs',
        `≤ ${TARGETS.ingestRatio}×`,
      ],
      rows: connectors.map((c): Cell[] => [
        c.connector,
        c.fixtures,
        c.pipelineUs,
        c.floorUs,
        c.ratio,
        c.worst ? `${c.worst.fixture} ${c.worst.ratio}×` : null,
        Object.entries(c.stageShare ?? {})
          .filter(([, v]) => typeof v === 'number')
          .sort((a, b) => (b[1] as number) - (a[1] as number))
          .slice(0, 2)
          .map(([k, v]) => `${k} ${Math.round((v as number) * 100)}%`)
          .join(', '),
        c.handlerUs,
        pass(c.ratio === null ? null : c.ratio <= TARGETS.ingestRatio),
      ]),
      digits: 1,
      notes: connectors.filter((c) => c.skipped?.length).map((c) => `${c.connector} skipped: ${c.skipped.join('; ')}`),
    });
    const misses = connectors.filter((c) => !(c.ratio <= TARGETS.ingestRatio));
    targets.push({
      target: `Ingest CPU within ${TARGETS.ingestRatio}× of its floor, every connector`,
      figure: `${connectors.length - misses.length} of ${connectors.length} within; median ratio ${round(median(connectors.map((c) => c.ratio).filter((x): x is number => typeof x === 'number')), 1)}×`,
      floor: 'JSON.parse + HMAC-SHA256, same bytes',
      ratio: round(Math.max(...connectors.map((c) => c.ratio ?? 0)), 2),
      verdict: pass(misses.length === 0),
    });
  }
  const e2e = phases.e2e;
  if (e2e?.ok) {
    const r = e2e.result;
    sections.push({
      title: `2. End to end on the local runtime (store floor ${r.floor.perSecond} events/s of the hub's own writes per event at ${r.floor.concurrency} in flight = mean of ${r.floor.a.perSecond} and ${r.floor.b.perSecond}, spread ${r.floor.spreadPercent} %)`,
      header: [
        'run',
        'webhooks',
        'acked/s',
        'ack p50 ms',
        'ack p95',
        'ack p99',
        'applied/s',
        '÷ floor',
        'ack→commit p50 ms',
        'p99',
        'API-visible p50 ms',
        'p99',
        'merges',
        'max backlog',
      ],
      rows: [
        [
          'A saturation',
          r.runA.requests,
          r.runA.ackPerSecond,
          r.runA.ackLatencyMs.p50,
          r.runA.ackLatencyMs.p95,
          r.runA.ackLatencyMs.p99,
          r.runA.appliedPerSecond,
          r.runA.ratioToFloor,
          r.runA.ackToCommittedMs.p50,
          r.runA.ackToCommittedMs.p99,
          null,
          null,
          r.runA.merges,
          r.runA.maxBacklog,
        ],
        [
          `B paced ${r.runB.offeredPerSecond}/s`,
          r.runB.requests,
          r.runB.ackPerSecond,
          r.runB.ackLatencyMs.p50,
          r.runB.ackLatencyMs.p95,
          r.runB.ackLatencyMs.p99,
          r.runB.appliedPerSecond,
          round(r.runB.appliedPerSecond / r.floor.perSecond, 2),
          r.runB.ackToCommittedMs.p50,
          r.runB.ackToCommittedMs.p99,
          r.runB.visibleThroughApiMs.p50,
          r.runB.visibleThroughApiMs.p99,
          r.runB.merges,
          r.runB.maxBacklog,
        ],
      ],
      digits: 2,
      notes: [
        `Mix of run A: ${Object.entries(r.mix.byKind)
          .map(([k, v]) => `${v} ${k}s`)
          .join(
            ', ',
          )} from ${Object.keys(r.mix.byConnector).length} connectors; failed requests A ${JSON.stringify(r.runA.failed)}, B ${JSON.stringify(r.runB.failed)}; dead letters ${r.deadLetters}.`,
        `Store calls per event ${JSON.stringify(r.runA.store.callsPerEvent)}; hub-process CPU after the last acknowledgement (consumer only) ${r.runA.consumerCpuMsPerEvent} ms per event; ${r.runB.visibleThroughApiMs.probes} read-API probes in run B (${r.runB.visibleThroughApiMs.timedOut} timed out).`,
        `Floor writes per event ${JSON.stringify(r.floor.a.callsPerEvent)} (${r.floor.perSecondByConcurrency ? `events/s by parallelism ${JSON.stringify(r.floor.perSecondByConcurrency)}` : ''}). CPU ms per event: floor ${JSON.stringify(r.floor.a.cpu)}; run A ${JSON.stringify(r.runA.cpu)}.`,
      ],
    });
    targets.push({
      target: `Hub sustains ≥ ${TARGETS.e2eFloorShare}× the store floor`,
      figure: `${r.runA.appliedPerSecond} events/s applied (run A)`,
      floor: `${r.floor.perSecond} events/s`,
      ratio: r.runA.ratioToFloor,
      verdict: pass(r.runA.ratioToFloor !== null && r.runA.ratioToFloor >= TARGETS.e2eFloorShare),
    });
    targets.push({
      target: `p99 acknowledgement < ${TARGETS.ackP99Ms} ms at half the floor`,
      figure: `p99 ${r.runB.ackLatencyMs.p99} ms at ${r.runB.offeredPerSecond}/s (applied ${r.runB.appliedPerSecond}/s)`,
      floor: `${TARGETS.ackP99Ms} ms`,
      ratio: round(r.runB.ackLatencyMs.p99 / TARGETS.ackP99Ms, 2),
      verdict: pass(r.runB.ackLatencyMs.p99 !== null && r.runB.ackLatencyMs.p99 < TARGETS.ackP99Ms),
    });
  }
  const importLookup = phases['import-lookup'];
  if (importLookup?.ok) {
    const r = importLookup.result;
    sections.push({
      title: `Bulk import and caller recognition (store floor ${r.floor.perSecond} transactions/s of the import's shapes, concurrency ${r.floor.concurrency})`,
      header: ['measure', 'count', 'per second', 'seconds', '÷ floor', 'p50 ms', 'p95', 'p99', 'floor p99 ms'],
      rows: [
        [
          'dry run (CSV → plan, no store)',
          r.dryRun.rows,
          r.dryRun.rowsPerSecond,
          r.dryRun.seconds,
          null,
          null,
          null,
          null,
          null,
        ],
        [
          'import rows sent (POST /v1/imports)',
          r.import.rows,
          r.import.sentRowsPerSecond,
          null,
          null,
          null,
          null,
          null,
          null,
        ],
        [
          'import events applied',
          r.import.events,
          r.import.appliedEventsPerSecond,
          r.import.seconds,
          r.ratioToFloor,
          null,
          null,
          null,
          null,
        ],
        [
          'GET /v1/lookup (one at a time)',
          r.lookup.requests,
          null,
          null,
          null,
          r.lookup.latencyMs.p50,
          r.lookup.latencyMs.p95,
          r.lookup.latencyMs.p99,
          r.getItemFloor.latencyMs.p99,
        ],
        [
          'bare GetItem (floor)',
          r.getItemFloor.requests,
          null,
          null,
          null,
          r.getItemFloor.latencyMs.p50,
          r.getItemFloor.latencyMs.p95,
          r.getItemFloor.latencyMs.p99,
          null,
        ],
      ],
      digits: 2,
      notes: [
        `Import of ${r.import.rows} generated rows (a third with a past order); ${r.import.cpuMsPerRow} ms hub-process CPU per row. BENCH_IMPORT_ROWS=100000 for the issue's size.`,
      ],
    });
    targets.push({
      target: `Import applies ≥ ${TARGETS.importFloorShare}× the store floor`,
      figure: `${r.import.appliedEventsPerSecond} events/s (${r.import.appliedRowsPerSecond} rows/s, ${r.import.rows} rows)`,
      floor: `${r.floor.perSecond} transactions/s`,
      ratio: r.ratioToFloor,
      verdict: pass(r.ratioToFloor !== null && r.ratioToFloor >= TARGETS.importFloorShare),
    });
    targets.push({
      target: `GET /v1/lookup p99 < ${TARGETS.lookupP99Ms} ms`,
      figure: `p99 ${r.lookup.latencyMs.p99} ms (bare GetItem p99 ${r.getItemFloor.latencyMs.p99} ms)`,
      floor: `${TARGETS.lookupP99Ms} ms`,
      ratio: round(r.lookup.latencyMs.p99 / TARGETS.lookupP99Ms, 2),
      verdict: pass(r.lookup.latencyMs.p99 !== null && r.lookup.latencyMs.p99 < TARGETS.lookupP99Ms),
    });
  }
  const capacity = phases.capacity;
  if (capacity?.ok) {
    sections.push({
      title:
        '3. DynamoDB capacity per event (AWS billing rules on the observed item sizes; DynamoDB Local’s own report beside it)',
      header: ['scenario', 'WCU', 'RCU', 'Local WCU', 'Local RCU', 'calls', 'transaction item bytes'],
      rows: (capacity.result.scenarios as any[]).map((s): Cell[] => [
        s.scenario,
        s.wcu,
        s.rcu,
        s.reportedWcu,
        s.reportedRcu,
        Object.entries(s.callsPerEvent)
          .map(([k, v]) => `${k}×${v}`)
          .join(' '),
        (s.transactionItemBytes as number[]).join('/'),
      ]),
      digits: 2,
      notes: [],
    });
    const returning = findScenario(capacity.result, 'message (WhatsApp)', 'returning');
    if (returning) {
      targets.push({
        target: `Returning customer's message ≤ ${TARGETS.returningWcu} WCU and ≤ ${TARGETS.returningRcu} RCU`,
        figure: `${returning.wcu} WCU, ${returning.rcu} RCU`,
        floor: `${TARGETS.returningWcu} WCU, ${TARGETS.returningRcu} RCU`,
        ratio: round(Math.max(returning.wcu / TARGETS.returningWcu, returning.rcu / TARGETS.returningRcu), 2),
        verdict: pass(returning.wcu <= TARGETS.returningWcu && returning.rcu <= TARGETS.returningRcu),
      });
    }
  }
  const bundles = phases.bundles;
  if (bundles?.ok) {
    const fns = (bundles.result.functions as any[]).filter((f) => !f.error);
    const parityMisses = Object.entries(bundles.result.parity ?? {}).filter(([, ok]) => !ok);
    sections.push({
      title: `4. Bundles and cold start (init = import() in a fresh node ${bundles.result.nodeOptions ?? ''}, median of ${bundles.result.repeats})`,
      header: [
        'function',
        'MB',
        'init KiB',
        'floor KiB',
        'size ×',
        'init ms',
        'floor ms',
        'init ×',
        'init × w/o maps',
        'lazy KiB',
        'first use of the heaviest lazy module',
        'bundled, not granted',
        'largest modules at init (KiB)',
        `≤ ${TARGETS.initRatio}×`,
      ],
      rows: (bundles.result.functions as any[]).map((f): Cell[] =>
        f.error
          ? [
              f.function,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              `error: ${String(f.error).split('\n')[0]?.slice(0, 80)}`,
              null,
              'n/a',
            ]
          : [
              f.function,
              f.memoryMb,
              round(f.bundleBytes / 1024, 0),
              round(f.floorBundleBytes / 1024, 0),
              f.sizeRatio,
              f.initMs,
              f.floorInitMs,
              f.initRatio,
              f.initRatioWithoutSourceMaps,
              typeof f.lazyBytes === 'number' ? round(f.lazyBytes / 1024, 0) : null,
              f.heaviestLazyModule
                ? `${String(f.heaviestLazyModule.module).replace(/^functions\/|\/index\.ts$/g, '')} ${f.heaviestLazyModule.kib} KiB, +${f.heaviestLazyModule.firstLoadMs} ms`
                : null,
              (f.bundledNotGranted ?? []).join(', ') || null,
              (f.topContributors as { module: string; kib: number }[])
                .slice(0, 3)
                .map((m) => `${m.module} ${m.kib}`)
                .join(', '),
              pass(f.initRatio <= TARGETS.initRatio),
            ],
      ),
      digits: 1,
      notes: parityMisses.length
        ? [
            `PARITY WARNING: lib/constructs/hub-function.ts no longer matches: ${parityMisses.map(([k]) => k).join(', ')}`,
          ]
        : [],
    });
    const worst = Math.max(...fns.map((f) => f.initRatio ?? 0));
    targets.push({
      target: `Init within ${TARGETS.initRatio}× of an SDK-only handler, every function`,
      figure: `${fns.filter((f) => f.initRatio <= TARGETS.initRatio).length} of ${fns.length} within`,
      floor: 'same SDK clients, empty handler',
      ratio: round(worst, 2),
      verdict: pass(fns.length > 0 && worst <= TARGETS.initRatio),
    });
  }
  const analytics = phases.analytics;
  if (analytics?.ok) {
    const a = analytics.result;
    sections.push({
      title: `6. Analytics: each metric on DuckDB over ${a.events} events of ${a.customers} customers (${a.days} days), 30-day dashboard by day, beside a bare scan of the same data (${a.floorMs} ms); bytes Athena would scan from the dt/type Parquet layout (${a.files} files, ${round(a.parquetBytes / 1024 / 1024, 1)} MB)`,
      header: [
        'metric',
        'ms',
        '× floor',
        'columns read',
        'MB scanned (1 day)',
        'MB (7 days)',
        'MB (30 days)',
        `≤ ${TARGETS.metricFloorRatio}×`,
      ],
      rows: (a.metrics as any[]).map((m): Cell[] => [
        m.metric,
        m.ms,
        m.ratio,
        m.columns,
        round(m.bytes1d / 1024 / 1024, 2),
        round(m.bytes7d / 1024 / 1024, 2),
        round(m.bytes30d / 1024 / 1024, 2),
        pass(m.ratio <= TARGETS.metricFloorRatio),
      ]),
      digits: 2,
      notes: [
        `Whole dashboard: ${a.dashboardMs} ms with the resolved snapshot current, ${a.coldDashboardMs} ms right after she adds an order, ${a.mergeDashboardMs} ms right after a merge (the snapshot applies the write first; taking it whole, once per process, ${a.snapshotMs} ms).`,
        `count(*) alone: ${a.countMs} ms (table metadata); over the ${a.files} exported Parquet files: ${a.parquetCountMs} ms.`,
        ...(a.athena as any[]).map(
          (r) =>
            `Athena per dashboard refresh over ${r.days} day(s): ${round(r.scannedBytes / 1024 / 1024, 1)} MB scanned (${r.scannedMbPerDay} MB per day), ${round(r.billedBytes / 1024 / 1024, 1)} MB billed with the 10 MB minimum per query.`,
        ),
      ],
    });
    const misses = (a.metrics as any[]).filter((m) => !(m.ratio <= TARGETS.metricFloorRatio));
    targets.push({
      target: `Each metric within ${TARGETS.metricFloorRatio}× of a bare DuckDB scan`,
      figure: `${a.metrics.length - misses.length} of ${a.metrics.length} within${misses.length ? `; worst ${misses.sort((x: any, y: any) => y.ratio - x.ratio)[0].metric}` : ''}`,
      floor: `${a.floorMs} ms scan`,
      ratio: round(Math.max(...(a.metrics as any[]).map((m) => m.ratio)), 2),
      verdict: pass(misses.length === 0),
    });
    targets.push({
      target: `Whole dashboard under ${TARGETS.dashboardMs} ms (DuckDB)`,
      figure: `${a.dashboardMs} ms (${a.coldDashboardMs} ms after a write)`,
      floor: `${TARGETS.dashboardMs} ms`,
      ratio: round(a.coldDashboardMs / TARGETS.dashboardMs, 2),
      verdict: pass(a.coldDashboardMs < TARGETS.dashboardMs),
    });
    const month = (a.athena as any[]).find((r) => r.days === 30);
    targets.push({
      target: `Athena ≤ ${TARGETS.athenaMbPerDay} MB scanned per day of data queried (30-day dashboard)`,
      figure: `${month?.scannedMbPerDay} MB/day scanned; 1-day dashboard ${(a.athena as any[])[0]?.scannedMbPerDay} MB/day`,
      floor: `${TARGETS.athenaMbPerDay} MB/day`,
      ratio: round((month?.scannedMbPerDay ?? 0) / TARGETS.athenaMbPerDay, 2),
      verdict: pass((month?.scannedMbPerDay ?? Infinity) <= TARGETS.athenaMbPerDay),
    });
  }
  if (costs.length) {
    const items = costs[0]?.lines.map((l) => l.item.replace(/ \(.*\)$/, '')) ?? [];
    const a = DEFAULT_ASSUMPTIONS;
    const returning = costs.find((c) => c.label.startsWith('Message, returning') && c.label.endsWith(URL_SUFFIX));
    const projection = buildProjection(costs, profilesOf(costs));
    sections.push({
      title: `5. $ per million events (${PRICES.region} list prices of ${PRICES.date}; assumptions in results.json)`,
      header: [
        'line',
        ...costs.map((c) =>
          c.label
            .replace(/ \([^)]*\)/, '')
            .replace(', returning customer', ', returning')
            .replace(', fresh customer', ', fresh'),
        ),
      ],
      rows: [
        ...items.map((item, i) => [item, ...costs.map((c) => round(c.lines[i]?.usd ?? Number.NaN, 3))]),
        ['TOTAL $ per million', ...costs.map((c) => round(c.totalUsd, 2))],
      ],
      digits: 3,
      notes: [
        `Ingest billed ${costs[0]?.ingestBilledMs} ms per webhook; profile writer ${costs[0]?.writerBatchBilledMs} ms per batch of ${a.batchSize}.`,
        `Columns without "${URL_SUFFIX.trim()}" take webhooks on the HTTP API ($1.00 per million requests, access log); "${URL_SUFFIX.trim()}" on a Lambda function URL (no per-request charge, no access log).`,
        `Logs: Powertools at ${a.logLevel} with ${a.logSampleRate * 100} % of invocations sampled in full (the per-webhook INFO lines are written for that share), Lambda's START/END/REPORT in Text format (${a.platformLogBytesPerInvocation} B), 26 B per log event. X-Ray: the stage's rule, ${a.traceReservoirPerSecond}/s + ${a.traceSampleRate * 100} % = ${round(traceShare(a) * 100, 2)} % of requests at ${a.ratePerSecond}/s.`,
        ...(projection ? [projection] : []),
      ],
    });
    // Outbound: $ per million messages sent, vendors' prices excluded (model in bench/cost.ts).
    const outbound = senderCostPerMillion();
    sections.push({
      title: `5b. $ per million outbound messages sent (vendors' prices excluded; ${PRICES.region}, ${PRICES.date})`,
      header: ['line', 'usd'],
      rows: [
        ...outbound.lines.map((l) => [l.item.replace(/ \(.*\)$/, ''), round(l.usd, 3)]),
        ['TOTAL $ per million', round(outbound.totalUsd, 2)],
      ],
      digits: 3,
      notes: [
        `api ${outbound.ingestBilledMs} ms per request; sender ${outbound.writerBatchBilledMs} ms per batch of ${DEFAULT_ASSUMPTIONS.batchSize} with the vendor's answer awaited (assumptions: DEFAULT_OUTBOUND_PROFILE).`,
      ],
    });
    if (returning) {
      targets.push({
        target: `Under $${TARGETS.usdPerMillion} per million returning-customer messages (function URL)`,
        figure: `$${round(returning.totalUsd, 2)} (${returning.label})`,
        floor: `$${TARGETS.usdPerMillion}`,
        ratio: round(returning.totalUsd / TARGETS.usdPerMillion, 2),
        verdict: pass(returning.totalUsd < TARGETS.usdPerMillion),
      });
    }
  }
  const automations = phases.automations;
  if (automations?.ok) {
    // Automations: $ per million runs from the calls the production runner made (bench/automations.ts).
    const run = automations.result.run;
    const cost = automationCostPerMillion({ label: run.scenario, memoryMb: 256, appLogBytes: 0, ...run });
    const message = senderCostPerMillion();
    sections.push({
      title: `5c. $ per million automation runs (${PRICES.region}, ${PRICES.date})`,
      header: ['line', 'usd'],
      rows: [
        ...cost.lines.map((l) => [l.item, round(l.usd, 3)]),
        ['TOTAL $ per million runs', round(cost.totalUsd, 2)],
        ['with the message it requests delivered (5b)', round(cost.totalUsd + message.totalUsd, 2)],
      ],
      digits: 3,
      notes: [
        `Run: ${run.scenario}; measured on the production runner over ${run.samples} runs: DynamoDB calls ${JSON.stringify(run.dynamoCalls)}, Scheduler ${JSON.stringify(run.schedulerCalls)}, ${run.putEventsEntries} PutEvents entries of ~${run.putEventsBytes} B, runner CPU ${run.cpuMs} ms per run on this machine.`,
        `Lambda ${cost.writerBatchBilledMs} ms per batch of ${DEFAULT_ASSUMPTIONS.batchSize}. Not here: the sender's delivery (5b) and the profile writer applying cart.abandoned and automation.triggered (5).`,
      ],
    });
  }
  return { sections, targets };
};

const TARGET_HEADER = ['target', 'figure', 'floor / limit', 'ratio', 'verdict'];
const targetRows = (targets: readonly Target[]): Cell[][] =>
  targets.map((t) => [t.target, t.figure, t.floor, t.ratio, t.verdict]);

const printReport = (sections: readonly Section[], targets: readonly Target[]): void => {
  for (const s of sections) {
    say(`\n${s.title}`);
    say(formatTable(s.header, s.rows, s.digits));
    for (const n of s.notes) say(`   ${n}`);
  }
  say('\nTargets');
  say(formatTable(TARGET_HEADER, targetRows(targets)));
};

/** The generated block of docs/benchmarks.md. */
const markdownReport = (
  sections: readonly Section[],
  targets: readonly Target[],
  meta: { generatedAt: string; machine: string; durationSeconds: number | null; commit: string | null },
): string =>
  [
    `_Generated by \`npm run bench\` on ${meta.generatedAt.slice(0, 16).replace('T', ' ')} UTC (${meta.machine}; ${meta.durationSeconds} s${meta.commit ? `; commit ${meta.commit.slice(0, 7)}` : ''}). Raw figures: [bench/results.json](../bench/results.json)._`,
    '',
    '### Targets',
    '',
    markdownTable(TARGET_HEADER, targetRows(targets)),
    ...sections.flatMap((s) => [
      '',
      `### ${s.title}`,
      '',
      markdownTable(s.header, s.rows, s.digits),
      ...(s.notes.length ? ['', ...s.notes.map((n) => `- ${n}`)] : []),
    ]),
  ].join('\n');

// ------------------------------------------------------------------ main

/** The doc block and the terminal tables from an existing results file (`--render [file]`), without running anything. */
const render = (file: string): void => {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    generatedAt: string;
    durationSeconds: number | null;
    machine: { cpus: number; cpuModel: string | null; node: string; loadavgStart: number[]; loadavgEnd: number[] };
    git: { commit: string | null };
    phases: Record<
      string,
      {
        ok: boolean;
        durationSeconds: number;
        loadavgBefore: number;
        loadavgAfter: number;
        error?: string;
        result: unknown;
      }
    >;
  };
  const phases: Partial<Record<PhaseName, PhaseOutcome>> = {};
  for (const [name, p] of Object.entries(saved.phases)) {
    phases[name as PhaseName] = {
      ok: p.ok,
      durationMs: p.durationSeconds * 1000,
      loadavgBefore: p.loadavgBefore,
      loadavgAfter: p.loadavgAfter,
      result: p.result,
      ...(p.error ? { error: p.error } : {}),
    };
  }
  const { profiles } = buildProfiles(phases);
  const { sections, targets } = buildSections(phases, priceProfiles(profiles));
  printReport(sections, targets);
  writeDocs(sections, targets, saved);
};

const writeDocs = (
  sections: readonly Section[],
  targets: readonly Target[],
  results: {
    generatedAt: string;
    durationSeconds: number | null;
    machine: {
      cpus: number;
      cpuModel: string | null;
      node: string;
      loadavgStart: (number | null)[];
      loadavgEnd: (number | null)[];
    };
    git: { commit: string | null };
  },
): void => {
  const docPath = join(ROOT, 'docs/benchmarks.md');
  const machine = `${results.machine.cpus} × ${results.machine.cpuModel ?? 'cpu'}, Node ${results.machine.node}, load average ${results.machine.loadavgStart[0]} → ${results.machine.loadavgEnd[0]}`;
  const block = markdownReport(sections, targets, {
    generatedAt: results.generatedAt,
    machine,
    durationSeconds: results.durationSeconds,
    commit: results.git.commit,
  });
  const doc = existsSync(docPath) ? replaceBetween(readFileSync(docPath, 'utf8'), 'bench:results', block) : undefined;
  if (doc) {
    writeFileSync(docPath, doc);
    say(`Updated the results section of ${docPath}.`);
  } else say('docs/benchmarks.md has no <!-- bench:results:start/end --> markers; its tables were not updated.');
};

const main = async () => {
  if (process.argv.includes('--render')) {
    const file = arg('--render');
    return render(file && !file.startsWith('--') ? file : DEFAULT_OUT);
  }
  const started = Date.now();
  // Lambda runs Node 22; the SDK's notice that Node 20 support ends is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const quick = process.argv.includes('--quick');
  const only = arg('--only')
    ?.split(',')
    .map((s) => s.trim());
  const outFile = arg('--out') ?? DEFAULT_OUT;
  const selected = PHASES.filter((p) => !only || only.includes(p.name));
  if (selected.length === 0) throw new Error(`--only names none of ${PHASES.map((p) => p.name).join(', ')}`);
  const tmp = mkdtempSync(join(tmpdir(), 'omnihub-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...(quick ? { [QUICK_ENV]: '1' } : {}) };
  const phases: Partial<Record<PhaseName, PhaseOutcome>> = {};
  let dynamo: DynamoDbLocal | undefined;
  const loadStart = loadavg();
  say(
    `Omnihub benchmarks${quick ? ' (quick)' : ''}: ${selected.map((p) => p.name).join(', ')} on ${cpus().length} cores, load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  try {
    if (selected.some((p) => p.dynamo)) {
      dynamo = await startDynamoDbLocal({ startTimeoutMs: 60_000 });
      env[DYNAMO_ENDPOINT_ENV] = dynamo.endpoint;
      // So a phase can meter the JVM's CPU (e2e's CPU budget per event).
      if (dynamo.pid !== undefined) env[DYNAMO_PID_ENV] = String(dynamo.pid);
    }
    for (const phase of selected) {
      process.stderr.write(`▶ ${phase.name}\n`);
      const outcome = await runPhaseProcess(phase, join(tmp, `${phase.name}.json`), env);
      phases[phase.name] = outcome;
      process.stderr.write(
        `  ${phase.name}: ${outcome.ok ? 'done' : `FAILED (${outcome.error})`} in ${(outcome.durationMs / 1000).toFixed(1)} s, load ${outcome.loadavgBefore.toFixed(2)} → ${outcome.loadavgAfter.toFixed(2)}\n`,
      );
    }
  } finally {
    await dynamo?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }

  const { profiles, notes } = buildProfiles(phases);
  const costs = profiles.length ? priceProfiles(profiles) : [];
  const { sections, targets } = buildSections(phases, costs);
  printReport(sections, targets);
  const results = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick,
    durationSeconds: round((Date.now() - started) / 1000, 1),
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryGb: round(totalmem() / 1024 ** 3, 1),
      loadavgStart: loadStart.map((l) => round(l, 2)),
      loadavgEnd: loadavg().map((l) => round(l, 2)),
    },
    git: { commit: git('rev-parse', 'HEAD'), dirty: (git('status', '--porcelain') ?? '').length > 0 },
    targets,
    phases: Object.fromEntries(
      Object.entries(phases).map(([name, o]) => [
        name,
        {
          ok: o.ok,
          durationSeconds: round(o.durationMs / 1000, 1),
          loadavgBefore: round(o.loadavgBefore, 2),
          loadavgAfter: round(o.loadavgAfter, 2),
          ...(o.error ? { error: o.error } : {}),
          result: o.result ?? null,
        },
      ]),
    ),
    cost: {
      prices: PRICES,
      assumptions: DEFAULT_ASSUMPTIONS,
      functionUrlAssumptions: FUNCTION_URL_ASSUMPTIONS,
      notes,
      perMillion: costs.map((c) => ({
        label: c.label,
        totalUsd: round(c.totalUsd, 3),
        ingestBilledMs: c.ingestBilledMs,
        writerBatchBilledMs: c.writerBatchBilledMs,
        lines: c.lines.map((l) => ({
          item: l.item,
          quantity: round(l.quantity, 3),
          unit: l.unit,
          usd: round(l.usd, 4),
        })),
      })),
    },
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  say(`\nWrote ${outFile} in ${results.durationSeconds} s.`);
  // A full run of every phase into the committed results file also refreshes the doc's tables.
  if (!quick && !only && outFile === DEFAULT_OUT && !process.argv.includes('--no-docs'))
    writeDocs(sections, targets, results);
  if (Object.values(phases).some((p) => !p.ok)) process.exitCode = 1;
};

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
