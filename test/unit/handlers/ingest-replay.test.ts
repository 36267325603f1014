/**
 * The ingest handler's replay guard, with the in-memory
 * guard and a recording publisher: a Mailgun (timestamp, token) is accepted
 * once; a second use — the same request, or the same signature block with
 * other fields — is refused with 406 (Mailgun stops retrying) and publishes
 * nothing; a request that failed before its acknowledgement does not burn the
 * token its genuine retry carries; connectors without one-time values are
 * untouched.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryReplayGuard } from '../../../functions/adapters/memory/memory-replay-guard.js';
import { mailgunConnector } from '../../../functions/connectors/mailgun/index.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { createIngestHandler, REPLAY_LEASE_SECONDS } from '../../../functions/handlers/ingest.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../../functions/shared/http.js';
import { apiGatewayEvent, rawRequest, TEST_BASE_URL, TEST_NOW } from '../../helpers/fixtures.js';
import { fixture } from '../../helpers/hub.js';

const KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const FORM = 'application/x-www-form-urlencoded';
const URL_MG = `${TEST_BASE_URL}/webhooks/mailgun`;
const CONTEXT = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as Context;

/** A route forward signed like Mailgun, at TEST_NOW, with `fields` changed after signing. */
const mailgunInit = (fields: Record<string, string> = {}) => {
  const signed = mailgunConnector.signSample(
    { url: URL_MG, method: 'POST', body: fixture('mailgun', 'route-forward.txt'), contentType: FORM, now: TEST_NOW },
    { secret: KEY },
  );
  const params = new URLSearchParams((signed.body as Buffer).toString());
  for (const [k, v] of Object.entries(fields)) params.set(k, v);
  return { url: URL_MG, headers: { 'content-type': FORM }, body: Buffer.from(params.toString()) };
};
const mailgunRequest = (fields: Record<string, string> = {}) => apiGatewayEvent(mailgunInit(fields));

const hub = (opts: { failPublishes?: number; now?: () => number } = {}) => {
  const published: HubEvent[] = [];
  let failures = opts.failPublishes ?? 0;
  const clock = opts.now ?? (() => TEST_NOW.getTime());
  const guard = new MemoryReplayGuard(clock);
  const handler = createIngestHandler({
    publisher: {
      publish: async (events) => {
        if (failures-- > 0) throw new Error('EventBridge is throttling');
        published.push(...events);
      },
      putEntries: async () => undefined,
    },
    secrets: { get: async () => ({ secret: KEY }) },
    replayGuard: guard,
    defaultCountry: 'UA',
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    publicBaseUrl: TEST_BASE_URL,
    now: () => new Date(clock()),
  });
  return { handler, published, guard };
};

const json = (res: { body?: string }) => JSON.parse(res.body ?? '{}');

describe('Ingest: replay guard', () => {
  it('accepts a Mailgun token once and refuses its second use with 406, publishing nothing', async () => {
    // Prepare
    const { handler, published } = hub();

    // Act
    const first = await handler(mailgunRequest(), CONTEXT);
    const again = await handler(mailgunRequest(), CONTEXT);

    // Assess
    expect(first.statusCode, first.body).toBe(200);
    expect(again.statusCode).toBe(406);
    expect(json(again).error.code).toBe('replayed_request');
    expect(published).toHaveLength(1);
  });

  it('refuses the captured signature block carrying another sender and text (a forgery)', async () => {
    // Prepare
    const { handler, published } = hub();
    await handler(mailgunRequest(), CONTEXT);

    // Act
    const forged = await handler(
      mailgunRequest({ from: 'Mallory <mallory@example.net>', 'stripped-text': 'Please pay to IBAN …' }),
      CONTEXT,
    );

    // Assess
    expect(forged.statusCode).toBe(406);
    expect(published.map((e) => e.customer.identities[0]?.value)).not.toContain('mallory@example.net');
  });

  it("lets Mailgun's retry through when the first attempt failed before its acknowledgement", async () => {
    // Prepare
    const { handler, published } = hub({ failPublishes: 1 });

    // Act
    const failed = await handler(mailgunRequest(), CONTEXT);
    const retry = await handler(mailgunRequest(), CONTEXT);
    const replay = await handler(mailgunRequest(), CONTEXT);

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(replay.statusCode).toBe(406);
    expect(published).toHaveLength(1);
  });

  it('lets the retry through after a crashed attempt once the lease ran out (Mailgun retries after 5 minutes)', async () => {
    // Prepare: an attempt that claimed the token and died (no commit, no release).
    let now = TEST_NOW.getTime();
    const { handler, guard } = hub({ now: () => now });
    await guard.claim(`mailgun\n${mailgunConnector.replay?.key(rawRequest(mailgunInit()))?.key}`, {
      leaseSeconds: REPLAY_LEASE_SECONDS,
    });

    // Act
    const during = await handler(mailgunRequest(), CONTEXT);
    now += 5 * 60_000;
    const retry = await handler(mailgunRequest(), CONTEXT);

    // Assess
    expect(during.statusCode).toBe(409);
    expect(json(during).error.code).toBe('request_in_flight');
    expect(retry.statusCode, retry.body).toBe(200);
  });

  it('keeps the token only while the signature is valid (8 hours), then the timestamp check refuses it as stale', async () => {
    // Prepare
    let now = TEST_NOW.getTime();
    const { handler, guard } = hub({ now: () => now });
    await handler(mailgunRequest(), CONTEXT);

    // Act
    now += 8 * 3_600_000 + 1000;
    const late = await handler(mailgunRequest(), CONTEXT);

    // Assess
    expect(guard.size).toBe(0);
    expect(late.statusCode).toBe(401);
    expect(json(late).error.code).toBe('stale_request');
  });

  it('never claims anything for a request whose signature does not verify', async () => {
    // Prepare
    const { handler, guard } = hub();

    // Act
    const res = await handler(mailgunRequest({ signature: 'f'.repeat(64) }), CONTEXT);

    // Assess
    expect(res.statusCode).toBe(401);
    expect(guard.size).toBe(0);
  });
});
