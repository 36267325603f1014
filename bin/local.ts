/**
 * `npm start`: the whole hub on this machine — the same handlers as on AWS,
 * a local bus with EventBridge semantics, and the official DynamoDB Local,
 * with data kept in OMNIHUB_DATA_DIR (default `.omnihub/`).
 */
import { resolve } from 'node:path';
import { listConnectors } from '../functions/connectors/index.js';
import { startLocalHub } from '../functions/runtime/local/local-hub.js';

const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.OMNIHUB_DATA_DIR ?? '.omnihub');
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const hub = await startLocalHub({ port, host: process.env.HOST ?? '127.0.0.1', dataDir });
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
  `\nRead API (Authorization: Bearer <token>):\n  ${hub.url}/v1/customers?identity=phone:+380501112233\n  API token: ${hub.apiToken}${process.env.OMNIHUB_API_TOKEN ? ' (from OMNIHUB_API_TOKEN)' : ' (generated; set OMNIHUB_API_TOKEN to fix it)'}`,
);
console.log(
  `\nConsole: ${hub.url}/  (log in with the API token; viewer/agent logins: OMNIHUB_CONSOLE_USERS, see docs/console.md)`,
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
