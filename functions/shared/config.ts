/**
 * Configuration, one zod schema per function. Every environment variable
 * the hub reads is declared once in `VARIABLES` (name, schema, meaning); each
 * function's configuration (`FUNCTION_CONFIGS`) picks the variables it uses.
 * A function reads its configuration once at start (`readFunctionConfig`),
 * and a bad or missing variable fails the start with the variable named.
 * The CDK stack sets exactly the variables a function declares
 * (`HubFunction` refuses others and checks the required ones at synth), and
 * docs/configuration.md is generated from these declarations.
 */
import * as z from 'zod';
import { HubError } from './errors.js';
import { DEFAULT_MAX_BODY_BYTES } from './http.js';

/** An environment variable: its name, how its text is parsed, and what it means. */
export interface EnvVariable<T = unknown> {
  readonly name: string;
  /** Parses the raw value (`undefined` when unset or empty); a default makes the variable optional. */
  readonly schema: z.ZodType<T>;
  /** What it is for, one sentence or two: the documentation. */
  readonly description: string;
  /** Where it applies, when not everywhere the functions say. */
  readonly scope?: 'aws' | 'local';
}

const variable = <T>(
  name: string,
  schema: z.ZodType<T>,
  description: string,
  scope?: EnvVariable['scope'],
): EnvVariable<T> => ({ name, schema, description, ...(scope ? { scope } : {}) });

const CountrySchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. UA');
const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
const arn = (service: string) => z.string().startsWith(`arn:`, `an ${service} ARN`);

