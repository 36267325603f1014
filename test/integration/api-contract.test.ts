/**
 * Every route of the `api` function answers what its contract (and so
 * docs/openapi.json) says: each success body parses with the route's
 * response schema and carries no field the schema does not name; each
 * error body is the one error shape. Runs the real local hub over HTTP.
 * A route added to the table without a case here fails the last test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ErrorBodySchema } from '../../functions/handlers/api/contract.js';
import { API_CONTRACTS } from '../../functions/handlers/api/contracts.js';
import { renderOpenApi } from '../../functions/handlers/api/openapi.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { fixture, postWebhook, startTestHub } from '../helpers/hub.js';
import { type Receiver, startReceiver } from '../subscriptions/receiver.js';
import { startFakeTwilio } from '../fakes/twilio.js';
import { ImportPlanner } from '../../functions/domain/import.js';

type RouteKey = keyof typeof API_CONTRACTS;

/** Sorted-key JSON, so two bodies compare by content. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/** Parses with the schema and fails on any field the schema would strip (an undocumented field). */
const expectConforms = (schema: z.ZodType, body: unknown, what: string) => {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? undefined : parsed.error.issues, what).toBeUndefined();
  expect(canonical(parsed.data), `${what}: fields the contract does not declare`).toBe(canonical(body));
};

