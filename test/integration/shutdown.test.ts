/**
 * A shutdown with a backlog loses nothing. New webhooks get
 * 503 with Retry-After (the vendor redelivers) while the queues drain
 * against the running store; only then do the server and the store stop.
 */
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../functions/events/hub-event.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const lead = (n: number): Buffer => {
  const json = JSON.parse(fixture('marquiz', 'lead.json').toString('utf8'));
  json.created = new Date(Date.UTC(2024, 4, 1, 10, 0, n)).toISOString();
  return Buffer.from(JSON.stringify(json));
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local hub shutdown with a backlog', () => {
  it('refuses new webhooks with 503 + Retry-After, serves reads, drains every queue, then stops', async () => {
    // Prepare: one batch at a time and a slow store, so 20 acknowledged webhooks are a backlog.
    const hub = await startTestHub({ queueConcurrency: 1 });
    const apply = hub.store.applyEvent.bind(hub.store);
    hub.store.applyEvent = async (event: HubEvent) => {
      await sleep(10);
      return apply(event);
    };
    const acked: string[] = [];
    for (let n = 0; n < 20; n++) {
      const res = await postWebhook(hub, 'marquiz', lead(n));
      expect(res.status).toBe(200);
      acked.push(res.body.eventIds[0]);
    }
    const backlog = hub.bus.queues().reduce((s, q) => s + q.stats().pending + q.stats().inFlight, 0);

    // Act
    const stopping = hub.shutdown({ drainTimeoutMs: 60_000 });
    const refused = await postWebhook(hub, 'marquiz', lead(99));
    const read = await api(hub, '/v1/connectors');
    const result = await stopping;

    // Assess
    expect(backlog).toBeGreaterThan(5);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.body).toEqual({ error: { code: 'shutting_down', message: expect.any(String) } });
    expect(read.status).toBe(200);
    expect(result).toEqual({ drained: true, pending: 0 });
    // Every acknowledged event is on the profile, read back by a fresh hub on the same table.
    const after = await startTestHub({ tableName: hub.tableName });
    try {
      const customer = await api(after, `/v1/customers?identity=${encodeURIComponent('phone:+380501234567')}`);
      const timeline = await api(after, `/v1/customers/${customer.body.customerId}/timeline?limit=100`);
      expect(timeline.body.items.map((i: { eventId: string }) => i.eventId).sort()).toEqual([...acked].sort());
    } finally {
      await after.stop();
    }
  });
});
