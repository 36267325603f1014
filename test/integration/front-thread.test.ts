/**
 * The local hub with its HTTP front in a worker thread (how
 * `npm start` runs it). The same handlers answer; webhooks are journaled by
 * the front and delivered by the queues of the main thread; the queue and
 * subscription operations cross the thread with their HTTP statuses.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub, TEST_SECRET } from '../helpers/hub.js';
import { type Receiver, startReceiver } from '../subscriptions/receiver.js';

const lead = (n: number): Buffer => {
  const json = JSON.parse(fixture('marquiz', 'lead.json').toString('utf8'));
  json.created = new Date(Date.UTC(2024, 4, 2, 9, 0, n)).toISOString();
  json.contacts = { ...json.contacts, phone: `+38050765${String(4000 + n)}`, email: `thread${n}@example.com` };
  return Buffer.from(JSON.stringify(json));
};

describe('local hub with the HTTP front in its own thread', () => {
  let hub: LocalHub;
  let receiver: Receiver;
  const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-front-thread-'));

  beforeAll(async () => {
    receiver = await startReceiver();
    hub = await startTestHub({
      frontThread: true,
      dataDir,
      // Crosses to the thread: plain values only (no Proxy, no functions).
      env: { OMNIHUB_SECRET_MARQUIZ: TEST_SECRET },
      subscriptions: [
        { name: 'crm', pattern: { 'detail-type': ['lead.submitted'] }, target: { type: 'webhook', url: receiver.url } },
      ],
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await receiver?.close();
  });

  it('acknowledges webhooks from the thread, journals them first, and applies and delivers them in the main thread', async () => {
    // Act
    const posted = await Promise.all([1, 2, 3].map((n) => postWebhook(hub, 'marquiz', lead(n))));
    const ids = posted.map((p) => p.body.eventIds[0] as string);
    const journal = readFileSync(join(dataDir, 'queues', 'profile-writer.jsonl'), 'utf8');
    await hub.idle();
    await receiver.waitFor(3);

    // Assess
    expect(posted.map((p) => p.status)).toEqual([200, 200, 200]);
    // Durable before the 2xx: the front appended the send records itself.
    for (const id of ids) expect(journal).toContain(id);
    const customer = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:thread2@example.com')}`);
    expect(customer.status).toBe(200);
    const timeline = await api(hub, `/v1/customers/${customer.body.customerId}/timeline`);
    expect(timeline.body.items.map((i: { eventId: string }) => i.eventId)).toEqual([ids[1]]);
    expect(new Set(receiver.accepted().map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
  });

  it('answers the queue and subscription operations of the main thread, errors with their status', async () => {
    const queues = await api(hub, '/v1/queues');
    const unknown = await api(hub, '/v1/queues/nope');
    const subscriptions = await api(hub, '/v1/subscriptions');
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toEqual([
      'profile-writer',
      'hydrator',
      'sender',
      'message-status',
      'sub-crm',
    ]);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(subscriptions.body.subscriptions[0]).toMatchObject({ name: 'crm', queue: { deadLettered: 0 } });
  });

  it('serves the console logins, the messages API and the connectors list from the thread as well', async () => {
    // Act
    const config = await fetch(`${hub.url}/config.json`);
    const badLogin = await fetch(`${hub.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-a-token-of-anyone-here' }),
    });
    const customer = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:thread1@example.com')}`);
    const reach = await api(hub, `/v1/customers/${customer.body.customerId}/reachability`);
    const missing = await api(hub, `/v1/customers/${customer.body.customerId}/messages/msg_nope`);
    const connectors = await api(hub, '/v1/connectors');

    // Assess
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({ auth: 'session' });
    expect(badLogin.status).toBe(401);
    expect(reach.status).toBe(200);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const marquiz = connectors.body.connectors.find((c: { name: string }) => c.name === 'marquiz');
    expect(marquiz).toMatchObject({ configured: true, lastEvent: { connector: 'marquiz', type: 'lead.submitted' } });
  });
});
