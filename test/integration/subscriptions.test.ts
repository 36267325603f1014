/**
 * Subscriptions end to end through the local hub over real HTTP: signed
 * vendor webhook in → local bus → the subscription's rule, queue and
 * dispatcher → a real receiver that verifies every delivery with the
 * `standardwebhooks` package. Retry bases are short so the suite stays fast;
 * the Retry-After test keeps the 2 seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import type { SubscriptionInput } from '../../functions/subscriptions/config.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';
import { closedPort, startReceiver, type Receiver } from '../subscriptions/receiver.js';

/** The Marquiz fixture as a distinct lead (the event id derives from `created`). */
const lead = (n: number): Buffer => {
  const json = JSON.parse(fixture('marquiz', 'lead.json').toString('utf8'));
  json.created = new Date(Date.UTC(2024, 4, 1, 10, 0, n)).toISOString();
  return Buffer.from(JSON.stringify(json));
};

const postLead = async (hub: LocalHub, n: number): Promise<string> => {
  const res = await postWebhook(hub, 'marquiz', lead(n));
  expect(res.status).toBe(200);
  return res.body.eventIds[0] as string;
};

const webhook = (name: string, url: string, extra: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  name,
  pattern: { 'detail-type': ['lead.submitted'] },
  target: { type: 'webhook', url },
  retry: { baseDelayMs: 20, maxDelayMs: 200 },
  ...extra,
});

const post = async (hub: LocalHub, path: string, body?: unknown) => {
  const res = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the next wall-clock second: archive times have second precision. */
const nextSecond = () => sleep(1_000 - (Date.now() % 1_000) + 20);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const hubWith = async (
  subscriptions: SubscriptionInput[],
  extra: Parameters<typeof startTestHub>[0] = {},
): Promise<LocalHub> => {
  const hub = await startTestHub({ subscriptions, ...extra });
  cleanups.push(() => hub.stop());
  return hub;
};

const receiver = async (options: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> => {
  const r = await startReceiver(options);
  cleanups.push(() => r.close());
  return r;
};

describe('Subscriptions: signed webhook delivery', () => {
  it('delivers a quiz lead to a webhook subscriber, signed so standardwebhooks verifies it', async () => {
    // Prepare
    let hub!: LocalHub;
    const crm = await receiver({ secret: () => hub.subscriptions.secret('crm-leads') });
    hub = await hubWith([webhook('crm-leads', crm.url)]);

    // Act
    const eventId = await postLead(hub, 1);
    const whatsapp = await postWebhook(hub, 'whatsapp', fixture('whatsapp', 'message-text.json'));
    await crm.waitFor(1);
    await hub.idle();
    await hub.subscriptions.idle();

    // Assess: exactly the lead, verified, with the event id as webhook-id.
    expect(whatsapp.status).toBe(200);
    expect(crm.received).toHaveLength(1);
    const [delivery] = crm.received;
    expect(delivery?.verifyError).toBeUndefined();
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers['webhook-id']).toBe(eventId);
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.json).toMatchObject({
      'detail-type': 'lead.submitted',
      source: 'omnihub.marquiz',
      detail: { id: eventId, type: 'lead.submitted' },
    });
    expect(hub.subscriptions.secret('crm-leads')).toMatch(/^whsec_/);

    const deliveries = await api(hub, '/v1/subscriptions/crm-leads/deliveries');
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toEqual([
      expect.objectContaining({
        eventId,
        attempt: 1,
        outcome: 'delivered',
        statusCode: 200,
        latencyMs: expect.any(Number),
        time: expect.any(String),
      }),
    ]);
  });

  it('applies the transform: the receiver gets exactly the selected, renamed fields, still signed', async () => {
    // Prepare
    let hub!: LocalHub;
    const crm = await receiver({ secret: () => hub.subscriptions.secret('crm-slim') });
    hub = await hubWith([
      webhook('crm-slim', crm.url, {
        transform: {
          eventId: '$.detail.id',
          type: '$.detail-type',
          phone: '$.detail.customer.identities[0].value',
          quiz: '$.detail.data.formName',
          missing: '$.detail.nope',
        },
      }),
    ]);

    // Act
    const eventId = await postLead(hub, 2);
    await crm.waitFor(1);

    // Assess
    expect(crm.received[0]?.verified).toBe(true);
    expect(crm.received[0]?.json).toEqual({
      eventId,
      type: 'lead.submitted',
      phone: '+380501234567',
      quiz: 'Подбор кухни',
      missing: null,
    });
  });

  it('retries a receiver that answers 500 twice, then delivers exactly once more and never again', async () => {
    // Prepare
    let hub!: LocalHub;
    const crm = await receiver({
      secret: () => hub.subscriptions.secret('flaky'),
      reply: (n) => ({ status: n <= 2 ? 500 : 200 }),
    });
    hub = await hubWith([webhook('flaky', crm.url)]);

    // Act
    const eventId = await postLead(hub, 3);
    await crm.waitFor(3);
    await hub.subscriptions.idle();
    await sleep(300);

    // Assess
    expect(crm.received.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(crm.accepted()).toHaveLength(1);
    expect(crm.received.every((r) => r.verified && r.headers['webhook-id'] === eventId)).toBe(true);
    expect(crm.received.map((r) => r.headers['omnihub-attempt'])).toEqual(['1', '2', '3']);
    const { body } = await api(hub, '/v1/subscriptions/flaky/deliveries');
    expect(body.items.map((i: { outcome: string; statusCode: number }) => [i.outcome, i.statusCode])).toEqual([
      ['delivered', 200],
      ['retrying', 500],
      ['retrying', 500],
    ]);
  });

  it('honours 429 with Retry-After: 2 (the next attempt comes at least 2 s later)', async () => {
    // Prepare
    let hub!: LocalHub;
    const crm = await receiver({
      secret: () => hub.subscriptions.secret('throttled'),
      reply: (n) => (n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }),
    });
    hub = await hubWith([webhook('throttled', crm.url)]);

    // Act
    await postLead(hub, 4);
    const [first, second] = await crm.waitFor(2, 10_000);

    // Assess
    expect(first?.status).toBe(429);
    expect(second?.status).toBe(200);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(2_000);
    expect(gap).toBeLessThan(3_500);
    console.info(`Retry-After: 2 → measured gap ${gap} ms`);
  });
});