/** Every variable the hub's functions read, by the key the code uses. */
export const VARIABLES = {
  tableName: variable('OMNIHUB_TABLE_NAME', z.string().min(1), 'The DynamoDB table of the customer view.', 'aws'),
  eventBusName: variable('OMNIHUB_EVENT_BUS_NAME', z.string().min(1), 'The EventBridge bus events go to.', 'aws'),
  secretPrefix: variable(
    'OMNIHUB_SECRET_PREFIX',
    z.string().min(1).default('omnihub/connectors/'),
    "Secrets Manager name prefix of the connector secrets: a connector's secret is `<prefix><connector>`.",
    'aws',
  ),
  defaultCountry: variable(
    'OMNIHUB_DEFAULT_COUNTRY',
    CountrySchema.default('UA'),
    "Country of national phone numbers: `050 111 22 33`, `+380501112233` and WhatsApp's `380501112233` are one identity.",
  ),
  maxBodyBytes: variable(
    'OMNIHUB_MAX_BODY_BYTES',
    z.coerce
      .number()
      .int()
      .positive()
      .max(6 * 1024 * 1024)
      .default(DEFAULT_MAX_BODY_BYTES),
    'Largest webhook body accepted; a larger one is answered `413`.',
  ),
  publicBaseUrl: variable(
    'OMNIHUB_PUBLIC_BASE_URL',
    z.url().optional(),
    'The public URL vendors call (custom domain, stage); URL-signing vendors (Twilio, Square, HubSpot) verify against it. Unset: derived from the request.',
  ),
  consoleUrl: variable(
    'OMNIHUB_CONSOLE_URL',
    z.url().optional(),
    "The console's address, for the customer links of caller recognition (`GET /v1/lookup`, Binotel's screen-pop). Locally it defaults to the hub's own address; on AWS the stack sets it on ingest and api (context `consoleUrl`, else the stack's console); unset, the link is left out.",
  ),
  dedupeTtlDays: variable(
    'OMNIHUB_DEDUPE_TTL_DAYS',
    z.coerce.number().int().min(7).default(30),
    'How long a processed event id is remembered, in days (at least 7: WhatsApp redelivers for up to 7 days).',
  ),
  archiveRetentionDays: variable(
    'OMNIHUB_ARCHIVE_RETENTION_DAYS',
    z.coerce.number().int().min(1).max(3650).default(90),
    'Days the bus archive keeps events (the stack sets it from its archive). Erasure holds are kept this long (at least the 14 days of queue retention) plus a day, so no replay, redrive or redelivery brings an erased person back; locally the archive file is trimmed to it at start.',
  ),
  ignoredIdentities: variable(
    'OMNIHUB_IGNORED_IDENTITIES',
    list,
    "Comma-separated `type:value` identities never used to link people: the shop's own phone, a shared family email, test numbers.",
  ),
  maxIdentitiesPerType: variable(
    'OMNIHUB_MAX_IDENTITIES_PER_TYPE',
    z.coerce.number().int().min(1).max(100).default(10),
    'Guard rail: a profile links at most this many identities of one type, and merges beyond it are refused.',
  ),
  lifespanYears: variable(
    'OMNIHUB_LIFESPAN_YEARS',
    z.coerce.number().positive().max(50).default(3),
    'Expected customer lifespan used by lifetime value, in years.',
  ),
  lifetimeValueThresholds: variable(
    'OMNIHUB_LIFETIME_VALUE_THRESHOLDS',
    z
      .string()
      .default('')
      .transform((v, ctx) => {
        const out: { currency: string; amountMinor: number }[] = [];
        for (const part of v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)) {
          const m = /^([A-Z]{3}):(\d{1,15})$/.exec(part);
          if (!m) {
            ctx.addIssue({
              code: 'custom',
              message: `"${part}" is not <ISO 4217 currency>:<amount in minor units>, e.g. UAH:500000`,
            });
            return z.NEVER;
          }
          out.push({ currency: m[1] as string, amountMinor: Number(m[2]) });
        }
        return out;
      }),
    'Comma-separated lifetime values, each `<currency>:<amount in minor units>` (e.g. `UAH:500000,UAH:2000000,EUR:50000`): a customer whose lifetime value crosses one, up or down, gets a `customer.updated` naming `lifetimeValue`. Unset: lifetime value alone never makes one.',
  ),
  abandonedCartHours: variable(
    'OMNIHUB_ABANDONED_CART_HOURS',
    z.coerce.number().positive().default(24),
    'A cart with no order for this many hours counts as abandoned (the hub then publishes `cart.abandoned`).',
  ),
  leadUnansweredMinutes: variable(
    'OMNIHUB_LEAD_UNANSWERED_MINUTES',
    z.coerce.number().min(0).max(10_080).default(15),
    'A lead or callback request with no outbound message and no call for this many minutes publishes `lead.unanswered`; 0 turns it off.',
  ),
  inactiveDays: variable(
    'OMNIHUB_INACTIVE_DAYS',
    z.coerce.number().min(0).max(3650).default(0),
    'A customer with no interaction (message, call, form, cart, order…) for this many days gets `customer.inactive` (one timer per customer, re-armed when it fires); 0 turns it off.',
  ),
  birthdayTime: variable(
    'OMNIHUB_BIRTHDAY_TIME',
    z
      .string()
      .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM (24-hour, the customer’s time zone) or off')
      .default('10:00'),
    'Local time (in the customer’s zone) of `customer.birthday` on her birthday; `off` turns it off.',
  ),
  birthdayTrait: variable(
    'OMNIHUB_BIRTHDAY_TRAIT',
    z.string().min(1).max(64).default('birthday'),
    'The trait holding the birthday (`1990-05-14`, `05-14`, `--05-14` or `14.05.1990`).',
  ),
  subscriptionPrefix: variable(
    'OMNIHUB_SUBSCRIPTION_PREFIX',
    z.string().regex(/^omnihub-[a-z0-9-]+-sub-$/, 'omnihub-<stage>-sub-'),
    'Name prefix of the subscription rules and queues (`omnihub-<stage>-sub-`).',
    'aws',
  ),
  subscriptionSecretPrefix: variable(
    'OMNIHUB_SUBSCRIPTION_SECRET_PREFIX',
    z.string().min(1),
    'Secrets Manager name prefix of the per-subscription signing secrets and credentials.',
    'aws',
  ),
  eventBusArn: variable(
    'OMNIHUB_EVENT_BUS_ARN',
    arn('EventBridge bus'),
    'The hub bus: region, account and name for queue URLs and replay destinations.',
    'aws',
  ),
  archiveArn: variable(
    'OMNIHUB_EVENT_ARCHIVE_ARN',
    arn('EventBridge archive'),
    'The bus archive replays read from; unset, replays are refused.',
    'aws',
  ),
  queueArnPrefix: variable(
    'OMNIHUB_QUEUE_ARN_PREFIX',
    arn('SQS queue').refine(
      (v) => v.split(':')[2] === 'sqs',
      'an SQS ARN prefix: arn:aws:sqs:<region>:<account>:omnihub-<stage>-',
    ),
    "ARN prefix of the hub's queues (`arn:aws:sqs:<region>:<account>:omnihub-<stage>-`): `/v1/queues` finds each queue and its dead-letter queues by name under it. Unset: `/v1/queues` answers 500 naming it.",
    'aws',
  ),
  athenaWorkGroup: variable(
    'OMNIHUB_ATHENA_WORKGROUP',
    z.string().min(1),
    'The Athena workgroup `GET /v1/metrics` runs in (results location, encryption and scan limit enforced); unset, the API answers 503 for metrics.',
    'aws',
  ),
  analyticsDatabase: variable(
    'OMNIHUB_ANALYTICS_DATABASE',
    z.string().regex(/^[a-z0-9_]{1,255}$/, 'a Glue database name: lowercase letters, digits and _'),
    'The Glue database of the analytics lake table and its views.',
    'aws',
  ),
  lakeBucket: variable(
    'OMNIHUB_LAKE_BUCKET',
    z.string().regex(/^[a-z0-9.-]{3,63}$/, 'an S3 bucket name'),
    'The S3 bucket of the analytics lake, whose partitions the compaction job rewrites to remove erased customers.',
    'aws',
  ),
  lakeStream: variable(
    'OMNIHUB_LAKE_STREAM',
    z.string().min(1),
    'The Firehose stream the analytics lake rows go to (applied events, merges, erasures, unmerges); unset, nothing is sent.',
    'aws',
  ),
  outboundConnectors: variable(
    'OMNIHUB_OUTBOUND_CONNECTORS',
    list,
    'Connectors that send outbound messages, comma-separated (`whatsapp,telegram,twilio,ses`); the first per channel sends for it (docs/outbound.md). On AWS the stage context `outboundConnectors` sets it; locally, unset, every connector whose credentials and sender identity are set sends.',
  ),
  quietHours: variable(
    'OMNIHUB_QUIET_HOURS',
    z
      .string()
      .regex(
        /^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/,
        'HH:MM-HH:MM (24-hour, e.g. 21:00-09:00) or off',
      )
      .default('21:00-09:00'),
    "Daily window, in the customer's own time zone, in which marketing waits for its end (service and transactional messages never do); `off` disables it.",
  ),
  messageRetentionDays: variable(
    'OMNIHUB_MESSAGE_RETENTION_DAYS',
    z.coerce.number().int().min(1).max(3650).default(90),
    'Days an outbound message (its status, attempts and idempotency key) is kept.',
  ),
  sendMaxAttempts: variable(
    'OMNIHUB_SEND_MAX_ATTEMPTS',
    z.coerce.number().int().min(1).max(50).default(6),
    'Attempts per channel on transient vendor failures (429, 5xx, timeouts) before the message falls back to the next channel.',
  ),
  sendRetryWindowHours: variable(
    'OMNIHUB_SEND_RETRY_WINDOW_HOURS',
    z.coerce.number().positive().max(72).default(24),
    "Hours after a channel's first attempt during which transient failures are retried.",
  ),
  senderQueueUrl: variable(
    'OMNIHUB_SENDER_QUEUE_URL',
    z.url(),
    "The sender rule's queue: retries up to 15 minutes away go back to it with an SQS delay.",
    'aws',
  ),
  senderQueueArn: variable(
    'OMNIHUB_SENDER_QUEUE_ARN',
    arn('SQS queue'),
    'The same queue, as the target of the one-time schedules of longer deferrals.',
    'aws',
  ),
  senderDlqArn: variable(
    'OMNIHUB_SENDER_DLQ_ARN',
    arn('SQS queue'),
    "The sender queue's dead-letter queue: where EventBridge Scheduler puts a wake-up it could not deliver.",
    'aws',
  ),
  automationsQueueUrl: variable(
    'OMNIHUB_AUTOMATIONS_QUEUE_URL',
    z.url(),
    "The automations rule's queue: the runner's timers come back to it (SQS delay up to 15 minutes, a one-time schedule beyond).",
    'aws',
  ),
  automationsQueueArn: variable(
    'OMNIHUB_AUTOMATIONS_QUEUE_ARN',
    arn('SQS queue'),
    'The same queue, as the target of the automation timers’ one-time schedules.',
    'aws',
  ),
  automationsDlqArn: variable(
    'OMNIHUB_AUTOMATIONS_DLQ_ARN',
    arn('SQS queue'),
    "The automations queue's dead-letter queue: where EventBridge Scheduler puts a timer it could not deliver.",
    'aws',
  ),
  scheduleGroup: variable(
    'OMNIHUB_SCHEDULE_GROUP',
    z.string().min(1),
    'EventBridge Scheduler group of the function’s one-time schedules (`omnihub-<stage>-messages` for the sender, `omnihub-<stage>-automations` for the runner).',
    'aws',
  ),
  scheduleRoleArn: variable(
    'OMNIHUB_SCHEDULE_ROLE_ARN',
    arn('IAM role'),
    'Role EventBridge Scheduler assumes to put a schedule’s message on the function’s queue.',
    'aws',
  ),
  port: variable('PORT', z.coerce.number().int().min(0).max(65_535).default(3000), 'Port of the local hub.', 'local'),
  host: variable('HOST', z.string().min(1).default('127.0.0.1'), 'Address the local hub listens on.', 'local'),
  dataDir: variable(
    'OMNIHUB_DATA_DIR',
    z.string().min(1).default('.omnihub'),
    "Folder of the local hub's data (DynamoDB Local, queue journals, the event archive, the API token), kept across restarts.",
    'local',
  ),
  apiToken: variable(
    'OMNIHUB_API_TOKEN',
    z.string().min(1).optional(),
    'Bearer token of the local API. Unset: a random one is generated at start and written to `<data dir>/api-token`.',
    'local',
  ),
  consoleUsers: variable(
    'OMNIHUB_CONSOLE_USERS',
    z.string().min(1).optional(),
    'Console logins besides the API token (an administrator): `name:role:token,…`, role `viewer`, `agent` or `admin`, tokens of at least 22 characters (docs/console.md).',
    'local',
  ),
  fsync: variable(
    'OMNIHUB_FSYNC',
    z
      .enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0 (true or false)' })
      .default('0')
      .transform((v) => v === '1' || v === 'true'),
    'Flush every journal append to the disk before the 2xx (`1`), so a power loss loses no acknowledged webhook; off, a process crash still loses none (docs/operations.md).',
    'local',
  ),
  allowLocalUrls: variable(
    'OMNIHUB_ALLOW_LOCAL_URLS',
    z
      .enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0 (true or false)' })
      .default('1')
      .transform((v) => v === '1' || v === 'true'),
    'Let subscriptions and vendor API calls (hydration and sends) reach `localhost`/loopback (over http too), for receivers and fake vendor APIs on this machine (`1`, the local default). Private, link-local and metadata addresses stay refused; a deployed hub never allows loopback.',
    'local',
  ),
  subscriptionsFile: variable(
    'OMNIHUB_SUBSCRIPTIONS_FILE',
    z.string().min(1).optional(),
    "The subscriptions the local hub runs: a `.json` file (the array `subscriptions.config.ts` declares) or a module exporting `subscriptions`. Unset: the repository's `subscriptions.config.ts`.",
    'local',
  ),
  drainSeconds: variable(
    'OMNIHUB_DRAIN_SECONDS',
    z.coerce.number().min(0).max(3_600).default(30),
    'On Ctrl-C, how long the local hub lets its queues drain against the running store before it stops them (what is left stays in the journals); a second Ctrl-C stops waiting.',
    'local',
  ),
} as const satisfies Record<string, EnvVariable>;

