/**
 * Phase 5: the AWS cost model. Pure functions over the measurements of the
 * other phases and a dated price table; unit tested in
 * `test/bench/cost.test.ts`.
 *
 * Per webhook that yields one event, the deployed hub bills:
 *   Webhook endpoint       1 HTTP API request, or nothing on a Lambda function URL (`webhookEndpoint`)
 *   Lambda `ingest`        1 invocation, verify + normalize + PutEvents
 *   EventBridge            1 custom event (PutEvents entry; rule delivery to SQS in the same account is free)
 *                          + archive processing of the event's bytes
 *   SQS                    1 SendMessage (by EventBridge) + ReceiveMessage and DeleteMessageBatch per batch
 *   Lambda `profile-writer` 1/batch invocation; records of a batch run in parallel
 *   DynamoDB on-demand     the event's write and read request units (phase 3)
 *   Secrets Manager        GetSecretValue per ingest environment per cache period (5 min), not per webhook
 *   CloudWatch Logs        the functions' log lines (Powertools level + sample rate), Lambda's
 *                          START/END/REPORT lines, and the API access log (HTTP API only)
 *   X-Ray                  traces the stage's sampling rule records (reservoir + fixed rate)
 *
 * The logging and tracing settings are the stack's own defaults, read from
 * `lib/config.ts` (`DEFAULT_ASSUMPTIONS`), so a changed default changes the
 * figure.
 */
import { parseStageConfig } from '../lib/config.js';

/** One line of the price table. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly note?: string;
}

/**
 * us-east-1 list prices, on-demand, first volume tier, no free tier and no
 * Savings Plans. The pricing pages render their numbers client-side, so the
 * values were taken from the pages' published rates and worked examples;
 * check them against the sources before relying on a figure.
 */
export const PRICES = {
  region: 'us-east-1',
  currency: 'USD',
  date: '2026-11-23',
  items: {
    httpApiRequest: {
      usd: 1.0 / 1e6,
      unit: 'request',
      source: 'https://aws.amazon.com/api-gateway/pricing/',
      note: 'HTTP API, $1.00 per million for the first 300 million requests a month; each 512 KB of a request is metered as one request',
    },
    lambdaRequest: {
      usd: 0.2 / 1e6,
      unit: 'invocation',
      source: 'https://aws.amazon.com/lambda/pricing/',
      note: '$0.20 per million requests',
    },
    lambdaArmGbSecond: {
      usd: 0.0000133334,
      unit: 'GB-second',
      source: 'https://aws.amazon.com/lambda/pricing/',
      note: 'arm64, first 7.5 billion GB-s a month; duration rounded up to 1 ms',
    },
    eventBridgeCustomEvent: {
      usd: 1.0 / 1e6,
      unit: 'event (64 KB chunk)',
      source: 'https://aws.amazon.com/eventbridge/pricing/',
      note: 'custom events published, $1.00 per million; each 64 KB chunk of an entry is one event; delivery to targets in the same account is not charged',
    },
    eventBridgeArchiveGb: {
      usd: 0.1,
      unit: 'GB archived',
      source: 'https://aws.amazon.com/eventbridge/pricing/',
      note: 'archive event processing; storage ($0.023/GB-month) not included',
    },
    sqsRequest: {
      usd: 0.4 / 1e6,
      unit: 'request (64 KB chunk)',
      source: 'https://aws.amazon.com/sqs/pricing/',
      note: 'standard queue, $0.40 per million after the first million a month',
    },
    dynamoWru: {
      usd: 0.625 / 1e6,
      unit: 'write request unit',
      source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      note: 'on-demand, Standard table class, $0.625 per million (since the November 2024 reduction)',
    },
    dynamoRru: {
      usd: 0.125 / 1e6,
      unit: 'read request unit',
      source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      note: '$0.125 per million',
    },
    secretsManagerCall: {
      usd: 0.05 / 1e4,
      unit: 'API call',
      source: 'https://aws.amazon.com/secrets-manager/pricing/',
      note: '$0.05 per 10,000 calls; $0.40 per secret-month is fixed, not per event',
    },
    logsIngestedGb: {
      usd: 0.5,
      unit: 'GB ingested',
      source: 'https://aws.amazon.com/cloudwatch/pricing/',
      note: 'CloudWatch Logs, Standard class ingestion',
    },
    schedulerInvocation: {
      usd: 1.0 / 1e6,
      unit: 'scheduled invocation',
      source: 'https://aws.amazon.com/eventbridge/pricing/',
      note: 'EventBridge Scheduler, $1.00 per million scheduled invocations after the first 14 million a month; CreateSchedule / UpdateSchedule / DeleteSchedule calls are not billed (they count against the API quotas)',
    },
    xrayTrace: {
      usd: 5.0 / 1e6,
      unit: 'trace recorded',
      source: 'https://aws.amazon.com/xray/pricing/',
      note: '$5.00 per million traces recorded',
    },
  } satisfies Record<string, Price>,
} as const;

