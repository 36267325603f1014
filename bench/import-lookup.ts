/**
 * Phase: bulk import and caller recognition on the local runtime (the real
 * hub in this process, on the shared DynamoDB Local).
 *
 * 0. Dry run: 100 000 generated rows as CSV text, parsed and planned
 *    (`omnihub import --dry-run`'s code, no store): the CPU side alone.
 * 1. Import: a generated base of fresh customers, a third with a past order
 *    (20 000 rows, `BENCH_IMPORT_ROWS` to change it — 100 000 takes about
 *    20 minutes on DynamoDB Local's ~180 transactions/s; 1 500 under
 *    BENCH_QUICK), goes through the code of
 *    `omnihub import` (`runImport`: CSV → plan → batches of
 *    `POST /v1/imports`) and the profile writer until the queues drained.
 *    Its applied events/s are compared with the store floor measured right
 *    before it — raw `TransactWriteItems` of the shapes the hub wrote during
 *    a warm-up import (bench/lib/store-floor.ts). Target ≥ 0.5×.
 * 2. Lookup: `GET /v1/lookup?phone=` for imported customers (national
 *    spellings, one request at a time) against a floor of a bare `GetItem`
 *    of the same caller cards (the one key read the lookup makes) from this
 *    process. Target p99 < 10 ms.
 */
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cardKey } from '../functions/domain/caller-card.js';
import { startLocalHub } from '../functions/runtime/local/local-hub.js';
import { readCsvRecords, runImport } from '../bin/support/import-file.js';
import type { HubEvent } from '../functions/events/hub-event.js';
import { DynamoMeter } from './lib/dynamo-meter.js';
import { benchDynamo, isEntry, isQuick, progress, runPhase } from './lib/phase.js';
import { round, summarize, type Summary } from './lib/stats.js';
import { runStoreFloor } from './lib/store-floor.js';

const PHASE = 'import-lookup';
// At least 24 bytes: the hub refuses weaker tokens (functions/connectors/shared/secret-strength.ts).
const API_TOKEN = 'bench-api-token-of-24-bytes-or-more';
const SIZES = {
  full: { rows: 20_000, warmupRows: 2_000, floorTransactions: 4_000, lookups: 2_000 },
  quick: { rows: 1_500, warmupRows: 300, floorTransactions: 1_000, lookups: 300 },
};
/** Rows of the dry run (planning only), in every run. */
const DRY_RUN_ROWS = 100_000;

/** Rows of the stored import: `BENCH_IMPORT_ROWS`, else the size's default. */
export const importRows = (quick: boolean, env: NodeJS.ProcessEnv = process.env): number => {
  const n = Number(env.BENCH_IMPORT_ROWS);
  return Number.isInteger(n) && n > 0 ? n : quick ? SIZES.quick.rows : SIZES.full.rows;
};
// As the e2e phase's floor, so the two ratios compare.
const FLOOR_CONCURRENCY = 10;

const MAPPING = {
  currency: 'UAH',
  columns: {
    'Client ID': 'externalId',
    Name: 'trait:name',
    Phone: 'phone',
    Email: 'email',
    City: 'trait:city',
    Order: 'order.id',
    Total: 'order.total',
    Date: 'order.date',
  },
} as const;

/** Row `i` of a generated base: a unique Ukrainian mobile number and email, every third row with a past order. */
const phoneOf = (run: number, i: number) => `0${50 + run}${String(1_000_000 + i).slice(-7)}`;
const generate = (run: number, rows: number): string[][] => [
  Object.keys(MAPPING.columns),
  ...Array.from({ length: rows }, (_, i) => [
    `K${run}-${i}`,
    `Customer ${i}`,
    phoneOf(run, i),
    `c${run}.${i}@example.com`,
    ['Kyiv', 'Lviv', 'Odesa', 'Dnipro'][i % 4] as string,
    i % 3 === 0 ? `o${i}` : '',
    i % 3 === 0 ? `${(i % 50) * 100 + 99},50` : '',
    i % 3 === 0 ? `${String((i % 28) + 1).padStart(2, '0')}.0${(i % 9) + 1}.2025` : '',
  ]),
];

const latency = (s: Summary) => ({
  p50: round(s.p50, 2),
  p95: round(s.p95, 2),
  p99: round(s.p99, 2),
  max: round(s.max, 2),
});