type VariableKey = keyof typeof VARIABLES;

/** Variable names by key (`ENV.tableName` → `OMNIHUB_TABLE_NAME`), for the stack and tests. */
export const ENV = Object.fromEntries(Object.entries(VARIABLES).map(([k, v]) => [k, v.name])) as {
  readonly [K in VariableKey]: (typeof VARIABLES)[K]['name'];
};

/** How a function uses a variable: `required`, or `optional` (a feature turned off when unset). */
type Usage = 'required' | 'optional';

type Variables = Readonly<Partial<Record<VariableKey, Usage>>>;

/** A function's configuration: the variables it reads, and how. */
export interface FunctionConfig<V extends Variables = Variables> {
  readonly fn: string;
  readonly variables: V;
}

const config = <const V extends Variables>(fn: string, variables: V): FunctionConfig<V> => ({ fn, variables });

/** The variables of the profile store (linking guard rails, dedupe, how long erasure holds last). */
const STORE = {
  tableName: 'required',
  defaultCountry: 'required',
  dedupeTtlDays: 'required',
  ignoredIdentities: 'required',
  maxIdentitiesPerType: 'required',
  archiveRetentionDays: 'required',
  lifespanYears: 'required',
  lifetimeValueThresholds: 'required',
} as const;

/** The outbound settings (which connectors send, quiet hours, retention, retries). */
const OUTBOUND = {
  outboundConnectors: 'required',
  quietHours: 'required',
  messageRetentionDays: 'required',
  sendMaxAttempts: 'required',
  sendRetryWindowHours: 'required',
} as const;