describe('API: every route answers its contract', () => {
  let hub: LocalHub;
  let receiver: Receiver;
  let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-contract-'));
  const checked = new Set<RouteKey>();

  const call = async (key: RouteKey, path: string, body?: unknown) => {
    const [method] = key.split(' ') as [string];
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${hub.apiToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await res.json();
    const contract = API_CONTRACTS[key];
    expect(res.status, `${key}: ${JSON.stringify(json)}`).toBe(contract.status);
    expectConforms(contract.response, json, key);
    checked.add(key);
    return json as Record<string, unknown>;
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    twilio = await startFakeTwilio({ accountSid: 'AC00000000000000000000000000000001', authToken: 'tw-auth' });
    hub = await startTestHub({
      dataDir,
      // One channel that sends (SMS through a fake Twilio), for the messages routes.
      extraEnv: {
        OMNIHUB_API_TOKEN_TWILIO: 'AC00000000000000000000000000000001:tw-auth',
        OMNIHUB_SENDER_TWILIO: '+15005550006',
        OMNIHUB_API_BASE_URL_TWILIO: twilio.url,
      },
      subscriptions: [
        {
          name: 'crm-leads',
          pattern: { 'detail-type': ['lead.submitted'] },
          target: { type: 'webhook', url: receiver.url },
        },
      ],
    });
    expect((await postWebhook(hub, 'marquiz', fixture('marquiz', 'lead.json'))).status).toBe(200);
    expect((await postWebhook(hub, 'whatsapp', fixture('whatsapp', 'message-text.json'))).status).toBe(200);
    await hub.idle();
    await receiver.waitFor(1);
    await hub.subscriptions.idle();
  });
  afterAll(async () => {
    await hub?.stop();
    await receiver?.close();
    await twilio?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the committed OpenAPI document', async () => {
    const doc = await call('GET /v1/openapi.json', '/v1/openapi.json');
    expect(canonical(doc)).toBe(canonical(JSON.parse(renderOpenApi())));
  });

  it('connectors and the customer reads', async () => {
    await call('GET /v1/connectors', '/v1/connectors');
    const profile = await call(
      'GET /v1/customers',
      `/v1/customers?identity=${encodeURIComponent('email:ivan@example.com')}`,
    );
    const id = String(profile.customerId);
    await call('GET /v1/customers/{customerId}', `/v1/customers/${id}`);
    const timeline = await call('GET /v1/customers/{customerId}/timeline', `/v1/customers/${id}/timeline?limit=5`);
    expect((timeline.items as unknown[]).length).toBeGreaterThan(0);
    await call('GET /v1/customers/{customerId}/conversation', `/v1/customers/${id}/conversation`);
    // A WhatsApp customer has a conversation to show.
    const whatsapp = await call(
      'GET /v1/customers',
      `/v1/customers?identity=${encodeURIComponent('phone:+972987654321')}`,
    );
    const conversation = await call(
      'GET /v1/customers/{customerId}/conversation',
      `/v1/customers/${String(whatsapp.customerId)}/conversation`,
    );
    expect(conversation.messages).toEqual([expect.objectContaining({ channel: 'whatsapp', direction: 'inbound' })]);
    const card = await call('GET /v1/lookup', `/v1/lookup?phone=${encodeURIComponent('+972 98 765 4321')}`);
    expect(card.customerId).toBe(whatsapp.customerId);
    const found = await call('POST /v1/search', '/v1/search', { query: '+972 98 765 4321' });
    expect(found.matches).toEqual([expect.objectContaining({ customerId: whatsapp.customerId })]);
  });

  it('the admin routes: export, unmerge, erase', async () => {
    const profile = await call(
      'GET /v1/customers',
      `/v1/customers?identity=${encodeURIComponent('email:ivan@example.com')}`,
    );
    const id = String(profile.customerId);
    await call('GET /v1/customers/{customerId}/export', `/v1/customers/${id}/export`);
    const split = await call('POST /v1/customers/{customerId}/unmerge', `/v1/customers/${id}/unmerge`, {
      identities: ['email:ivan@example.com'],
    });
    await call(
      'DELETE /v1/customers/{customerId}',
      `/v1/customers/${String((split.split as { customerId: string }).customerId)}`,
    );
  });

  it('the import route', async () => {
    const planner = new ImportPlanner(
      ['Phone', 'Name'],
      { columns: { Phone: 'phone', Name: 'trait:name' } },
      {
        source: 'contract',
        asOf: '2025-01-01T00:00:00.000Z',
        receivedAt: new Date().toISOString(),
        defaultCountry: 'UA',
      },
    );
    const row = planner.plan(['+380671234000', 'Contract'], 1);
    expect(row.status).toBe('accepted');
    const accepted = await call('POST /v1/imports', '/v1/imports', {
      events: row.status === 'accepted' ? row.events : [],
    });
    expect(accepted).toEqual({ accepted: 1 });
  });

  it('the metrics', async () => {
    const metrics = await call(
      'GET /v1/metrics',
      `/v1/metrics?from=2020-01-01T00:00:00Z&to=${encodeURIComponent(new Date().toISOString())}&granularity=month`,
    );
    // The marquiz lead and the WhatsApp message are contacts in the lake.
    const mix = (metrics.metrics as Record<string, { series: { key: { channel: string } }[] }>).channel_mix;
    expect(mix?.series.map((s) => s.key.channel).sort()).toEqual(['web', 'whatsapp']);
  });

  it('the subscription routes', async () => {
    await call('GET /v1/subscriptions', '/v1/subscriptions');
    await call('GET /v1/subscriptions/{name}/deliveries', '/v1/subscriptions/crm-leads/deliveries');
    await call('POST /v1/subscriptions/{name}/redrive', '/v1/subscriptions/crm-leads/redrive');
    await call('POST /v1/subscriptions/{name}/replay', '/v1/subscriptions/crm-leads/replay', {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date().toISOString(),
    });
  });

  it("the hub's queue routes: list, detail, redrive", async () => {
    const listed = await call('GET /v1/queues', '/v1/queues');
    expect((listed.queues as { name: string }[]).map((q) => q.name)).toContain('profile-writer');
    await call('GET /v1/queues/{name}', '/v1/queues/profile-writer');
    await call('POST /v1/queues/{name}/redrive', '/v1/queues/profile-writer/redrive');
  });

  it('the messages routes: send, status, reachability', async () => {
    const whatsapp = await call(
      'GET /v1/customers',
      `/v1/customers?identity=${encodeURIComponent('phone:+972987654321')}`,
    );
    const id = String(whatsapp.customerId);
    await call('GET /v1/customers/{customerId}/reachability', `/v1/customers/${id}/reachability?purpose=service`);
    const accepted = await call('POST /v1/customers/{customerId}/messages', `/v1/customers/${id}/messages`, {
      purpose: 'transactional',
      text: 'Your order has shipped',
      idempotencyKey: 'contract-1',
    });
    await hub.idle();
    const message = await call(
      'GET /v1/customers/{customerId}/messages/{messageId}',
      `/v1/customers/${id}/messages/${String(accepted.messageId)}`,
    );
    expect(message).toMatchObject({ status: 'sent', channel: 'sms' });
    // The refusals carry per-channel reasons in the one error body.
    const res = await fetch(`${hub.url}/v1/customers/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: 'service', channel: 'whatsapp', text: 'x', idempotencyKey: 'contract-2' }),
    });
    expect(res.status).toBe(409);
    expectConforms(ErrorBodySchema, await res.json(), 'POST messages 409');
  });

  it('errors are the one error body', async () => {
    for (const [path, status] of [
      ['/v1/customers/nobody', 404],
      ['/v1/customers?identity=fax:1', 400],
      ['/v1/lookup?phone=%2B380991112233', 404],
      ['/v1/lookup?phone=nope', 400],
      ['/v1/subscriptions/nope/deliveries', 404],
    ] as const) {
      const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${hub.apiToken}` } });
      expect(res.status, path).toBe(status);
      expectConforms(ErrorBodySchema, await res.json(), path);
    }
  });

  it('covered every route of the contract', () => {
    expect([...checked].sort()).toEqual(Object.keys(API_CONTRACTS).sort());
  });
});
