/**
 * Behind a Lambda function URL nothing routes: every path and method reaches
 * ingest, with routeKey `$default` and no path parameters. Ingest then matches
 * the path against the webhook routes of the route table itself.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { createIngestHandler } from '../../../functions/handlers/ingest.js';
import type { EventPublisher } from '../../../functions/ports.js';
import { MemoryReplayGuard } from '../../../functions/adapters/memory/memory-replay-guard.js';

const SECRET = 'function-url-test-secret-0123456789';
const HOST = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws';

/** An event as a function URL delivers it (payload format 2.0, no route). */
const urlEvent = (method: string, rawPath: string, body: string, headers: Record<string, string> = {}) =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: HOST, 'content-type': 'application/json', ...headers },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz012345',
      domainName: HOST,
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'TelegramBot' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '05/Jan/2026:09:00:00 +0000',
      timeEpoch: 1767603600000,
    },
  }) as APIGatewayProxyEventV2;

const setup = () => {
  const published: HubEvent[] = [];
  const publisher: EventPublisher = {
    publish: async (events) => {
      published.push(...events);
    },
    putEntries: async () => {},
  };
  const handler = createIngestHandler({
    publisher,
    secrets: { get: async (c) => (c === 'telegram' ? { secret: SECRET } : {}) },
    replayGuard: new MemoryReplayGuard(),
    defaultCountry: 'UA',
    maxBodyBytes: 64 * 1024,
  });
  return { published, call: (e: APIGatewayProxyEventV2) => handler(e, {} as Context) };
};

describe('Ingest behind a function URL', () => {
  const update = readFileSync('functions/connectors/telegram/fixtures/message-text.json', 'utf8');

  it('takes the connector from the path and accepts a signed webhook', async () => {
    // Prepare
    const { published, call } = setup();

    // Act
    const res = await call(
      urlEvent('POST', '/webhooks/telegram', update, { 'x-telegram-bot-api-secret-token': SECRET }),
    );

    // Assess
    expect(res.statusCode).toBe(200);
    expect(published.map((e) => e.type)).toEqual(['message.received']);
  });

  it('still refuses a wrong signature (401), an unknown path (404), another method (405), a bad encoding (400)', async () => {
    // Prepare
    const { published, call } = setup();

    // Act
    const statuses = [
      await call(urlEvent('POST', '/webhooks/telegram', update, { 'x-telegram-bot-api-secret-token': 'guess' })),
      await call(urlEvent('POST', '/v1/customers', '{}')),
      await call(urlEvent('POST', '/webhooks/nobody', '{}')),
      await call(urlEvent('PUT', '/webhooks/telegram', update)),
      await call(urlEvent('POST', '/webhooks/%E0%A4%A', '{}')),
    ].map((r) => r.statusCode);

    // Assess
    expect(statuses).toEqual([401, 404, 404, 405, 400]);
    expect(published).toEqual([]);
  });
});