/**
 * Each function's configuration. `required` means the function cannot start
 * without a value (a default counts as one); `optional` variables switch a
 * feature on (subscriptions in the API, a custom public URL).
 */
export const FUNCTION_CONFIGS = {
  ingest: config('ingest', {
    // Only for the replay guard's one-time values and reading caller cards (its IAM grant covers those keys alone).
    tableName: 'required',
    eventBusName: 'required',
    secretPrefix: 'required',
    defaultCountry: 'required',
    maxBodyBytes: 'required',
    publicBaseUrl: 'optional',
    // Binotel's apiCallSettings card: its console link and lifetime value.
    consoleUrl: 'optional',
    lifespanYears: 'required',
  }),
  'profile-writer': config('profile-writer', { ...STORE, eventBusName: 'required', lakeStream: 'optional' }),
  hydrator: config('hydrator', { eventBusName: 'required', secretPrefix: 'required', defaultCountry: 'required' }),
  api: config('api', {
    ...STORE,
    eventBusName: 'required',
    secretPrefix: 'required',
    publicBaseUrl: 'optional',
    consoleUrl: 'optional',
    lifespanYears: 'required',
    abandonedCartHours: 'required',
    subscriptionPrefix: 'optional',
    eventBusArn: 'optional',
    archiveArn: 'optional',
    queueArnPrefix: 'optional',
    athenaWorkGroup: 'optional',
    analyticsDatabase: 'optional',
    lakeStream: 'optional',
    ...OUTBOUND,
  }),
  'analytics-views': config('analytics-views', { athenaWorkGroup: 'required', analyticsDatabase: 'required' }),
  'lake-compactor': config('lake-compactor', {
    athenaWorkGroup: 'required',
    analyticsDatabase: 'required',
    lakeBucket: 'required',
  }),
  // The console's Cognito pre-token-generation trigger: a pure mapping, no configuration.
  'console-token': config('console-token', {}),
  sender: config('sender', {
    ...STORE,
    ...OUTBOUND,
    eventBusName: 'required',
    secretPrefix: 'required',
    publicBaseUrl: 'optional',
    senderQueueUrl: 'required',
    senderQueueArn: 'required',
    senderDlqArn: 'optional',
    scheduleGroup: 'required',
    scheduleRoleArn: 'required',
  }),
  automations: config('automations', {
    ...STORE,
    ...OUTBOUND,
    eventBusName: 'required',
    abandonedCartHours: 'required',
    leadUnansweredMinutes: 'required',
    inactiveDays: 'required',
    birthdayTime: 'required',
    birthdayTrait: 'required',
    automationsQueueUrl: 'required',
    automationsQueueArn: 'required',
    automationsDlqArn: 'optional',
    scheduleGroup: 'required',
    scheduleRoleArn: 'required',
  }),
  'message-status': config('message-status', { ...STORE, eventBusName: 'required', messageRetentionDays: 'required' }),
  dispatcher: config('dispatcher', {
    tableName: 'required',
    subscriptionPrefix: 'required',
    subscriptionSecretPrefix: 'required',
    lifespanYears: 'required',
  }),
  'local-hub': config('local-hub', {
    port: 'required',
    host: 'required',
    dataDir: 'required',
    apiToken: 'optional',
    consoleUsers: 'optional',
    fsync: 'required',
    allowLocalUrls: 'required',
    drainSeconds: 'required',
    subscriptionsFile: 'optional',
    defaultCountry: 'required',
    maxBodyBytes: 'required',
    publicBaseUrl: 'optional',
    consoleUrl: 'optional',
    dedupeTtlDays: 'required',
    ignoredIdentities: 'required',
    maxIdentitiesPerType: 'required',
    archiveRetentionDays: 'required',
    lifespanYears: 'required',
    lifetimeValueThresholds: 'required',
    abandonedCartHours: 'required',
    leadUnansweredMinutes: 'required',
    inactiveDays: 'required',
    birthdayTime: 'required',
    birthdayTrait: 'required',
    ...OUTBOUND,
  }),
} as const;