export const runImportLookup = async () => {
  const size = { ...(isQuick() ? SIZES.quick : SIZES.full), rows: importRows(isQuick()) };
  progress(PHASE, `dry run of ${DRY_RUN_ROWS} rows (CSV text → plan)`);
  const csv = generate(9, DRY_RUN_ROWS)
    .map((r) => r.join(';'))
    .join('\r\n');
  const dryStarted = performance.now();
  const dry = await runImport({
    records: readCsvRecords(csv),
    mapping: MAPPING,
    ctx: {
      source: 'bench-dry',
      asOf: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      defaultCountry: 'UA',
    },
    dryRun: true,
    send: async () => undefined,
  });
  const drySeconds = (performance.now() - dryStarted) / 1000;
  if (dry.rejectedRows.length)
    throw new Error(`${dry.rejectedRows.length} generated rows were rejected by the dry run`);
  const dynamo = await benchDynamo();
  const stamp = Date.now().toString(36);
  const tableName = `bench-import-${stamp}`;
  const hub = await startLocalHub({ port: 0, dynamo, tableName, apiToken: API_TOKEN, subscriptions: [], env: {} });
  const floorClient = dynamo.client();
  const meter = new DynamoMeter({ requestCapacity: false, keepTransactionShapes: 5000 }).attach(hub.dynamoClient);
  const send = async (events: HubEvent[]) => {
    const res = await fetch(`${hub.url}/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    if (res.status !== 202) throw new Error(`POST /v1/imports answered ${res.status}: ${await res.text()}`);
  };
  const importBase = async (run: number, rows: number) => {
    const records = generate(run, rows);
    const started = performance.now();
    const report = await runImport({
      records,
      mapping: MAPPING,
      ctx: {
        source: `bench-${stamp}`,
        asOf: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        defaultCountry: 'UA',
      },
      dryRun: false,
      send,
      progressEvery: Math.max(1000, Math.round(rows / 10)),
      onProgress: (p) =>
        progress(PHASE, `run ${run}: ${p.rows}/${p.total} rows sent, ${Math.round(p.rows / p.seconds)} rows/s`),
    });
    const sentSeconds = (performance.now() - started) / 1000;
    await hub.idle();
    const seconds = (performance.now() - started) / 1000;
    return { report, sentSeconds, seconds };
  };
  try {
    progress(PHASE, 'warming up DynamoDB Local and the hub');
    await runStoreFloor(floorClient, {
      tableName: `bench-import-floor-warm-${stamp}`,
      run: 'w',
      transactions: size.floorTransactions,
      concurrency: FLOOR_CONCURRENCY,
      shapes: [],
    });
    await importBase(1, size.warmupRows);
    const shapes = meter.transactionShapes.splice(0);
    progress(PHASE, `store floor (${size.floorTransactions} transactions of the import's shapes)`);
    const floor = await runStoreFloor(floorClient, {
      tableName: `bench-import-floor-${stamp}`,
      run: 'f',
      transactions: size.floorTransactions,
      concurrency: FLOOR_CONCURRENCY,
      shapes,
    });
    progress(PHASE, `importing ${size.rows} rows`);
    // Where the import's time goes: the store calls the hub makes per row (and their wall time), beside the CPU.
    meter.reset();
    const cpuBefore = process.cpuUsage();
    const { report, sentSeconds, seconds } = await importBase(2, size.rows);
    const cpu = process.cpuUsage(cpuBefore);
    const calls = meter.snapshot().commands;
    if (report.rejectedRows.length) throw new Error(`${report.rejectedRows.length} generated rows were rejected`);
    const eventsPerSecond = report.events / seconds;

    progress(PHASE, `${size.lookups} lookups and as many bare GetItems`);
    const doc = DynamoDBDocumentClient.from(floorClient);
    const picks = Array.from({ length: size.lookups }, (_, k) => (k * 7919) % size.rows);
    const lookupMs: number[] = [];
    const getItemMs: number[] = [];
    let misses = 0;
    // Interleaved, one at a time: both see the same machine state.
    for (const i of picks) {
      const phone = phoneOf(2, i);
      let t = performance.now();
      const res = await fetch(`${hub.url}/v1/lookup?phone=${encodeURIComponent(phone)}`, {
        headers: { authorization: `Bearer ${API_TOKEN}` },
      });
      await res.arrayBuffer();
      lookupMs.push(performance.now() - t);
      if (res.status !== 200) misses++;
      t = performance.now();
      // The caller card the lookup reads, as it reads it (a wrong key would read nothing and look fast: checked below).
      const got = await doc.send(
        new GetCommand({ TableName: tableName, Key: cardKey(`+380${phone.slice(1)}`), ConsistentRead: true }),
      );
      getItemMs.push(performance.now() - t);
      if (!got.Item) misses++;
    }
    if (misses)
      throw new Error(
        `${misses} lookups of imported customers did not answer 200 or the floor read found no caller card`,
      );
    const lookup = summarize(lookupMs);
    const getItem = summarize(getItemMs);
    return {
      rows: size.rows,
      dryRun: {
        rows: DRY_RUN_ROWS,
        events: dry.events,
        seconds: round(drySeconds, 2),
        rowsPerSecond: Math.round(DRY_RUN_ROWS / drySeconds),
      },
      import: {
        rows: report.total,
        events: report.events,
        sentRowsPerSecond: Math.round(report.total / sentSeconds),
        appliedRowsPerSecond: Math.round(report.total / seconds),
        appliedEventsPerSecond: Math.round(eventsPerSecond),
        seconds: round(seconds, 1),
        cpuMsPerRow: round((cpu.user + cpu.system) / 1000 / report.total, 3),
        /** DynamoDB calls per row by command, and the wall time inside them (summed over concurrent calls). */
        storeCallsPerRow: Object.fromEntries(
          Object.entries(calls).map(([command, c]) => [command, round(c.calls / report.total, 2)]),
        ),
        storeMsPerRow: round(Object.values(calls).reduce((sum, c) => sum + c.ms, 0) / report.total, 2),
      },
      floor: {
        transactions: floor.transactions,
        concurrency: floor.concurrency,
        itemsPerTransaction: round(floor.itemsPerTransaction, 2),
        perSecond: Math.round(floor.perSecond),
        errors: floor.errors,
      },
      ratioToFloor: round(eventsPerSecond / floor.perSecond, 2),
      lookup: { requests: lookupMs.length, latencyMs: latency(lookup) },
      getItemFloor: { requests: getItemMs.length, latencyMs: latency(getItem) },
      lookupP99OverGetItemP99: round(lookup.p99 / getItem.p99, 1),
    };
  } finally {
    await hub.stop();
    floorClient.destroy();
    await dynamo.stop();
  }
};

if (isEntry(import.meta.url)) runPhase(PHASE, runImportLookup);