describe('Subscriptions: outbound guard', () => {
  it('never sends to this machine when local URLs are not allowed (as on AWS): the attempt fails and dead-letters', async () => {
    // Prepare: a receiver on 127.0.0.1, allowed by the config schema locally, refused by the guard at send time.
    let hub!: LocalHub;
    const crm = await receiver({ secret: () => hub.subscriptions.secret('crm-guarded') });
    hub = await hubWith(
      [webhook('crm-guarded', crm.url, { retry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 } })],
      { extraEnv: { OMNIHUB_ALLOW_LOCAL_URLS: '0' } },
    );

    // Act
    await postLead(hub, 41);
    await hub.idle();
    await hub.subscriptions.idle();

    // Assess
    expect(crm.received).toEqual([]);
    const log = await api(hub, '/v1/subscriptions/crm-guarded/deliveries?limit=10');
    expect(log.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(['dead-lettered', 'retrying']);
    expect(log.body.items[1].error).toMatch(/Refusing to call http:\/\/127\.0\.0\.1:\d+: it must be https:\/\//);
  });
});

describe('Subscriptions: dead letters, redrive and isolation', () => {
  it('leaves an event in the DLQ when the receiver is down longer than the window, and a redrive delivers it', async () => {
    // Prepare: an endpoint that refuses connections, a 1 s window.
    const port = await closedPort();
    let hub!: LocalHub;
    hub = await hubWith([
      // Delivery mechanics only (a 1 s window): the wait for the profile writer is enriched-subscriptions.test.ts's.
      webhook('down', `http://127.0.0.1:${port}/hooks/omnihub`, {
        retry: { baseDelayMs: 50, maxDelayMs: 200, windowSeconds: 1, maxAttempts: 100 },
        enrich: 'none',
      }),
    ]);

    // Act
    const eventId = await postLead(hub, 5);
    await hub.idle();
    await hub.subscriptions.idle();

    // Assess: dead-lettered after retrying for the window.
    const queue = hub.subscriptions.queue('down');
    expect(queue?.stats()).toMatchObject({ pending: 0, inFlight: 0, deadLettered: 1 });
    const log = await api(hub, '/v1/subscriptions/down/deliveries?limit=100');
    const outcomes = log.body.items.map((i: { outcome: string }) => i.outcome);
    expect(outcomes[0]).toBe('dead-lettered');
    expect(outcomes.slice(1).every((o: string) => o === 'retrying')).toBe(true);
    expect(outcomes.length).toBeGreaterThan(2);
    expect(log.body.items[0].error).toMatch(/ECONNREFUSED.*window of 1s exhausted/);

    // Act: the endpoint comes back; redrive.
    const crm = await receiver({ port, secret: () => hub.subscriptions.secret('down') });
    const redrive = await post(hub, '/v1/subscriptions/down/redrive');
    await crm.waitFor(1);
    await hub.subscriptions.idle();

    // Assess
    expect(redrive).toEqual({ status: 202, body: { subscription: 'down', moved: 1 } });
    expect(crm.received).toHaveLength(1);
    expect(crm.received[0]?.verified).toBe(true);
    expect(crm.received[0]?.headers['webhook-id']).toBe(eventId);
    expect(queue?.stats()).toMatchObject({ deadLettered: 0, pending: 0 });
    const list = await api(hub, '/v1/subscriptions');
    expect(list.body.subscriptions[0]).toMatchObject({
      name: 'down',
      deliveries: { delivered: 1, deadLettered: 1 },
      queue: { deadLettered: 0 },
    });
  });

  it('keeps delivering to a healthy subscriber at its normal latency while another subscriber is down', async () => {
    // Prepare
    const port = await closedPort();
    let hub!: LocalHub;
    const healthy = await receiver({ secret: () => hub.subscriptions.secret('healthy') });
    hub = await hubWith([
      // Isolation of the delivery queues, without the wait for the profile writer that enrichment adds.
      webhook('dead-end', `http://127.0.0.1:${port}/hooks`, {
        retry: { baseDelayMs: 100, maxDelayMs: 300, windowSeconds: 3_600, maxAttempts: 186 },
        enrich: 'none',
      }),
      webhook('healthy', healthy.url, { enrich: 'none' }),
    ]);
    // Baseline: the healthy subscriber's latency (ingest acknowledged → delivered) before anything fails.
    await postLead(hub, 100);
    const baselineAck = Date.now();
    await healthy.waitFor(1);
    const baseline = (healthy.received[0]?.at ?? 0) - baselineAck;

    // Act: six events while the other endpoint refuses every attempt.
    const latencies: number[] = [];
    for (let n = 0; n < 6; n++) {
      await postLead(hub, 101 + n);
      const ack = Date.now();
      await healthy.waitFor(2 + n);
      latencies.push((healthy.received[1 + n]?.at ?? 0) - ack);
    }

    // Assess: the failing subscriber is being retried all along; the healthy one never waits for it.
    const failing = await api(hub, '/v1/subscriptions/dead-end/deliveries?limit=100');
    expect(failing.body.items.length).toBeGreaterThan(6);
    expect(failing.body.items.every((i: { outcome: string }) => i.outcome === 'retrying')).toBe(true);
    expect(healthy.received.every((r) => r.verified)).toBe(true);
    // Loose bound: the CI machine is shared; a blocked subscriber would add the other's retry delays (seconds).
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.info(
      `healthy subscriber, ack → delivered: baseline ${baseline} ms; while the other is down median ${sorted[3]} ms, max ${sorted[5]} ms`,
    );
  });
});

describe('Subscriptions: archive replay', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-replay-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replays exactly the archived events in the window to exactly the named subscription', async () => {
    // Prepare: a hub with one subscription records events in three time slots.
    let hub!: LocalHub;
    const first = await receiver({ secret: () => hub.subscriptions.secret('first') });
    hub = await startTestHub({ subscriptions: [webhook('first', first.url)], dataDir });
    const before = [await postLead(hub, 200)];
    await nextSecond();
    const from = new Date(Math.floor(Date.now() / 1000) * 1000);
    const inWindow = [await postLead(hub, 201), await postLead(hub, 202)];
    await postWebhook(hub, 'whatsapp', fixture('whatsapp', 'message-text.json')); // archived, but no match
    await nextSecond();
    const to = new Date(Math.floor(Date.now() / 1000) * 1000);
    const after = [await postLead(hub, 203)];
    await first.waitFor(4);
    await hub.stop();

    // A second subscription is added; the hub restarts on the same data.
    const second = await receiver({ secret: () => hub.subscriptions.secret('second') });
    hub = await hubWith([webhook('first', first.url), webhook('second', second.url)], { dataDir });

    // Act
    const res = await post(hub, '/v1/subscriptions/second/replay', { from: from.toISOString(), to: to.toISOString() });
    await hub.subscriptions.idle();

    // Assess
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      subscription: 'second',
      state: 'COMPLETED',
      replayed: 2,
      replayName: expect.stringMatching(/^local-second-/),
    });
    expect(second.received.map((r) => r.headers['webhook-id']).sort()).toEqual([...inWindow].sort());
    expect(second.received.every((r) => r.verified)).toBe(true);
    expect(
      second.received.every(
        (r) => r.headers['omnihub-replay'] === res.body.replayName && r.json['replay-name'] === res.body.replayName,
      ),
    ).toBe(true);
    expect(first.received).toHaveLength(4); // nothing replayed to the other subscription
    expect([...before, ...after].some((id) => second.received.some((r) => r.headers['webhook-id'] === id))).toBe(false);
    const deliveries = await api(hub, '/v1/subscriptions/second/deliveries');
    expect(deliveries.body.items.every((i: { replayName?: string }) => i.replayName === res.body.replayName)).toBe(
      true,
    );
  });
});

