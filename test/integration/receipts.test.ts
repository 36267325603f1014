/**
 * Receipts are not the customer talking, through the HTTP
 * surface with the vendors' own receipt payloads: a WhatsApp `statuses`
 * entry, a Viber `seen` callback. A receipt for a known customer lands in her
 * timeline and moves nothing she did; one for a number the hub never knew
 * invents no customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const withJson = (buf: Buffer, edit: (json: any) => void): Buffer => {
  const json = JSON.parse(buf.toString('utf8'));
  edit(json);
  return Buffer.from(JSON.stringify(json));
};

const whatsappMessage = (waId: string, wamid: string, ts: string) =>
  withJson(fixture('whatsapp', 'message-text.json'), (j) => {
    const value = j.entry[0].changes[0].value;
    value.contacts[0].wa_id = waId;
    value.messages[0].from = waId;
    value.messages[0].id = wamid;
    value.messages[0].timestamp = ts;
  });

/** The documented status payload (status-sent.json) with another status, recipient and time. */
const whatsappStatus = (status: 'delivered' | 'read' | 'failed', recipient: string, ts: string, id = 'wamid.out1') =>
  withJson(fixture('whatsapp', 'status-sent.json'), (j) => {
    const s = j.entry[0].changes[0].value.statuses[0];
    s.status = status;
    s.recipient_id = recipient;
    s.timestamp = ts;
    s.id = id;
    if (status === 'failed') s.errors = [{ code: 131026, title: 'Message undeliverable' }];
  });

const lookup = (hub: LocalHub, identity: string) => api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);

describe('Receipts are not the customer talking', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startTestHub({ retryBaseMs: 20 });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('a failed receipt for a number the hub never knew invents no customer', async () => {
    // Act
    const res = await postWebhook(hub, 'whatsapp', whatsappStatus('failed', '380671239900', '1700000100'));
    await hub.idle();

    // Assess
    expect(res.status).toBe(200);
    expect((await lookup(hub, 'phone:+380671239900')).status).toBe(404);
    expect((await lookup(hub, 'whatsapp:380671239900')).status).toBe(404);
  });

  it("delivered and read receipts land in a known customer's timeline and move nothing she did", async () => {
    // Prepare: she wrote once.
    await postWebhook(hub, 'whatsapp', whatsappMessage('380671239901', 'wamid.in1', '1700000000'));
    await hub.idle();
    const before = (await lookup(hub, 'whatsapp:380671239901')).body;

    // Act: our reply reached her and she read it, later.
    await postWebhook(hub, 'whatsapp', whatsappStatus('delivered', '380671239901', '1700000500', 'wamid.out2'));
    await postWebhook(hub, 'whatsapp', whatsappStatus('read', '380671239901', '1700000600', 'wamid.out2'));
    await hub.idle();

    // Assess
    const after = (await lookup(hub, 'whatsapp:380671239901')).body;
    expect(after.customerId).toBe(before.customerId);
    expect(after.lastInteractionAt).toBe(before.lastInteractionAt);
    expect(after.lastChannel).toBe(before.lastChannel);
    expect(after.channels).toEqual(before.channels);
    expect(after.computed.preferredChannel).toBe(before.computed.preferredChannel);
    const timeline = await api(hub, `/v1/customers/${after.customerId}/timeline`);
    expect(timeline.body.items.map((i: any) => i.type)).toEqual([
      'message.read',
      'message.delivered',
      'message.received',
    ]);
  });

  it('a Viber seen callback for a user the hub never knew invents no customer', async () => {
    const res = await postWebhook(hub, 'viber', fixture('viber', 'seen.json'));
    await hub.idle();
    expect(res.status).toBe(200);
    expect((await lookup(hub, 'viber:3SQNc4FPUQmysaM/AQEhXg==')).status).toBe(404);
  });
});
