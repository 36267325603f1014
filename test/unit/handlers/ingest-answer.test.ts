/**
 * A synchronous answer (Binotel `apiCallSettings`) never blocks or breaks
 * the call path: a failing or slow caller directory falls back to the plain
 * acknowledgement within the budget.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryReplayGuard } from '../../../functions/adapters/memory/memory-replay-guard.js';
import { createIngestHandler } from '../../../functions/handlers/ingest.js';
import type { CallerDirectory, EventPublisher } from '../../../functions/ports.js';

const body = 'requestType=apiCallSettings&externalNumber=0501234567&callType=0&pbxNumber=0443334023&companyID=12345';
const event: APIGatewayProxyEventV2 = {
  version: '2.0',
  routeKey: 'POST /webhooks/{connector}',
  rawPath: '/webhooks/binotel',
  rawQueryString: 'token=binotel-url-token-of-24-bytes-or-more',
  queryStringParameters: { token: 'binotel-url-token-of-24-bytes-or-more' },
  headers: { host: 'hooks.example.test', 'content-type': 'application/x-www-form-urlencoded' },
  pathParameters: { connector: 'binotel' },
  body,
  isBase64Encoded: false,
  requestContext: {
    accountId: '123456789012',
    apiId: 'test',
    domainName: 'hooks.example.test',
    domainPrefix: 'hooks',
    http: {
      method: 'POST',
      path: '/webhooks/binotel',
      protocol: 'HTTP/1.1',
      sourceIp: '194.88.218.114',
      userAgent: 't',
    },
    requestId: 'r',
    routeKey: 'POST /webhooks/{connector}',
    stage: '$default',
    time: '01/May/2024:12:00:00 +0000',
    timeEpoch: 1714564800000,
  },
};

const publisher: EventPublisher = { publish: async () => undefined, putEntries: async () => undefined };

const handlerWith = (callers: CallerDirectory) =>
  createIngestHandler({
    publisher,
    replayGuard: new MemoryReplayGuard(),
    secrets: { get: async () => ({ secret: 'binotel-url-token-of-24-bytes-or-more' }) },
    defaultCountry: 'UA',
    maxBodyBytes: 1_000_000,
    callers,
    answerBudgetMs: 50,
  });

describe('Ingest: synchronous answers fail open', () => {
  it('answers the card when the directory knows the caller, normalizing the national number', async () => {
    const asked: string[] = [];
    const res = await handlerWith({
      lookup: async (phone) => {
        asked.push(phone);
        return { customerId: 'cus_1', name: 'Ivan', orderCount: 0, openLeads: 0, openTickets: 0, open: [] };
      },
    })(event, {} as Context);
    expect(asked).toEqual(['+380501234567']);
    expect(JSON.parse(String(res.body))).toEqual({ customerData: { name: 'Ivan' } });
  });

  it.each([
    ['fails', () => Promise.reject(new Error('store down'))],
    ['is slower than the budget', () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))],
  ])('acknowledges plainly when the directory %s', async (_what, lookup) => {
    const started = Date.now();
    const res = await handlerWith({ lookup })(event, {} as Context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toEqual({ status: 'success' });
    expect(Date.now() - started).toBeLessThan(900);
  });
});
