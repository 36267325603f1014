/**
 * Per-stage configuration of the CDK app, read from CDK context
 * (`cdk synth -c stage=prod -c defaultCountry=UA …` or `cdk.json`) and
 * validated once, so a typo fails the synth with a message naming the context
 * key instead of deploying a half-configured hub.
 */
import * as z from 'zod';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_MAX_BODY_BYTES } from '../functions/shared/http.js';
import { listSenders } from '../functions/connectors/senders.js';
import { parseQuietHours } from '../functions/domain/reachability/quiet-hours.js';

/** Stage whose data is disposable: tables are destroyed with the stack. */
const DEV_STAGE = 'dev';

/** Retention values CloudWatch Logs accepts (`RetentionDays`, minus "infinite"). */
const LOG_RETENTION_VALUES: readonly number[] = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v > 0 && v !== RetentionDays.INFINITE,
);

/** Context values from `-c key=value` are strings; from `cdk.json` they may be numbers. */
const intFromContext = z.coerce.number().int();

const StageConfigSchema = z
  .object({
    /** Lowercase: it becomes part of the bus, queue, alarm and stack names. */
    stage: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,15}$/,
        'lowercase letters, digits and "-", starting with a letter, at most 16 characters',
      )
      .default(DEV_STAGE),
    /** Country assumed for national phone numbers (ISO 3166-1 alpha-2). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code in upper case, e.g. UA')
      .default('UA'),
    /**
     * Public base URL vendors call (a custom domain in front of the API).
     * URL-signing vendors verify against it. @default the API's own endpoint
     */
    publicBaseUrl: z
      .url({ protocol: /^https$/, error: 'an https:// URL, e.g. https://hooks.example.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /**
     * The console's address, for the customer links of caller recognition
     * (`GET /v1/lookup`, Binotel's screen-pop): a console hosted elsewhere or
     * behind a custom domain. @default the stack's own console, when it has one
     */
    consoleUrl: z
      .url({ protocol: /^https$/, error: 'an https:// URL, e.g. https://console.example.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** Secrets Manager name prefix; a connector's secret is `<prefix><connector>`. @default `omnihub/<stage>/connectors/` */
    secretPrefix: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,200}$/, 'characters Secrets Manager allows in names: A-Z a-z 0-9 / _ + = . @ -')
      .optional(),
    /**
     * Days the bus archive keeps events for replay (erasure holds are kept as long). @default 30 in dev, 90 otherwise.
     * Indefinite retention (0) is refused: the archive holds personal data.
     */
    archiveRetentionDays: intFromContext
      .min(1, 'at least 1 day (indefinite retention is not allowed: events hold personal data)')
      .max(3650)
      .optional(),
    /** Lambda and API access log retention, one of the CloudWatch values. @default 7 in dev, 90 otherwise */
    logRetentionDays: intFromContext
      .refine((d) => LOG_RETENTION_VALUES.includes(d), `one of ${LOG_RETENTION_VALUES.join(', ')}`)
      .optional(),
    /** Steady-state requests per second of each `/v1` API route (the stage default). @default 50 */
    throttleRateLimit: intFromContext.min(1).max(10_000).default(50),
    /** Burst bucket of each `/v1` API route. @default 100 */
    throttleBurstLimit: intFromContext.min(1).max(5_000).default(100),
    /** Steady-state requests per second of `POST /webhooks/{connector}` (a route setting of its own). @default 100 */
    webhookThrottleRateLimit: intFromContext.min(1).max(10_000).default(100),
    /** Burst bucket of `POST /webhooks/{connector}`. @default 200 */
    webhookThrottleBurstLimit: intFromContext.min(1).max(5_000).default(200),
    /**
     * Concurrent executions reserved for (and capping) `ingest`: vendors' webhooks can't be starved by the
     * other functions, and a flood can't take the account's whole concurrency. `none` leaves it unreserved
     * (accounts whose Lambda concurrency quota is below ~150: Lambda keeps 100 unreserved). @default 50
     */
    ingestReservedConcurrency: z.union([z.literal('none'), intFromContext.min(1).max(3_000)]).default(50),
    /**
     * Where vendors call: `httpApi` — the HTTP API (per-route throttles, access logs, $1 per million
     * requests); `functionUrl` — a Lambda function URL on ingest (no per-request charge; ingest's reserved
     * concurrency is then the only limit). The `/v1` API stays on the HTTP API with IAM either way.
     * @default httpApi
     */
    webhookEndpoint: z.enum(['httpApi', 'functionUrl']).default('httpApi'),
    /** Lowest level the functions log (Powertools). @default WARN outside dev, INFO in dev */
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
    /** Share of invocations logged down to DEBUG whatever logLevel says (0–1). @default 0.01 outside dev, 0 in dev */
    logSampleRate: z.coerce.number().min(0).max(1).optional(),
    /** Share of requests X-Ray traces beyond the reservoir (the stage's sampling rule). @default 0.01 */
    traceSampleRate: z.coerce.number().min(0).max(1).default(0.01),
    /** Requests per second X-Ray traces before traceSampleRate applies. @default 1 */
    traceReservoirPerSecond: intFromContext.min(0).max(1_000).default(1),
    /** Largest webhook body ingest accepts (413 above); Lambda's synchronous payload limit is 6 MB. @default 256 KiB */
    maxBodyBytes: intFromContext
      .min(1024)
      .max(6 * 1024 * 1024)
      .default(DEFAULT_MAX_BODY_BYTES),
    /** Days a processed event id is remembered (WhatsApp redelivers for up to 7 days). @default 30 */
    dedupeTtlDays: intFromContext.min(7).max(365).default(30),
    /** Email subscribed to the DLQ alarms topic. @default no topic; alarms are only visible in CloudWatch */
    alarmEmail: z.email().optional(),
    /**
     * AWS account ids that may create their own rules on the hub bus (a bus
     * policy; docs/subscriptions.md). `-c crossAccountPrincipals=111122223333,444455556666`
     * or a JSON array in cdk.json. @default none
     */
    crossAccountPrincipals: z
      .preprocess(
        (v) =>
          typeof v === 'string'
            ? v
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : v,
        z.array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id')),
      )
      .default([]),
    /**
     * Connectors that send outbound messages (docs/outbound.md), first per
     * channel wins: `-c outboundConnectors=whatsapp,telegram,twilio,ses`. Only
     * their secrets are granted to the sender. @default none (nothing sends)
     */
    outboundConnectors: z
      .preprocess(
        (v) =>
          typeof v === 'string'
            ? v
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : v,
        z.array(z.enum(listSenders().map((s) => s.connector) as [string, ...string[]])),
      )
      .default([]),
    /** SES identity (verified domain or address) the sender may send from; required when `ses` sends. */
    sesIdentity: z
      .string()
      .regex(/^[^\s/*]+$/, 'a verified SES domain or email address, e.g. example.com')
      .optional(),
    /** `customer.inactive` after this many days without an interaction (OMNIHUB_INACTIVE_DAYS). @default 0 (off) */
    inactiveDays: z.coerce.number().min(0).max(3650).optional(),
    /** Local time of `customer.birthday` in the customer's zone, `HH:MM` or `off` (OMNIHUB_BIRTHDAY_TIME). @default 10:00 */
    birthdayTime: z
      .string()
      .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM (24-hour) or off')
      .optional(),
    /** Quiet hours for marketing in the customer's zone, `21:00-09:00` or `off`. @default 21:00-09:00 */
    quietHours: z
      .string()
      .refine((v) => typeof parseQuietHours(v) !== 'string', '21:00-09:00 (HH:MM-HH:MM) or off')
      .optional(),
  })
  .refine((c) => !c.outboundConnectors.includes('ses') || c.sesIdentity, {
    error: 'set sesIdentity when outboundConnectors includes ses',
    path: ['sesIdentity'],
  })
  .transform((c) => {
    const isDev = c.stage === DEV_STAGE;
    return {
      ...c,
      isDev,
      secretPrefix: c.secretPrefix ?? `omnihub/${c.stage}/connectors/`,
      archiveRetentionDays: c.archiveRetentionDays ?? (isDev ? 30 : 90),
      logRetention: (c.logRetentionDays ?? (isDev ? 7 : 90)) as RetentionDays,
      logLevel: c.logLevel ?? (isDev ? 'INFO' : 'WARN'),
      logSampleRate: c.logSampleRate ?? (isDev ? 0 : 0.01),
    };
  })
  .superRefine((c, ctx) => {
    if (c.webhookEndpoint === 'functionUrl' && c.ingestReservedConcurrency === 'none')
      ctx.addIssue({
        code: 'custom',
        path: ['ingestReservedConcurrency'],
        message:
          "a number with webhookEndpoint=functionUrl: a function URL has no throttle, ingest's reserved concurrency is its only limit",
      });
  });

/** The validated configuration of one stage. */
export type StageConfig = z.output<typeof StageConfigSchema>;

/** Context keys the app reads; everything else in the context is ignored. */
const CONTEXT_KEYS = [
  'stage',
  'defaultCountry',
  'publicBaseUrl',
  'consoleUrl',
  'secretPrefix',
  'archiveRetentionDays',
  'logRetentionDays',
  'throttleRateLimit',
  'throttleBurstLimit',
  'webhookThrottleRateLimit',
  'webhookThrottleBurstLimit',
  'ingestReservedConcurrency',
  'webhookEndpoint',
  'logLevel',
  'logSampleRate',
  'traceSampleRate',
  'traceReservoirPerSecond',
  'maxBodyBytes',
  'dedupeTtlDays',
  'alarmEmail',
  'crossAccountPrincipals',
  'outboundConnectors',
  'sesIdentity',
  'quietHours',
  'inactiveDays',
  'birthdayTime',
] as const satisfies readonly (keyof z.input<typeof StageConfigSchema>)[];

/**
 * Validates raw values (context or a test literal). Empty strings count as
 * unset so `-c publicBaseUrl=` falls back to the default.
 * @throws Error naming every bad key and how to set it.
 */
export const parseStageConfig = (raw: Readonly<Record<string, unknown>>): StageConfig => {
  const input = Object.fromEntries(
    CONTEXT_KEYS.map((key) => [key, raw[key] === '' || raw[key] === null ? undefined : raw[key]]),
  );
  const result = StageConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => {
        const key = String(i.path[0] ?? 'config');
        return `  - ${key}: ${i.message} (got ${JSON.stringify(input[key])}; set with -c ${key}=…)`;
      })
      .join('\n');
    throw new Error(`Invalid Omnihub stage configuration in CDK context:\n${problems}`);
  }
  return result.data;
};

/** Reads the stage configuration from the CDK context of `node` (usually the app). */
export const stageConfigFromContext = (node: { tryGetContext(key: string): unknown }): StageConfig =>
  parseStageConfig(Object.fromEntries(CONTEXT_KEYS.map((key) => [key, node.tryGetContext(key)])));