describe('Subscriptions: config and API', () => {
  it('refuses to start with an invalid config, naming the field', async () => {
    await expect(
      startTestHub({
        subscriptions: [
          webhook('ok', 'http://localhost:9/x'),
          {
            name: 'bad',
            pattern: { 'detail-type': 'lead.submitted' },
            target: { type: 'webhook', url: 'http://crm.example.com/x' },
          } as SubscriptionInput,
        ],
      }),
    ).rejects.toThrow(
      /subscriptions\[1\]\.pattern\.detail-type: must be an array[\s\S]*subscriptions\[1\]\.target\.url: must be https/,
    );
  });

  it('lists subscriptions with their pattern and stats, records matches of AWS-native targets, and validates requests', async () => {
    // Prepare
    const hub = await hubWith([
      webhook('crm', 'http://127.0.0.1:9/never', { enabled: false }),
      {
        name: 'lake',
        pattern: { source: [{ prefix: 'omnihub.' }] },
        target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:lake' },
      },
    ]);

    // Act
    const eventId = await postLead(hub, 300);
    await hub.idle();
    const list = await api(hub, '/v1/subscriptions');
    const lake = await api(hub, '/v1/subscriptions/lake/deliveries');

    // Assess
    expect(list.status).toBe(200);
    expect(list.body.subscriptions).toEqual([
      expect.objectContaining({ name: 'crm', enabled: false, deliveries: expect.objectContaining({ delivered: 0 }) }),
      expect.objectContaining({
        name: 'lake',
        pattern: { source: [{ prefix: 'omnihub.' }] },
        delivery: 'recorded-only',
        // The lead and the customer.created it caused (every omnihub.* source).
        deliveries: expect.objectContaining({ matched: 2, delivered: 0 }),
      }),
    ]);
    expect(lake.body.items).toHaveLength(2);
    expect(lake.body.items).toContainEqual(expect.objectContaining({ eventId, outcome: 'matched' }));
    expect((await api(hub, '/v1/subscriptions/nope/deliveries')).status).toBe(404);
    expect((await post(hub, '/v1/subscriptions/lake/redrive')).status).toBe(400);
    const badReplay = await post(hub, '/v1/subscriptions/lake/replay', {
      from: '2024-05-02T00:00:00Z',
      to: '2024-05-01T00:00:00Z',
    });
    expect(badReplay.status).toBe(400);
    expect(badReplay.body.error.message).toMatch(/to: "from" must be before "to"/);
    expect((await fetch(`${hub.url}/v1/subscriptions`)).status).toBe(401);
  });
});
