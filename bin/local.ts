/**
 * `npm start`: the whole hub on this machine — the same handlers as on AWS,
 * a local bus with EventBridge semantics, and the official DynamoDB Local,
 * with data kept in OMNIHUB_DATA_DIR (default `.omnihub/`). Configuration:
 * `FUNCTION_CONFIGS['local-hub']` (docs/configuration.md).
 */
import { resolve } from 'node:path';
import { listConnectors } from '../functions/connectors/index.js';
import { startLocalHub } from '../functions/runtime/local/local-hub.js';
import { ConfigError, FUNCTION_CONFIGS, readFunctionConfig } from '../functions/shared/config.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const readConfig = () => {
  try {
    return readFunctionConfig(FUNCTION_CONFIGS['local-hub']);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${err.message}\nSee docs/configuration.md.`);
    process.exit(2);
  }
};
const config = readConfig();
const dataDir = resolve(config.dataDir);

// The HTTP front in its own thread: acknowledgements never wait behind the consumers (runtime/local/front-thread.ts).
const hub = await startLocalHub({ port: config.port, host: config.host, dataDir, frontThread: true });
const configured = new Set(
  await Promise.all(
    listConnectors().map(async (c) => (c.secrets.every((s) => !s.required || process.env[s.env]) ? c.name : '')),
  ),
);

console.log(`Omnihub is running at ${hub.url}  (data: ${dataDir}, DynamoDB Local: ${hub.dynamoEndpoint})\n`);
console.log('Webhook URLs:');
const width = Math.max(...listConnectors().map((c) => c.name.length));
for (const c of listConnectors()) {
  const secretHint = c.secrets
    .filter((s) => s.required)
    .map((s) => s.env)
    .join(', ');
  console.log(
    `  ${c.name.padEnd(width)}  ${hub.url}/webhooks/${c.name}${configured.has(c.name) ? '' : `   (not configured: set ${secretHint})`}`,
  );
}
console.log(
  `\nRead API (Authorization: Bearer <token>):\n  ${hub.url}/v1/customers?identity=phone:+380501112233\n  API token: ${hub.apiToken}${config.apiToken ? ' (from OMNIHUB_API_TOKEN)' : ' (generated; set OMNIHUB_API_TOKEN to fix it)'}`,
);
console.log(
  `\nConsole: ${hub.url}/  (log in with the API token; viewer/agent logins: OMNIHUB_CONSOLE_USERS, see docs/console.md)`,
);
console.log('\nPress Ctrl-C to stop.');

// Ctrl-C reaches this process only: DynamoDB Local runs in its own process group, so the queues drain
// against a running store, and the hub stops the store last. A second Ctrl-C stops waiting for the drain.
const { drainSeconds } = config;
let stopping: { abort: AbortController; at: number } | undefined;
const shutdown = async (signal: string) => {
  if (stopping) {
    // The terminal may deliver one Ctrl-C twice (to the tsx wrapper and to us); only a later one counts.
    if (Date.now() - stopping.at > 1_000 && !stopping.abort.signal.aborted) {
      console.log(`${signal} again: stopping without waiting for the queues (their messages stay in the journals).`);
      stopping.abort.abort();
    }
    return;
  }
  stopping = { abort: new AbortController(), at: Date.now() };
  console.log(
    `\n${signal} received: new webhooks get 503, the queues drain (up to ${drainSeconds} s), then DynamoDB Local stops. Press Ctrl-C again not to wait.`,
  );
  const force = setTimeout(
    () => {
      console.error('Shutdown is taking too long; exiting. Queued messages are kept in the journals.');
      process.exit(1);
    },
    drainSeconds * 1000 + 30_000,
  );
  const { drained, pending } = await hub.shutdown({
    drainTimeoutMs: drainSeconds * 1000,
    abort: stopping.abort.signal,
  });
  clearTimeout(force);
  console.log(
    drained
      ? 'Stopped: every queue drained.'
      : `Stopped: ${pending} queued message(s) kept in ${dataDir}/queues, delivered at the next start.`,
  );
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
