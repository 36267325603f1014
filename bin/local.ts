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

const hub = await startLocalHub({ port: config.port, host: config.host, dataDir });
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
console.log('\nPress Ctrl-C to stop.');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received: finishing queued work and stopping DynamoDB Local…`);
  const force = setTimeout(() => process.exit(1), 15_000);
  await hub.stop();
  clearTimeout(force);
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
