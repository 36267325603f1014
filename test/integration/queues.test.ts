/**
 * The hub's own dead letters can be seen and redriven —
 * through `/v1/queues` on the local hub, for every queue the hub owns — and
 * they survive restarts until then.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../functions/events/hub-event.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const lead = (n: number): Buffer => {
  const json = JSON.parse(fixture('marquiz', 'lead.json').toString('utf8'));
  json.created = new Date(Date.UTC(2024, 4, 1, 11, 0, n)).toISOString();
  json.contacts = { ...json.contacts, phone: `+38050123${String(4000 + n)}`, email: `lead${n}@example.com` };
  return Buffer.from(JSON.stringify(json));
};
const post = async (hub: LocalHub, path: string) => {
  const res = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.apiToken}` },
  });
  return { status: res.status, body: await res.json() };
};
/** A store that refuses one event (a bug only a deploy fixes), the way a real rejection fails: per record. */
const refuse = (hub: LocalHub, email: string) => {
  const apply = hub.store.applyEvent.bind(hub.store);
  hub.store.applyEvent = async (event: HubEvent) => {
    if (event.customer.identities.some((i) => i.value === email))
      throw new Error('this event cannot be applied by this version');
    return apply(event);
  };
};

describe('hub queues: dead letters listed and redriven', () => {
  it('lists every queue, keeps a dead letter across a restart, and redrives it once the cause is fixed', async () => {
    // Prepare: a dead-lettered lead.
    const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-queues-'));
    const subscriptions = [
      {
        name: 'crm',
        pattern: { 'detail-type': ['lead.submitted'] },
        target: { type: 'webhook' as const, url: 'http://127.0.0.1:9/x' },
      },
    ];
    const first = await startTestHub({ dataDir, subscriptions });
    refuse(first, 'lead1@example.com');
    const bad = (await postWebhook(first, 'marquiz', lead(1))).body.eventIds[0] as string;
    const good = (await postWebhook(first, 'marquiz', lead(2))).body.eventIds[0] as string;
    await first.idle();
    const listed = await api(first, '/v1/queues');
    await first.stop();

    // Act: a restart on the same data, then the operator looks and redrives.
    const hub = await startTestHub({ dataDir, subscriptions, tableName: first.tableName });
    try {
      const detail = await api(hub, '/v1/queues/profile-writer');
      const redrive = await post(hub, '/v1/queues/profile-writer/redrive');
      await hub.idle();
      const after = await api(hub, '/v1/queues/profile-writer');
      const customer = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:lead1@example.com')}`);

      // Assess
      expect(listed.status).toBe(200);
      expect(listed.body.queues).toEqual([
        { name: 'profile-writer', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 1, paused: false },
        { name: 'hydrator', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 0, paused: false },
        { name: 'sender', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 0, paused: false },
        { name: 'message-status', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 0, paused: false },
        expect.objectContaining({ name: 'sub-crm', kind: 'subscription', deadLettered: 0 }),
      ]);
      expect(detail.body.deadLetters).toEqual([
        expect.objectContaining({
          eventId: bad,
          detailType: 'lead.submitted',
          source: 'omnihub.marquiz',
          receiveCount: 5,
          deadLetteredAt: expect.any(String),
        }),
      ]);
      expect(JSON.stringify(detail.body)).not.toContain('lead1@example.com');
      expect(redrive).toEqual({ status: 202, body: { queue: 'profile-writer', moved: 1 } });
      expect(after.body).toMatchObject({ deadLettered: 0, deadLetters: [] });
      expect(customer.status).toBe(200);
      const timeline = await api(hub, `/v1/customers/${customer.body.customerId}/timeline`);
      expect(timeline.body.items.map((i: { eventId: string }) => i.eventId)).toEqual([bad]);
      expect(good).not.toBe(bad);
    } finally {
      await hub.stop();
    }
  });

  it('answers an unknown queue with 404, a malformed name with 400, and no token with 401, each as JSON', async () => {
    const hub = await startTestHub();
    try {
      expect(await api(hub, '/v1/queues/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(await post(hub, '/v1/queues/nope/redrive')).toMatchObject({ status: 404 });
      expect(await api(hub, '/v1/queues/a.b')).toMatchObject({
        status: 400,
        body: { error: { code: 'malformed_request' } },
      });
      const anonymous = await fetch(`${hub.url}/v1/queues/profile-writer/redrive`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
    } finally {
      await hub.stop();
    }
  });
});