export type PriceTable = typeof PRICES;

/** Full vCPU at this memory size (Lambda allocates CPU in proportion to memory). */
export const FULL_VCPU_MB = 1769;

/**
 * Billed Lambda duration of one invocation: CPU work measured on a full
 * core, slowed down by the function's CPU share, plus time waiting on AWS
 * services; rounded up to the millisecond as Lambda bills.
 */
export const lambdaBilledMs = ({ cpuMs, ioMs, memoryMb }: { cpuMs: number; ioMs: number; memoryMb: number }): number =>
  Math.max(1, Math.ceil(cpuMs * Math.max(1, FULL_VCPU_MB / memoryMb) + ioMs));

/** Assumptions the measurements cannot give on this machine (stated in the output). */
export interface CostAssumptions {
  /** In-region latency of one PutEvents call, ms. */
  readonly putEventsMs: number;
  /** In-region latency of GetItem / BatchGetItem / UpdateItem, ms. */
  readonly dynamoReadMs: number;
  /** In-region latency of TransactWriteItems, ms. */
  readonly dynamoTransactMs: number;
  /** SQS batch size of the profile writer's event source (RuleQueue default). */
  readonly batchSize: number;
  /** Steady webhook rate the Secrets Manager cache and the X-Ray reservoir are amortised over, per second. */
  readonly ratePerSecond: number;
  /** Powertools cache period of a connector secret, s. */
  readonly secretCacheSeconds: number;
  /** Where vendors call (`webhookEndpoint` of the stage). */
  readonly webhookEndpoint: 'httpApi' | 'functionUrl';
  /**
   * Lambda's START/END/REPORT lines per invocation in the Text log format
   * (≈ 290 bytes; the REPORT line carries the X-Ray ids when traced), bytes.
   */
  readonly platformLogBytesPerInvocation: number;
  /** HTTP API access log line, bytes (none on a function URL). */
  readonly accessLogBytes: number;
  /** CloudWatch Logs meters 26 bytes per log event on top of its message. */
  readonly logEventOverheadBytes: number;
  /** Powertools level of the functions; the per-webhook lines of a healthy webhook are INFO. */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Share of invocations that log every line whatever the level (Powertools sample rate). */
  readonly logSampleRate: number;
  /** Powertools' "Setting log level to DEBUG due to sampling rate" line of a sampled invocation, bytes. */
  readonly samplingNoticeBytes: number;
  /** X-Ray sampling rule of the stage: traces per second before the fixed rate applies, and that rate. */
  readonly traceReservoirPerSecond: number;
  readonly traceSampleRate: number;
}

const STAGE_DEFAULTS = parseStageConfig({ stage: 'prod' });

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  putEventsMs: 20,
  dynamoReadMs: 5,
  dynamoTransactMs: 12,
  batchSize: 10,
  ratePerSecond: 100,
  secretCacheSeconds: 300,
  webhookEndpoint: STAGE_DEFAULTS.webhookEndpoint,
  platformLogBytesPerInvocation: 290,
  accessLogBytes: 400,
  logEventOverheadBytes: 26,
  logLevel: STAGE_DEFAULTS.logLevel,
  logSampleRate: STAGE_DEFAULTS.logSampleRate,
  samplingNoticeBytes: 250,
  traceReservoirPerSecond: STAGE_DEFAULTS.traceReservoirPerSecond,
  traceSampleRate: STAGE_DEFAULTS.traceSampleRate,
};

