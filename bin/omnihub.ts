/**
 * `omnihub`: the command line of the hub.
 *
 *   omnihub subscriptions list [--live]           what subscriptions.config.ts declares (and live stats)
 *   omnihub subscriptions test <name> --event <file>   does this event match? (the local matcher)
 *   omnihub replay --subscription <name> --from <ISO> --to <ISO>   backfill from the archive
 *   omnihub dlq redrive <name>                    re-deliver a subscription's dead letters
 *   omnihub send <connector> <fixture>            post a correctly signed sample webhook
 *
 * Local by default (a running `npm start`, `--url`); `replay` and `dlq
 * redrive` take `--aws [--stage <stage>]` to act on a deployed stage with the
 * AWS credentials of the shell. Exit codes: 0 done (or: matched), 1 failed
 * (or: no match), 2 usage or configuration error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A mistake of the caller: exit code 2 with a hint. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command ran and failed (HTTP error, no match): exit code 1. */
class CommandFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const HELP = {
  main: `omnihub — the Omnihub command line

Usage:
  omnihub subscriptions list [--live] [--json]
  omnihub subscriptions test <name> --event <file> [--connector <name>]
  omnihub replay --subscription <name> --from <ISO time> --to <ISO time>
  omnihub dlq redrive <name>
  omnihub send <connector> <fixture>

Target of replay, dlq redrive, send and list --live:
  --url <url>      a running local hub (default http://localhost:$PORT or :3000)
  --token <token>  its API token (default $OMNIHUB_API_TOKEN, else .omnihub/api-token)
  --aws            replay / dlq redrive on a deployed stage (AWS credentials of the shell)
  --stage <stage>  with --aws (default dev)

Run "omnihub <command> --help" for details. Docs: docs/subscriptions.md`,
  list: `omnihub subscriptions list [--live] [--json] [--url <url>] [--token <token>]

Lists the subscriptions of subscriptions.config.ts: name, target, pattern.
--live adds delivery counters and queue depths from a running local hub.`,
  test: `omnihub subscriptions test <name> --event <file> [--connector <name>]

Tells whether an event matches the subscription's pattern, with the same
EventBridge-compatible matcher the local bus uses (the TestEventPattern
question). <file> is an EventBridge envelope, a hub event, or — with
--connector — a raw vendor payload (e.g. functions/connectors/marquiz/fixtures/lead.json),
normalized first. Prints the body the subscriber would receive.
Exit code 0 when at least one event matches, 1 when none does.`,
  replay: `omnihub replay --subscription <name> --from <ISO> --to <ISO> [--aws [--stage <stage>] | --url <url>]

Re-delivers the archived hub events with from <= time < to to this
subscription only (a backfill). Deliveries are marked: header
"omnihub-replay: <replay name>" and "replay-name" in the envelope.
Locally it reads .omnihub/archive.jsonl through the running hub; with --aws it
starts an EventBridge replay of the stage's archive filtered to the
subscription's rule.`,
  redrive: `omnihub dlq redrive <name> [--aws [--stage <stage>] | --url <url>]

Moves the subscription's dead letters back to its queue, so they are
delivered again (webhook subscriptions). On AWS: an SQS message move task.`,
  send: `omnihub send <connector> <fixture> [--url <url>]

Posts functions/connectors/<connector>/fixtures/<fixture> to a running hub,
signed exactly as the vendor would sign it with the secrets in the
environment (OMNIHUB_SECRET_<CONNECTOR>, …: the values the hub runs with).
Example: omnihub send marquiz lead.json`,
} as const;

const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  token: { type: 'string' },
  aws: { type: 'boolean' },
  stage: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const parse = <O extends ParseArgsConfig['options']>(args: string[], options: O, help: string) => {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, help);
  }
};

