/**
 * The API routes the console needs beyond the read API: `POST /v1/search`
 * (free text, the type decided server-side, merged ids followed) and the last
 * event per connector in `GET /v1/connectors`. Real signed webhooks into a
 * local hub on DynamoDB Local.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const fixtureJson = (connector: string, file: string): any =>
  JSON.parse(readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8'));

const search = async (hub: LocalHub, query: unknown) => {
  const res = await fetch(`${hub.url}/v1/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(query),
  });
  return { status: res.status, body: (await res.json()) as any };
};

const quiz = (contacts: Record<string, string>, created: string) => {
  const body = fixtureJson('marquiz', 'lead.json');
  body.contacts = contacts;
  body.created = created;
  return JSON.stringify(body);
};

describe('Console API: search and connector activity', () => {
  let hub: LocalHub;
  let whatsappCustomer: string;

  beforeAll(async () => {
    hub = await startTestHub();
    const whatsapp = fixtureJson('whatsapp', 'message-text.json');
    whatsapp.entry[0].changes[0].value.contacts[0].wa_id = '380501112233';
    Object.assign(whatsapp.entry[0].changes[0].value.messages[0], { from: '380501112233', id: 'wamid.search' });
    expect((await postWebhook(hub, 'whatsapp', JSON.stringify(whatsapp))).status).toBe(200);
    const telegram = fixtureJson('telegram', 'message-text.json');
    telegram.message.from.id = 123;
    telegram.message.chat.id = 123;
    expect((await postWebhook(hub, 'telegram', JSON.stringify(telegram))).status).toBe(200);
    await hub.idle();
    whatsappCustomer = (await api(hub, '/v1/customers?identity=whatsapp:380501112233')).body.customerId;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it.each(['050 111 22 33', '+380501112233', '380501112233', '(050) 111-22-33'])(
    'finds the WhatsApp customer by the phone %j',
    async (query) => {
      // Act
      const res = await search(hub, { query });

      // Assess
      expect(res.status).toBe(200);
      expect(res.body.matches).toHaveLength(1);
      expect(res.body.matches[0]).toMatchObject({
        customerId: whatsappCustomer,
        matchedBy: 'phone:+380501112233',
        channels: ['whatsapp'],
      });
    },
  );

  it('finds a messenger id and a customer id', async () => {
    // Act
    const byTelegram = await search(hub, { query: 'telegram:123' });
    const byId = await search(hub, { query: whatsappCustomer });

    // Assess
    expect(byTelegram.body.matches).toEqual([expect.objectContaining({ matchedBy: 'telegram:123' })]);
    expect(byTelegram.body.matches[0].customerId).not.toBe(whatsappCustomer);
    expect(byId.body.matches.map((m: any) => m.customerId)).toEqual([whatsappCustomer]);
  });

  it('lands a merged-away customer id and its identities on the survivor', async () => {
    // Prepare: an email-only lead and a phone-only lead, then one with both merges them.
    const steps = [
      quiz({ name: 'Merge', email: 'merge.me@example.com' }, '2026-11-01T10:00:00.000Z'),
      quiz({ name: 'Merge', phone: '067 222 33 44' }, '2026-11-01T11:00:00.000Z'),
    ];
    for (const body of steps) expect((await postWebhook(hub, 'marquiz', body)).status).toBe(200);
    await hub.idle();
    const emailOnly = (await search(hub, { query: 'merge.me@example.com' })).body.matches[0].customerId;
    const phoneOnly = (await search(hub, { query: '067 222 33 44' })).body.matches[0].customerId;
    expect(emailOnly).not.toBe(phoneOnly);

    // Act
    const both = quiz(
      { name: 'Merge', phone: '+380672223344', email: 'MERGE.me@example.com' },
      '2026-11-01T12:00:00.000Z',
    );
    expect((await postWebhook(hub, 'marquiz', both)).status).toBe(200);
    await hub.idle();

    // Assess
    const ids = new Set<string>();
    for (const query of [emailOnly, phoneOnly, 'merge.me@example.com', '0672223344']) {
      const res = await search(hub, { query });
      expect(res.body.matches, query).toHaveLength(1);
      ids.add(res.body.matches[0].customerId);
    }
    expect(ids.size).toBe(1);
  });

  it('answers an empty result for an unknown identity and 400 for what is not one', async () => {
    expect((await search(hub, { query: '+380999999999' })).body).toEqual({ matches: [] });
    const bad = await search(hub, { query: 'who is this?' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_request');
    expect((await search(hub, { q: '050' })).status).toBe(400);
  });

  it('shows the last event each connector delivered, and none for the silent ones', async () => {
    // Act
    const res = await api(hub, '/v1/connectors');

    // Assess
    const byName = Object.fromEntries(res.body.connectors.map((c: any) => [c.name, c]));
    expect(byName.whatsapp.lastEvent).toMatchObject({ connector: 'whatsapp', type: 'message.received' });
    expect(Date.parse(byName.whatsapp.lastEvent.receivedAt)).toBeGreaterThan(Date.now() - 120_000);
    expect(byName.telegram.lastEvent.type).toBe('message.received');
    expect(byName.marquiz.lastEvent.type).toBe('lead.submitted');
    expect(byName.shopify.lastEvent).toBeUndefined();
  });
});