/** The same assumptions with webhooks on a Lambda function URL. */
export const FUNCTION_URL_ASSUMPTIONS: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, webhookEndpoint: 'functionUrl' };

/** Share of requests an X-Ray rule records at a steady rate: the reservoir, then the fixed rate of the rest. */
export const traceShare = (
  a: Pick<CostAssumptions, 'ratePerSecond' | 'traceReservoirPerSecond' | 'traceSampleRate'>,
) => {
  const reservoir = Math.min(a.ratePerSecond, a.traceReservoirPerSecond);
  return (reservoir + a.traceSampleRate * (a.ratePerSecond - reservoir)) / a.ratePerSecond;
};

/** Share of the INFO-level per-webhook lines that get written: all of them at INFO or below, else the sampled share. */
export const infoLineShare = (a: Pick<CostAssumptions, 'logLevel' | 'logSampleRate'>): number =>
  a.logLevel === 'DEBUG' || a.logLevel === 'INFO' ? 1 : a.logSampleRate;

/**
 * The sequential DynamoDB round trips of one event from its measured calls:
 * transactions apart (they take longer), every other call — reads, and the
 * single-item writes of a store that skips the transaction — as one round trip each.
 */
export const dynamoCallsOf = (
  calls: Record<string, number | null | undefined>,
): { dynamoReadCalls: number; dynamoTransactCalls: number } => {
  let dynamoReadCalls = 0;
  let dynamoTransactCalls = 0;
  for (const [name, n] of Object.entries(calls)) {
    if (name === 'TransactWriteItems') dynamoTransactCalls += n ?? 0;
    else dynamoReadCalls += n ?? 0;
  }
  return { dynamoReadCalls, dynamoTransactCalls };
};

/** What one event costs the hub, from the measurements. */
export interface EventProfile {
  readonly label: string;
  /** Ingest handler CPU per webhook on a full core (phase 1, whole handler), ms. */
  readonly ingestCpuMs: number;
  readonly ingestMemoryMb: number;
  /** Size of the bus entry (the event JSON), bytes. */
  readonly eventBytes: number;
  /** Profile-writer CPU per event on a full core (phase 2, consumer only), ms. */
  readonly writerCpuMs: number;
  readonly writerMemoryMb: number;
  /** Sequential DynamoDB calls of one event: reads (Get/BatchGet/Update) and transactions. */
  readonly dynamoReadCalls: number;
  readonly dynamoTransactCalls: number;
  /** Phase 3, AWS rules. */
  readonly wcu: number;
  readonly rcu: number;
  /** Application log bytes per webhook at INFO (phase 2, the local runtime logs at INFO). */
  readonly appLogBytes: number;
  /** Application log lines per webhook at INFO (for the per-event overhead). @default 1 */
  readonly appLogLines?: number;
}