const hubUrl = (url: string | undefined): string =>
  (url ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');

/** `--token`, then OMNIHUB_API_TOKEN, then the file a local hub writes into its data folder. */
const apiToken = (token: string | undefined): string => {
  if (token) return token;
  if (process.env.OMNIHUB_API_TOKEN) return process.env.OMNIHUB_API_TOKEN;
  const file = join(resolve(process.env.OMNIHUB_DATA_DIR ?? join(ROOT, '.omnihub')), 'api-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new UsageError(
    'No API token: pass --token, set OMNIHUB_API_TOKEN, or start the hub with `npm start` (it writes .omnihub/api-token)',
  );
};

const loadSubscriptions = async () => {
  try {
    return (await import('../subscriptions.config.js')).subscriptions;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
};

const requireSubscription = async (name: string | undefined, help: string) => {
  if (!name) throw new UsageError('Missing the subscription name', help);
  const subscriptions = await loadSubscriptions();
  const found = subscriptions.find((s) => s.name === name);
  if (!found)
    throw new UsageError(
      `No subscription named "${name}" in subscriptions.config.ts (have: ${subscriptions.map((s) => s.name).join(', ') || 'none'})`,
    );
  return found;
};

/** Calls the hub's API; a non-2xx answer is a failure with the hub's own message. */
const callHub = async (url: string, token: string, method: string, path: string, body?: unknown): Promise<any> => {
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new CommandFailedError(
      `Cannot reach the hub at ${url} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); is \`npm start\` running?`,
    );
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as any) : {};
  if (!res.ok) throw new CommandFailedError(`${method} ${path} → HTTP ${res.status}: ${json?.error?.message ?? text}`);
  return json;
};

/** The stage's bus and archive ARNs, looked up by the names the stack gives them. */
const awsOperations = async (stage: string) => {
  const [
    { EventBridgeClient, DescribeEventBusCommand, DescribeArchiveCommand },
    { SQSClient },
    { AwsSubscriptionOperations },
    { subscriptionPrefix },
  ] = await Promise.all([
    import('@aws-sdk/client-eventbridge'),
    import('@aws-sdk/client-sqs'),
    import('../functions/adapters/aws/aws-subscription-operations.js'),
    import('../functions/subscriptions/naming.js'),
  ]);
  const eventBridge = new EventBridgeClient({});
  const stagePrefix = `omnihub-${stage}`;
  const bus = await eventBridge.send(new DescribeEventBusCommand({ Name: stagePrefix }));
  const archive = await eventBridge
    .send(new DescribeArchiveCommand({ ArchiveName: `${stagePrefix}-archive` }))
    .catch(() => undefined);
  return new AwsSubscriptionOperations(
    { sqs: new SQSClient({}), eventBridge },
    {
      subscriptions: await loadSubscriptions(),
      prefix: subscriptionPrefix(stagePrefix),
      eventBusArn: bus.Arn as string,
      ...(archive?.ArchiveArn ? { archiveArn: archive.ArchiveArn } : {}),
    },
  );
};

const print = (json: boolean | undefined, value: unknown, text: string): void =>
  console.log(json ? JSON.stringify(value, null, 2) : text);

// ------------------------------------------------------------------ commands

const listCommand = async (args: string[]): Promise<number> => {
  const { values } = parse(args, { live: { type: 'boolean' } }, HELP.list);
  if (values.help) {
    console.log(HELP.list);
    return 0;
  }
  const subscriptions = await loadSubscriptions();
  const live = values.live
    ? ((await callHub(hubUrl(values.url), apiToken(values.token), 'GET', '/v1/subscriptions')).subscriptions as any[])
    : undefined;
  if (values.json) {
    print(true, live ?? subscriptions, '');
    return 0;
  }
  if (subscriptions.length === 0) {
    console.log('No subscriptions. Add one to subscriptions.config.ts (docs/subscriptions.md).');
    return 0;
  }
  for (const s of subscriptions) {
    const where =
      'url' in s.target
        ? s.target.url
        : s.target.type === 'sqs'
          ? s.target.queueArn
          : s.target.type === 'lambda'
            ? s.target.functionArn
            : s.target.eventBusArn;
    console.log(
      `${s.name}${s.enabled ? '' : ' (disabled)'}\n  target   ${s.target.type} → ${where}\n  pattern  ${JSON.stringify(s.pattern)}`,
    );
    if (s.transform) console.log(`  transform ${JSON.stringify(s.transform)}`);
    const stats = live?.find((x) => x.name === s.name);
    if (stats) {
      const d = stats.deliveries;
      const q = stats.queue ? `, queue ${stats.queue.pending ?? 0} pending / ${stats.queue.deadLettered} in DLQ` : '';
      console.log(
        `  stats    ${d.delivered} delivered, ${d.failedAttempts} failed attempts, ${d.deadLettered} dead-lettered${d.matched ? `, ${d.matched} matched` : ''}${q}${d.lastError ? `\n  last failure ${d.lastError}` : ''}`,
      );
    }
  }
  return 0;
};

const testCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parse(args, { event: { type: 'string' }, connector: { type: 'string' } }, HELP.test);
  if (values.help) {
    console.log(HELP.test);
    return 0;
  }
  const subscription = await requireSubscription(positionals[0], HELP.test);
  if (!values.event) throw new UsageError('Missing --event <file>', HELP.test);
  if (!existsSync(values.event)) throw new UsageError(`No such file: ${values.event}`);
  const [{ compilePattern }, { toBusEntry, toEnvelope }, { parseHubEvent }, { applyTransform }] = await Promise.all([
    import('../functions/events/pattern-matcher.js'),
    import('../functions/events/envelope.js'),
    import('../functions/events/hub-event.js'),
    import('../functions/subscriptions/transform.js'),
  ]);
  const raw = readFileSync(values.event);
  let envelopes: Record<string, any>[];
  if (values.connector) {
    const { findConnector } = await import('../functions/connectors/index.js');
    const connector = findConnector(values.connector);
    if (!connector) throw new UsageError(`No connector named "${values.connector}"`);
    const url = `http://localhost/webhooks/${connector.name}`;
    const req = {
      method: 'POST',
      url,
      path: `/webhooks/${connector.name}`,
      query: {},
      headers: { 'content-type': 'application/json' },
      body: raw,
    };
    const { events } = connector.normalize(connector.parse(req), {
      receivedAt: new Date().toISOString(),
      defaultCountry: 'UA',
    });
    envelopes = events.map((e) => toEnvelope(toBusEntry(e)) as Record<string, any>);
  } else {
    let json: any;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new UsageError(`${values.event} is not JSON: ${(err as Error).message}`);
    }
    const list = Array.isArray(json) ? json : [json];
    envelopes = list.map((item) => {
      if (item && typeof item === 'object' && 'detail-type' in item && 'detail' in item) return item;
      if (item && typeof item === 'object' && 'schemaVersion' in item && 'type' in item)
        return toEnvelope(toBusEntry(parseHubEvent(item))) as Record<string, any>;
      throw new UsageError(
        `${values.event} holds neither an EventBridge envelope nor a hub event; for a raw vendor payload add --connector <name>`,
      );
    });
  }
  const matches = compilePattern(subscription.pattern);
  let matched = 0;
  for (const envelope of envelopes) {
    const ok = matches(envelope);
    if (ok) matched++;
    console.log(
      `${ok ? 'MATCH   ' : 'NO MATCH'}  ${subscription.name} ← ${envelope['detail-type']} ${envelope.detail?.id ?? envelope.id}`,
    );
    if (ok && subscription.transform)
      console.log(`  body: ${JSON.stringify(applyTransform(subscription.transform, envelope))}`);
  }
  if (envelopes.length === 0) console.log('The payload produced no hub events.');
  return matched > 0 ? 0 : 1;
};