export type FunctionName = keyof typeof FUNCTION_CONFIGS;

/** The parsed configuration of a function: one typed field per variable it declares. */
export type ConfigOf<C extends FunctionConfig> = {
  readonly [K in keyof C['variables'] & VariableKey]: C['variables'][K] extends 'required'
    ? z.output<(typeof VARIABLES)[K]['schema']>
    : z.output<(typeof VARIABLES)[K]['schema']> | undefined;
};

/** The configuration is invalid; the message names each bad variable (never its value: it may be a token). */
export class ConfigError extends HubError {
  constructor(
    readonly fn: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid configuration of the ${fn} function: ${issues.join('; ')}`, 500, 'invalid_configuration');
  }
}

/**
 * The schema of one function's configuration, over the environment: keys are
 * the variable names, so zod's issue paths are the names themselves.
 */
const configSchema = (spec: FunctionConfig) =>
  z.object(
    Object.fromEntries(
      Object.entries(spec.variables).map(([key, usage]) => {
        const v = VARIABLES[key as VariableKey];
        return [v.name, usage === 'optional' ? v.schema.optional() : v.schema];
      }),
    ),
  );

/** Reads and validates a function's configuration; throws a {@link ConfigError} naming every bad variable. */
export const readFunctionConfig = <C extends FunctionConfig>(
  spec: C,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<C> => {
  const keys = Object.keys(spec.variables) as VariableKey[];
  // An empty value counts as unset, as shells and CloudFormation write "unset" as "".
  const raw = Object.fromEntries(keys.map((k) => [VARIABLES[k].name, env[VARIABLES[k].name] || undefined]));
  const result = configSchema(spec).safeParse(raw);
  if (!result.success)
    throw new ConfigError(
      spec.fn,
      result.error.issues.map((i) => {
        const name = String(i.path[0] ?? '');
        return raw[name] === undefined ? `${name} is not set` : `${name}: ${i.message}`;
      }),
    );
  const data = result.data as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, data[VARIABLES[k].name]])) as ConfigOf<C>;
};

/** Variables the runtime reads itself, not the hub's code: allowed on every function. */
const RUNTIME_VARIABLE = /^(NODE_OPTIONS|POWERTOOLS_[A-Z_]+|AWS_[A-Z_]+)$/;

/** Names among `names` that the configuration does not declare (runtime variables aside). */
export const undeclaredVariables = (spec: FunctionConfig, names: readonly string[]): string[] => {
  const declared = new Set(Object.keys(spec.variables).map((k) => VARIABLES[k as VariableKey].name));
  return names.filter((n) => !declared.has(n) && !RUNTIME_VARIABLE.test(n));
};

/** Required variables without a default that are missing from `names`: the function could not start. */
export const unsetRequiredVariables = (spec: FunctionConfig, names: readonly string[]): string[] => {
  const set = new Set(names);
  return Object.entries(spec.variables)
    .filter(([, usage]) => usage === 'required')
    .map(([key]) => VARIABLES[key as VariableKey])
    .filter((v) => !set.has(v.name) && !v.schema.safeParse(undefined).success)
    .map((v) => v.name);
};