export interface CostLine {
  readonly item: string;
  /** Billed quantity per million events. */
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

export interface CostResult {
  readonly label: string;
  readonly lines: CostLine[];
  readonly totalUsd: number;
  readonly ingestBilledMs: number;
  readonly writerBatchBilledMs: number;
}

const MILLION = 1e6;
const GB = 1024 ** 3;

/** $ per million events of one kind, line by line. */
export const costPerMillion = (
  e: EventProfile,
  a: CostAssumptions = DEFAULT_ASSUMPTIONS,
  prices: PriceTable = PRICES,
): CostResult => {
  const p = prices.items;
  const chunks64k = Math.max(1, Math.ceil(e.eventBytes / (64 * 1024)));
  const ingestBilledMs = lambdaBilledMs({ cpuMs: e.ingestCpuMs, ioMs: a.putEventsMs, memoryMb: e.ingestMemoryMb });
  // Records of a batch are applied in parallel: CPU adds up, the DynamoDB round trips of one event are the critical path.
  const writerBatchBilledMs = lambdaBilledMs({
    cpuMs: e.writerCpuMs * a.batchSize,
    ioMs: e.dynamoReadCalls * a.dynamoReadMs + e.dynamoTransactCalls * a.dynamoTransactMs,
    memoryMb: e.writerMemoryMb,
  });
  const batches = MILLION / a.batchSize;
  const invocations = MILLION + batches;
  const ingestEnvironments = Math.ceil((a.ratePerSecond * ingestBilledMs) / 1000) + 1;
  const secretCalls = (MILLION / a.ratePerSecond / a.secretCacheSeconds) * ingestEnvironments;
  const onFunctionUrl = a.webhookEndpoint === 'functionUrl';
  const overhead = a.logEventOverheadBytes;
  const appBytes = MILLION * infoLineShare(a) * (e.appLogBytes + (e.appLogLines ?? 1) * overhead);
  const samplingNotices =
    a.logLevel === 'DEBUG' ? 0 : invocations * a.logSampleRate * (a.samplingNoticeBytes + overhead);
  const platformBytes = invocations * (a.platformLogBytesPerInvocation + 3 * overhead);
  const accessBytes = onFunctionUrl ? 0 : MILLION * (a.accessLogBytes + overhead);
  const logBytes = appBytes + samplingNotices + platformBytes + accessBytes;
  const line = (item: string, quantity: number, price: Price): CostLine => ({
    item,
    quantity,
    unit: price.unit,
    usd: quantity * price.usd,
  });
  const lines: CostLine[] = [
    onFunctionUrl
      ? {
          item: 'Webhook endpoint requests (Lambda function URL: no charge beyond the invocation)',
          quantity: MILLION,
          unit: 'request',
          usd: 0,
        }
      : line('Webhook endpoint requests (API Gateway HTTP API)', MILLION, p.httpApiRequest),
    line('Lambda ingest invocations', MILLION, p.lambdaRequest),
    line(
      `Lambda ingest duration (${e.ingestMemoryMb} MB × ${ingestBilledMs} ms)`,
      MILLION * (e.ingestMemoryMb / 1024) * (ingestBilledMs / 1000),
      p.lambdaArmGbSecond,
    ),
    line('EventBridge PutEvents entries', MILLION * chunks64k, p.eventBridgeCustomEvent),
    line('EventBridge archive', (MILLION * e.eventBytes) / GB, p.eventBridgeArchiveGb),
    line(`SQS requests (send + receive/delete per ${a.batchSize})`, MILLION * chunks64k + batches * 2, p.sqsRequest),
    line('Lambda profile-writer invocations', batches, p.lambdaRequest),
    line(
      `Lambda profile-writer duration (${e.writerMemoryMb} MB × ${writerBatchBilledMs} ms per batch)`,
      batches * (e.writerMemoryMb / 1024) * (writerBatchBilledMs / 1000),
      p.lambdaArmGbSecond,
    ),
    line('DynamoDB write request units', MILLION * e.wcu, p.dynamoWru),
    line('DynamoDB read request units', MILLION * e.rcu, p.dynamoRru),
    line('Secrets Manager GetSecretValue (cached)', secretCalls, p.secretsManagerCall),
    line(
      `CloudWatch Logs ingestion (${a.logLevel} + ${a.logSampleRate * 100} % of invocations in full${onFunctionUrl ? '' : ', access log'})`,
      logBytes / GB,
      p.logsIngestedGb,
    ),
    line(
      `X-Ray traces (${a.traceReservoirPerSecond}/s + ${a.traceSampleRate * 100} % at ${a.ratePerSecond}/s)`,
      invocations * traceShare(a),
      p.xrayTrace,
    ),
  ];
  return { label: e.label, lines, totalUsd: lines.reduce((s, l) => s + l.usd, 0), ingestBilledMs, writerBatchBilledMs };
};

// ------------------------------------------------------------------ outbound

/**
 * What one outbound message costs the hub, the vendors' own prices aside:
 * `POST /v1/customers/{id}/messages` (API Gateway + the `api` function:
 * profile and idempotency reads, the record + key transaction, PutEvents
 * `message.requested`), the sender rule's SQS queue,
 * the `sender` function (record and profile reads, the claim, the vendor
 * call it waits for, the vendor-id link and the sent write, PutEvents
 * `message.sent`), and the profile writer putting `message.sent` into the
 * timeline through its own queue. One attempt, no fallback: the common case.
 */
export interface OutboundProfile {
  readonly label: string;
  /**
   * The message record as stored, bytes: measured on a service message of 130 characters whose stated
   * channel was refused (two plan verdicts) through one sent attempt: 1.1 KB created, 1.4 KB sent.
   */
  readonly recordBytes: number;
  /** Idempotency key and vendor-id link items, bytes each. */
  readonly pointerBytes: number;
  /** `message.requested` (ids only) and `message.sent` bus entries, bytes. */
  readonly requestedBytes: number;
  readonly sentBytes: number;
  /** CPU of the api handler (parse, plan, build) and of the sender per message, full core, ms. */
  readonly apiCpuMs: number;
  readonly senderCpuMs: number;
  readonly apiMemoryMb: number;
  readonly senderMemoryMb: number;
  /** How long the sender waits on the vendor's API (billed Lambda time), ms. */
  readonly vendorLatencyMs: number;
  /** Applying `message.sent` in the profile writer (a returning customer's event, phase 3 rules). */
  readonly writerWcu: number;
  readonly writerRcu: number;
  readonly writerCpuMs: number;
  readonly writerMemoryMb: number;
  /** Application log bytes per message (api + sender). */
  readonly appLogBytes: number;
}

export const DEFAULT_OUTBOUND_PROFILE: OutboundProfile = {
  label: 'outbound message, one attempt',
  recordBytes: 1_400,
  pointerBytes: 250,
  requestedBytes: 450,
  sentBytes: 1_100,
  apiCpuMs: 2,
  senderCpuMs: 1.5,
  apiMemoryMb: 256,
  senderMemoryMb: 256,
  vendorLatencyMs: 250,
  writerWcu: 4,
  writerRcu: 2,
  writerCpuMs: 2,
  writerMemoryMb: 512,
  appLogBytes: 400,
};

/** DynamoDB bills a standard write per started KB and a transactional one twice. */
const wcuOf = (bytes: number, transactional = false): number => Math.ceil(bytes / 1024) * (transactional ? 2 : 1);
/** Strongly consistent read: one RCU per started 4 KB. */
const rcuOf = (bytes: number): number => Math.ceil(bytes / 4096);

/** $ per million messages sent, line by line (vendors excluded). */
export const senderCostPerMillion = (
  o: OutboundProfile = DEFAULT_OUTBOUND_PROFILE,
  a: CostAssumptions = DEFAULT_ASSUMPTIONS,
  prices: PriceTable = PRICES,
): CostResult => {
  const p = prices.items;
  const line = (item: string, quantity: number, price: Price): CostLine => ({
    item,
    quantity,
    unit: price.unit,
    usd: quantity * price.usd,
  });
  const batches = MILLION / a.batchSize;
  // api: GetItem profile + GetItem key, TransactWrite (key + record), PutEvents.
  const apiBilledMs = lambdaBilledMs({
    cpuMs: o.apiCpuMs,
    ioMs: 2 * a.dynamoReadMs + a.dynamoTransactMs + a.putEventsMs,
    memoryMb: o.apiMemoryMb,
  });
  // sender, per record (a batch runs its records in parallel): GetItem record, 2 × profile, PutItem claim,
  // the vendor, PutItem vendor link + PutItem sent, PutEvents message.sent.
  const senderBatchBilledMs = lambdaBilledMs({
    cpuMs: o.senderCpuMs * a.batchSize,
    ioMs: 6 * a.dynamoReadMs + o.vendorLatencyMs + a.putEventsMs,
    memoryMb: o.senderMemoryMb,
  });
  const writerBatchBilledMs = lambdaBilledMs({
    cpuMs: o.writerCpuMs * a.batchSize,
    ioMs: 3 * a.dynamoReadMs + a.dynamoTransactMs,
    memoryMb: o.writerMemoryMb,
  });
  const wcu =
    wcuOf(o.pointerBytes, true) + // idempotency key (transaction)
    wcuOf(o.recordBytes, true) + // the record (transaction)
    wcuOf(o.recordBytes) + // claim
    wcuOf(o.recordBytes) + // sent
    wcuOf(o.pointerBytes) + // vendor-id link
    o.writerWcu;
  const rcu = 1 + rcuOf(o.pointerBytes) + rcuOf(o.recordBytes) + 2 + o.writerRcu;
  const senderEnvironments = Math.ceil((a.ratePerSecond / a.batchSize) * (senderBatchBilledMs / 1000)) + 1;
  const secretCalls = (MILLION / a.ratePerSecond / a.secretCacheSeconds) * senderEnvironments;
  const logBytes =
    MILLION * (o.appLogBytes * infoLineShare(a) + a.platformLogBytesPerInvocation + a.accessLogBytes) +
    2 * batches * a.platformLogBytesPerInvocation;
  const lines: CostLine[] = [
    line('API Gateway HTTP API requests (POST …/messages)', MILLION, p.httpApiRequest),
    line('Lambda api invocations', MILLION, p.lambdaRequest),
    line(
      `Lambda api duration (${o.apiMemoryMb} MB × ${apiBilledMs} ms)`,
      MILLION * (o.apiMemoryMb / 1024) * (apiBilledMs / 1000),
      p.lambdaArmGbSecond,
    ),
    line('EventBridge PutEvents (message.requested + message.sent)', 2 * MILLION, p.eventBridgeCustomEvent),
    line('EventBridge archive', (MILLION * (o.requestedBytes + o.sentBytes)) / GB, p.eventBridgeArchiveGb),
    line(
      `SQS requests (sender + profile-writer queues: send + receive/delete per ${a.batchSize})`,
      2 * (MILLION + batches * 2),
      p.sqsRequest,
    ),
    line('Lambda sender invocations', batches, p.lambdaRequest),
    line(
      `Lambda sender duration (${o.senderMemoryMb} MB × ${senderBatchBilledMs} ms per batch, vendor wait included)`,
      batches * (o.senderMemoryMb / 1024) * (senderBatchBilledMs / 1000),
      p.lambdaArmGbSecond,
    ),
    line('Lambda profile-writer invocations (message.sent)', batches, p.lambdaRequest),
    line(
      `Lambda profile-writer duration (${o.writerMemoryMb} MB × ${writerBatchBilledMs} ms per batch)`,
      batches * (o.writerMemoryMb / 1024) * (writerBatchBilledMs / 1000),
      p.lambdaArmGbSecond,
    ),
    line('DynamoDB write request units', MILLION * wcu, p.dynamoWru),
    line('DynamoDB read request units', MILLION * rcu, p.dynamoRru),
    line('Secrets Manager GetSecretValue (cached)', secretCalls, p.secretsManagerCall),
    line('CloudWatch Logs ingestion', logBytes / GB, p.logsIngestedGb),
    line(
      `X-Ray traces (${a.traceReservoirPerSecond}/s + ${a.traceSampleRate * 100} % at ${a.ratePerSecond}/s)`,
      (MILLION + 2 * batches) * traceShare(a),
      p.xrayTrace,
    ),
  ];
  return {
    label: o.label,
    lines,
    totalUsd: lines.reduce((s, l) => s + l.usd, 0),
    ingestBilledMs: apiBilledMs,
    writerBatchBilledMs: senderBatchBilledMs,
  };
};

// ------------------------------------------------------------------ automations

/** The calls of one automation run as `bench/automations.ts` measured them on the production runner. */
export interface AutomationRun {
  readonly label: string;
  /** Envelopes its queue delivered to the runner (rule deliveries and timer wake-ups). */
  readonly queueMessages: number;
  /** Scheduler API calls by command (not billed). */
  readonly schedulerCalls: Readonly<Record<string, number>>;
  readonly scheduledInvocations: number;
  /** SendMessage calls of the runner itself (SQS-delay timers). */
  readonly sqsSends: number;
  readonly putEventsEntries: number;
  /** Mean bytes per PutEvents entry. */
  readonly putEventsBytes: number;
  readonly wcu: number;
  readonly rcu: number;
  readonly dynamoCalls: Readonly<Record<string, number>>;
  /** Runner CPU per run, full core, ms. */
  readonly cpuMs: number;
  readonly memoryMb: number;
  /** Application log bytes per run (the runner logs nothing per record at INFO; Powertools' sampled lines). */
  readonly appLogBytes: number;
}

/**
 * $ per million automation runs: the runner's own calls (its queue, its
 * Lambda, its DynamoDB reads and the message request, its schedules, the
 * events it publishes). The sender's delivery of the message it requested is
 * section 5b; the profile writer applying the events it emits is section 5.
 */
export const automationCostPerMillion = (
  run: AutomationRun,
  a: CostAssumptions = DEFAULT_ASSUMPTIONS,
  prices: PriceTable = PRICES,
): CostResult => {
  const p = prices.items;
  const line = (item: string, quantity: number, price: Price): CostLine => ({
    item,
    quantity,
    unit: price.unit,
    usd: quantity * price.usd,
  });
  const messages = MILLION * run.queueMessages;
  const batches = messages / a.batchSize;
  const perEnvelope = (n: number) => n / Math.max(1, run.queueMessages);
  const transacts = run.dynamoCalls.TransactWriteItems ?? 0;
  const otherDynamo = Object.entries(run.dynamoCalls).reduce(
    (s, [name, n]) => (name === 'TransactWriteItems' ? s : s + n),
    0,
  );
  const schedulerApi = Object.values(run.schedulerCalls).reduce((s, n) => s + n, 0);
  // One batch's records run in parallel: CPU adds up, the waits are one record's chain.
  const batchBilledMs = lambdaBilledMs({
    cpuMs: perEnvelope(run.cpuMs) * a.batchSize,
    ioMs: perEnvelope(
      otherDynamo * a.dynamoReadMs +
        transacts * a.dynamoTransactMs +
        run.putEventsEntries * a.putEventsMs +
        (schedulerApi + run.sqsSends) * a.putEventsMs,
    ),
    memoryMb: run.memoryMb,
  });
  const logBytes =
    MILLION * run.appLogBytes * infoLineShare(a) +
    batches * (a.platformLogBytesPerInvocation + a.logEventOverheadBytes);
  const lines: CostLine[] = [
    line(
      `SQS requests (${run.queueMessages} messages in per run, ${run.sqsSends} sent by the runner; receive/delete per ${a.batchSize})`,
      messages + MILLION * run.sqsSends + 2 * batches,
      p.sqsRequest,
    ),
    line(
      `EventBridge Scheduler (${run.scheduledInvocations} invocation, ${schedulerApi} API call(s) per run, not billed)`,
      MILLION * run.scheduledInvocations,
      p.schedulerInvocation,
    ),
    line('Lambda automations invocations', batches, p.lambdaRequest),
    line(
      `Lambda automations duration (${run.memoryMb} MB × ${batchBilledMs} ms per batch)`,
      batches * (run.memoryMb / 1024) * (batchBilledMs / 1000),
      p.lambdaArmGbSecond,
    ),
    line(
      `EventBridge PutEvents (${run.putEventsEntries} entries per run)`,
      MILLION * run.putEventsEntries,
      p.eventBridgeCustomEvent,
    ),
    line('EventBridge archive', (MILLION * run.putEventsEntries * run.putEventsBytes) / GB, p.eventBridgeArchiveGb),
    line(`DynamoDB write request units (${run.wcu} per run)`, MILLION * run.wcu, p.dynamoWru),
    line(`DynamoDB read request units (${run.rcu} per run)`, MILLION * run.rcu, p.dynamoRru),
    line('CloudWatch Logs ingestion', logBytes / GB, p.logsIngestedGb),
    line('X-Ray traces', batches * traceShare(a), p.xrayTrace),
  ];
  return {
    label: run.label,
    lines,
    totalUsd: lines.reduce((s, l) => s + l.usd, 0),
    ingestBilledMs: batchBilledMs,
    writerBatchBilledMs: batchBilledMs,
  };
};