const replayCommand = async (args: string[]): Promise<number> => {
  const { values } = parse(
    args,
    { subscription: { type: 'string', short: 's' }, from: { type: 'string' }, to: { type: 'string' } },
    HELP.replay,
  );
  if (values.help) {
    console.log(HELP.replay);
    return 0;
  }
  const subscription = await requireSubscription(values.subscription, HELP.replay);
  const from = values.from ? new Date(values.from) : undefined;
  const to = values.to ? new Date(values.to) : undefined;
  if (!from || Number.isNaN(from.getTime()))
    throw new UsageError('--from must be an ISO time, e.g. 2025-01-01T00:00:00Z', HELP.replay);
  if (!to || Number.isNaN(to.getTime()))
    throw new UsageError('--to must be an ISO time, e.g. 2025-02-01T00:00:00Z', HELP.replay);
  if (from >= to) throw new UsageError('--from must be before --to', HELP.replay);
  const result = values.aws
    ? await (await awsOperations(values.stage ?? 'dev')).replay(subscription.name, { from, to })
    : await callHub(
        hubUrl(values.url),
        apiToken(values.token),
        'POST',
        `/v1/subscriptions/${subscription.name}/replay`,
        { from: from.toISOString(), to: to.toISOString() },
      );
  const detail =
    result.replayed !== undefined
      ? `${result.replayed} archived event(s) re-delivered`
      : `EventBridge replay ${result.state}; follow it with: aws events describe-replay --replay-name ${result.replayName}`;
  print(values.json, result, `Replay ${result.replayName} → ${subscription.name}: ${detail}`);
  return 0;
};

const redriveCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parse(args, {}, HELP.redrive);
  if (values.help || positionals[0] !== 'redrive') {
    if (values.help) {
      console.log(HELP.redrive);
      return 0;
    }
    throw new UsageError(`Unknown dlq command "${positionals[0] ?? ''}"`, HELP.redrive);
  }
  const subscription = await requireSubscription(positionals[1], HELP.redrive);
  const result = values.aws
    ? await (await awsOperations(values.stage ?? 'dev')).redrive(subscription.name)
    : await callHub(
        hubUrl(values.url),
        apiToken(values.token),
        'POST',
        `/v1/subscriptions/${subscription.name}/redrive`,
      );
  const text =
    'moved' in result
      ? `${result.moved} dead letter(s) of ${subscription.name} back in its queue`
      : `Message move task ${result.taskHandle} started (~${result.approximateMessages ?? '?'} message(s))`;
  print(values.json, result, text);
  return 0;
};

const sendCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parse(args, {}, HELP.send);
  if (values.help) {
    console.log(HELP.send);
    return 0;
  }
  const [connectorName, fixtureName] = positionals;
  if (!connectorName || !fixtureName) throw new UsageError('Usage: omnihub send <connector> <fixture>', HELP.send);
  const { findConnector, listConnectors } = await import('../functions/connectors/index.js');
  const connector = findConnector(connectorName);
  if (!connector)
    throw new UsageError(
      `No connector named "${connectorName}" (have: ${listConnectors()
        .map((c) => c.name)
        .join(', ')})`,
    );
  const dir = join(ROOT, 'functions', 'connectors', connector.name, 'fixtures');
  const file = [fixtureName, `${fixtureName}.json`].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new UsageError(`No fixture ${fixtureName} in ${dir}`);
  const secrets = Object.fromEntries(connector.secrets.map((spec) => [spec.name, process.env[spec.env] || undefined]));
  const missing = connector.secrets.filter((spec) => spec.required && !secrets[spec.name]);
  if (missing.length > 0) {
    throw new UsageError(
      `Set ${missing.map((s) => s.env).join(', ')} to the value(s) the hub runs with, so the sample is signed with them`,
    );
  }
  // The fixture catalogue says how the vendor sends each file (content type, method).
  const catalogue = existsSync(join(dir, 'fixtures.json'))
    ? (JSON.parse(readFileSync(join(dir, 'fixtures.json'), 'utf8')) as {
        file: string;
        contentType?: string;
        method?: string;
      }[])
    : [];
  const meta = catalogue.find((f) => f.file === file.slice(dir.length + 1));
  const contentType = meta?.contentType ?? 'application/json';
  const method = meta?.method ?? 'POST';
  const body = readFileSync(file);
  const signed = connector.signSample(
    { url: `${hubUrl(values.url)}/webhooks/${connector.name}`, method, body, contentType, now: new Date() },
    secrets,
  );
  let res: Response;
  try {
    res = await fetch(signed.url, {
      method,
      headers: { 'content-type': contentType, ...signed.headers },
      body: signed.body ?? body,
    });
  } catch (err) {
    throw new CommandFailedError(
      `Cannot reach the hub at ${hubUrl(values.url)} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); is \`npm start\` running?`,
    );
  }
  console.log(
    `${method} /webhooks/${connector.name} ← ${file.slice(ROOT.length + 1)}\nHTTP ${res.status} ${await res.text()}`,
  );
  return res.ok ? 0 : 1;
};

const main = async (argv: string[]): Promise<number> => {
  const [command, sub, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(HELP.main);
      return command === undefined ? 2 : 0;
    case 'subscriptions':
      if (sub === 'list') return listCommand(rest);
      if (sub === 'test') return testCommand(rest);
      if (sub === '--help' || sub === '-h') {
        console.log(`${HELP.list}\n\n${HELP.test}`);
        return 0;
      }
      throw new UsageError(`Unknown subscriptions command "${sub ?? ''}" (list, test)`, HELP.main);
    case 'replay':
      return replayCommand(argv.slice(1));
    case 'dlq':
      return redriveCommand(argv.slice(1));
    case 'send':
      return sendCommand(argv.slice(1));
    default:
      throw new UsageError(`Unknown command "${command}"`, HELP.main);
  }
};

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`omnihub: ${err.message}${err.help ? `\n\n${err.help}` : ''}`);
    process.exitCode = 2;
  } else if (err instanceof CommandFailedError) {
    console.error(`omnihub: ${err.message}`);
    process.exitCode = 1;
  } else {
    console.error(`omnihub: ${(err as Error).name}: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
