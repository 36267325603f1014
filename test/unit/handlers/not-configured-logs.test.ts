/**
 * An unconfigured connector is refused with 503 (the vendor keeps
 * redelivering until an operator sets the secret), and logged as one WARN
 * line without a stack per connector per minute: its webhook URL is public,
 * so an ERROR with a stack per hit would be a log-flooding lever. Every log line is captured from stdout/stderr.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryReplayGuard } from '../../../functions/adapters/memory/memory-replay-guard.js';
import { createIngestHandler } from '../../../functions/handlers/ingest.js';
import { NOT_CONFIGURED_LOG_INTERVAL_MS } from '../../../functions/handlers/middleware.js';
import type { EventPublisher, SecretStore } from '../../../functions/ports.js';
import { logger } from '../../../functions/shared/logger.js';

const event = (connector: string, body = '{"entry":[]}'): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'POST /webhooks/{connector}',
  rawPath: `/webhooks/${connector}`,
  rawQueryString: '',
  headers: { host: 'hooks.example.test', 'content-type': 'application/json' },
  pathParameters: { connector },
  body,
  isBase64Encoded: false,
  requestContext: {
    accountId: '123456789012',
    apiId: 'test',
    domainName: 'hooks.example.test',
    domainPrefix: 'hooks',
    http: {
      method: 'POST',
      path: `/webhooks/${connector}`,
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.9',
      userAgent: 't',
    },
    requestId: 'r',
    routeKey: 'POST /webhooks/{connector}',
    stage: '$default',
    time: '01/May/2024:12:00:00 +0000',
    timeEpoch: 1714564800000,
  },
});

const nothingPublished: EventPublisher = {
  publish: async () => {
    throw new Error('must not publish');
  },
  putEntries: async () => {
    throw new Error('must not publish');
  },
};
const noSecrets: SecretStore = { get: async () => ({}) };

describe('Ingest: an unconfigured connector', () => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  let clock = Date.parse('2026-01-05T09:00:00.000Z');

  beforeEach(() => {
    lines.length = 0;
    logger.setLogLevel('INFO');
    const capture = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
  });
  afterEach(() => {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    logger.setLogLevel('SILENT');
  });

  it('answers 503 and logs one WARN line without a stack, then one per connector per minute with the count', async () => {
    // Prepare
    const handler = createIngestHandler({
      publisher: nothingPublished,
      replayGuard: new MemoryReplayGuard(),
      secrets: noSecrets,
      defaultCountry: 'UA',
      maxBodyBytes: 64 * 1024,
      now: () => new Date(clock),
    });
    const call = (connector: string) => handler(event(connector), {} as Context);

    // Act: a burst against two connectors, then one more hit after the interval.
    const statuses = [];
    for (let i = 0; i < 50; i++) statuses.push((await call('whatsapp')).statusCode);
    statuses.push((await call('telegram')).statusCode);
    clock += NOT_CONFIGURED_LOG_INTERVAL_MS;
    statuses.push((await call('whatsapp')).statusCode);

    // Assess
    expect(new Set(statuses)).toEqual(new Set([503]));
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.level, r.connector, r.refusedSinceLastLine])).toEqual([
      ['WARN', 'whatsapp', 0],
      ['WARN', 'telegram', 0],
      ['WARN', 'whatsapp', 49],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ message: 'connector not configured: request refused', status: 503 });
      expect(r.code).toBe('connector_not_configured');
      expect(JSON.stringify(r)).not.toMatch(/stack|at Object\.|\.ts:\d+/);
    }
  });

  it('still logs a real 5xx as an ERROR with its cause', async () => {
    // Prepare: a secret store that fails is a fault of the hub (5xx), not an operator's to-do.
    const handler = createIngestHandler({
      publisher: nothingPublished,
      replayGuard: new MemoryReplayGuard(),
      secrets: {
        get: async () => {
          throw new Error('Secrets Manager is down');
        },
      },
      defaultCountry: 'UA',
      maxBodyBytes: 64 * 1024,
    });

    // Act
    const res = await handler(event('whatsapp'), {} as Context);

    // Assess
    expect(res.statusCode).toBe(500);
    const [record] = lines.map((l) => JSON.parse(l) as { level: string; error?: { stack?: string } });
    expect(record?.level).toBe('ERROR');
    expect(record?.error?.stack).toContain('Secrets Manager is down');
  });
});
