/**
 * The functions that call out — the dispatcher (subscriber webhooks), the
 * hydrator (vendor APIs of thin webhooks) and the sender (vendor send APIs) —
 * use the deployed policy when nobody injects a client: a subscriber or a
 * vendor base URL on this machine (here a real server on 127.0.0.1, what a
 * private or metadata address stands for) never gets a request. Only the
 * local hub passes the loopback-allowing client, and only when
 * `OMNIHUB_ALLOW_LOCAL_URLS` says so.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLoadedConnectors } from '../../../functions/connectors/loaded.js';
import type { HydrationRequest } from '../../../functions/connectors/types.js';
import { createDispatcherHandler } from '../../../functions/handlers/dispatcher.js';
import { createHydratorHandler, toHydrationEntry } from '../../../functions/handlers/hydrator.js';
import type { DeliveryAttempt } from '../../../functions/ports.js';
import { defineSubscriptions } from '../../../functions/subscriptions/config.js';
import { loadFixtures, signedRequest, TEST_SECRETS } from '../../helpers/fixtures.js';

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const sqsRecord = (body: unknown, eventSourceARN = 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-hydrator') =>
  ({
    messageId: 'm-1',
    receiptHandle: 'm#1',
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'eu-central-1',
  }) satisfies SQSRecord;

describe('Outbound defaults (no client injected = the deployed policy)', () => {
  it('the dispatcher never calls a subscriber on this machine: the attempt fails as refused, no request', async () => {
    // Prepare: the config schema lets a local URL through (the local runtime may use it); the handler must not.
    const attempts: DeliveryAttempt[] = [];
    const calls: string[] = [];
    const handler = createDispatcherHandler({
      subscriptions: defineSubscriptions([
        {
          name: 'crm',
          pattern: { 'detail-type': ['lead.submitted'] },
          target: { type: 'webhook', url: `${base}/hook` },
          retry: { maxAttempts: 3, windowSeconds: 60, baseDelayMs: 1_000 },
        },
      ]),
      queueNamePrefix: 'omnihub-prod-sub-',
      secrets: { get: async () => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      queue: {
        retryLater: async (r) => void calls.push(`retryLater ${r.receiptHandle}`),
        deadLetter: async (r) => void calls.push(`deadLetter ${r.receiptHandle}`),
      },
      log: {
        record: async (a) => void attempts.push(a),
        recent: async () => ({ items: [] }),
        stats: async () => ({ delivered: 0, failedAttempts: 0, deadLettered: 0, matched: 0, suppressed: 0 }),
      },
    });
    const envelope = {
      version: '0',
      id: 'eb-1',
      'detail-type': 'lead.submitted',
      source: 'omnihub.marquiz',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      detail: { id: 'evt_00000000000000000000000000000001', type: 'lead.submitted' },
    };
    hits.length = 0;

    // Act
    const result = await handler(
      { Records: [sqsRecord(envelope, 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sub-crm')] } as SQSEvent,
      {} as Context,
    );

    // Assess
    expect(hits).toEqual([]);
    expect(result?.batchItemFailures).toHaveLength(1);
    expect(calls).toEqual(['retryLater m#1']);
    expect(attempts[0]?.error).toMatch(/Refusing to call http:\/\/127\.0\.0\.1:\d+: it must be https:\/\//);
  });

  it.each(['hubspot', 'shopify', 'poster'])(
    'the hydrator never calls a %s API base URL on this machine: the record fails (retried), no request',
    async (name) => {
      // Prepare: the connector's first thin-webhook fixture, its API configured on 127.0.0.1.
      const connector = listLoadedConnectors().find((c) => c.name === name);
      const request = loadFixtures(name)
        .flatMap(
          (f) =>
            connector?.normalize(connector.parse(signedRequest(connector, f, TEST_SECRETS)), {
              receivedAt: '2024-05-01T12:00:00.000Z',
              defaultCountry: 'UA',
            }).hydrations ?? [],
        )
        .at(0) as HydrationRequest;
      expect(request, `${name} has a fixture that asks for hydration`).toBeDefined();
      const published: unknown[] = [];
      const handler = createHydratorHandler({
        publisher: { publish: async (e) => void published.push(...e), putEntries: async () => undefined },
        secrets: { get: async () => ({ ...TEST_SECRETS, apiToken: 'vendor-api-token', apiBaseUrl: `${base}/` }) },
        defaultCountry: 'UA',
      });
      hits.length = 0;

      // Act
      const result = await handler({ Records: [sqsRecord(toHydrationEntry(request))] } as SQSEvent, {} as Context);

      // Assess
      expect(hits).toEqual([]);
      expect(published).toEqual([]);
      expect(result?.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    },
  );
});
