/**
 * Events that carry the customer, end to end on the local hub (DynamoDB
 * Local, the local bus and queues, the real dispatcher) with a real signed
 * webhook receiver standing in for a CRM: every event arrives with the
 * profile it is in (`detail.customerId`, `detail.profile`) after the profile
 * writer applied it; `customer.created` / `customer.updated` come from the
 * outbox of the same write; a CRM that re-keys on `customer.merged` ends with
 * one record per person; redeliveries publish nothing twice; an erased
 * customer gets no snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';
import { startReceiver, type Receiver } from '../subscriptions/receiver.js';

const withJson = (buf: Buffer, edit: (json: any) => void): Buffer => {
  const json = JSON.parse(buf.toString('utf8'));
  edit(json);
  return Buffer.from(JSON.stringify(json));
};

const lead = (contacts: Record<string, string>, created: string) =>
  withJson(fixture('marquiz', 'lead.json'), (j) => {
    j.contacts = contacts;
    j.created = created;
  });

const viber = (file: string, edit: (json: any) => void) => withJson(fixture('viber', file), edit);

/**
 * A CRM as an integrator would write one: records keyed by the hub's
 * customer id; `customer.merged` moves what it holds under the merged ids
 * onto the survivor and keeps them as aliases (an event attempted before the
 * merge committed may still arrive under an old id).
 */
const crmOf = (deliveries: readonly any[]) => {
  const records = new Map<string, string[]>();
  const alias = new Map<string, string>();
  const keyOf = (id: string): string => alias.get(id) ?? id;
  for (const d of deliveries) {
    const { detail } = d;
    if (d['detail-type'] === 'customer.merged') {
      for (const old of detail.relatedIds as string[]) {
        alias.set(old, detail.customerId);
        records.set(detail.customerId, [...(records.get(detail.customerId) ?? []), ...(records.get(old) ?? [])]);
        records.delete(old);
      }
      continue;
    }
    if (d['detail-type'].startsWith('customer.')) continue;
    const key = keyOf(detail.customerId);
    records.set(key, [...(records.get(key) ?? []), detail.id]);
  }
  return records;
};

describe("Subscriptions with enrich: 'customer'", () => {
  let hub: LocalHub;
  let crm: Receiver;
  let raw: Receiver;
  const delivered = () => crm.accepted().map((r) => r.json);
  const ofType = (type: string) => delivered().filter((d) => d['detail-type'] === type);
  /** The bus and the profile writer, then the subscriptions' own delivery queues (waits for the writer included). */
  const settle = async () => {
    await hub.idle();
    await hub.subscriptions.idle();
  };

  beforeAll(async () => {
    crm = await startReceiver({ secret: () => hub?.subscriptions.secret('crm') });
    raw = await startReceiver();
    hub = await startTestHub({
      subscriptions: [
        {
          name: 'crm',
          pattern: { source: [{ prefix: 'omnihub.' }], 'detail-type': [{ 'anything-but': 'hydration.requested' }] },
          target: { type: 'webhook', url: crm.url },
        },
        {
          name: 'raw',
          pattern: { 'detail-type': ['lead.submitted'] },
          target: { type: 'webhook', url: raw.url },
          enrich: 'none',
        },
      ],
      // A profile writer slower than the dispatcher is waited for: short polls here.
      enrichWait: { pollMs: [20, 40, 80, 160], requeueMaxMs: 200 },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await crm?.close();
    await raw?.close();
  });

  it('a new person: her lead arrives with the customer it made, after the write, and customer.created names what the hub knows', async () => {
    // Act
    const res = await postWebhook(
      hub,
      'marquiz',
      lead({ name: 'Olena', phone: '050 123 45 01' }, '2026-05-01T10:00:00.000Z'),
    );
    const [eventId] = res.body.eventIds;
    await settle();

    // Assess
    const [leadDelivery] = ofType('lead.submitted');
    expect(leadDelivery?.detail.id).toBe(eventId);
    const customerId = leadDelivery?.detail.customerId;
    expect(customerId).toMatch(/^cus_/);
    expect(leadDelivery?.detail.profile).toEqual(
      expect.objectContaining({ customerId, name: 'Olena', consent: {}, version: 1 }),
    );
    // The customer view already showed the event when the subscriber got it (the profile version says so).
    const timeline = (await api(hub, `/v1/customers/${customerId}/timeline`)).body;
    expect(timeline.items.map((i: any) => i.eventId)).toContain(eventId);
    const [created] = ofType('customer.created');
    expect(created?.source).toBe('omnihub.hub');
    expect(created?.detail).toEqual(
      expect.objectContaining({
        customerId,
        causedBy: eventId,
        changed: ['traits', 'identities'],
        changes: { traits: { name: 'Olena' }, identities: [expect.objectContaining({ value: '+380501234501' })] },
      }),
    );
    // The same event to a subscription that asked for the bus envelope as is.
    const [plain] = (await raw.waitFor(1)).map((r) => r.json);
    expect(plain.detail.id).toBe(eventId);
    expect(plain.detail).not.toHaveProperty('customerId');
    expect(plain.detail).not.toHaveProperty('profile');
  });

  it('a returning lead that changes nothing makes no customer.updated; a new name does, with the new value', async () => {
    // Prepare
    const before = ofType('customer.updated').length;

    // Act
    await postWebhook(hub, 'marquiz', lead({ name: 'Olena', phone: '050 123 45 01' }, '2026-05-02T10:00:00.000Z'));
    await settle();
    const unchanged = ofType('customer.updated').length;
    await postWebhook(hub, 'marquiz', lead({ name: 'Olena K.', phone: '050 123 45 01' }, '2026-05-03T10:00:00.000Z'));
    await settle();

    // Assess
    expect(unchanged).toBe(before);
    const leads = ofType('lead.submitted');
    expect(new Set(leads.map((d) => d.detail.customerId)).size).toBe(1);
    const updated = ofType('customer.updated');
    expect(updated).toHaveLength(before + 1);
    expect(updated.at(-1)?.detail).toEqual(
      expect.objectContaining({
        customerId: leads[0]?.detail.customerId,
        changed: ['traits'],
        changes: { traits: { name: 'Olena K.' } },
      }),
    );
    expect(leads.at(-1)?.detail.profile.name).toBe('Olena K.');
  });

  it('a merge: customer.merged names the survivor and the merged ids, later events carry the survivor, and a CRM that re-keys holds one record', async () => {
    // Prepare: the same person known twice, by phone and by email.
    await postWebhook(hub, 'marquiz', lead({ name: 'Taras', phone: '050 123 45 02' }, '2026-05-01T10:00:00.000Z'));
    await settle();
    await postWebhook(hub, 'marquiz', lead({ email: 'taras@example.com' }, '2026-05-01T11:00:00.000Z'));
    await settle();
    const [byPhone, byEmail] = ofType('customer.created')
      .slice(-2)
      .map((d) => d.detail.customerId);

    // Act: a lead with both.
    const res = await postWebhook(
      hub,
      'marquiz',
      lead({ name: 'Taras', phone: '050 123 45 02', email: 'taras@example.com' }, '2026-05-04T10:00:00.000Z'),
    );
    const [linking] = res.body.eventIds;
    await settle();

    // Assess
    const merged = ofType('customer.merged').at(-1)?.detail;
    expect(merged).toEqual(expect.objectContaining({ customerId: byPhone, relatedIds: [byEmail], causedBy: linking }));
    // The notification carries the survivor's snapshot too.
    expect(merged.profile).toEqual(expect.objectContaining({ customerId: byPhone, name: 'Taras' }));
    const linkingDelivery = ofType('lead.submitted').find((d) => d.detail.id === linking);
    expect(linkingDelivery?.detail.customerId).toBe(byPhone);
    expect(ofType('customer.updated').at(-1)?.detail).toEqual(
      expect.objectContaining({ customerId: byPhone, changed: ['identities'] }),
    );
    const records = crmOf(delivered());
    expect(records.has(byEmail)).toBe(false);
    expect(records.get(byPhone)).toHaveLength(3);
    // The email lead was delivered under the id it had then: customer.merged is what re-keys it.
    expect(ofType('lead.submitted').filter((d) => d.detail.customerId === byEmail)).toHaveLength(1);
  });

  it('redelivered webhooks publish no notification twice', async () => {
    // Prepare
    const body = lead({ name: 'Iryna', phone: '050 123 45 03' }, '2026-05-05T10:00:00.000Z');
    await postWebhook(hub, 'marquiz', body);
    await settle();
    const notifications = () => delivered().filter((d) => d.source === 'omnihub.hub').length;
    const before = notifications();
    const leadsBefore = ofType('lead.submitted').length;

    // Act: the vendor sends it twice more.
    await postWebhook(hub, 'marquiz', body);
    await postWebhook(hub, 'marquiz', body);
    await settle();

    // Assess: the touchpoint may arrive again (at least once, same webhook-id), its notifications never.
    expect(notifications()).toBe(before);
    const again = ofType('lead.submitted').slice(leadsBefore);
    expect(new Set(again.map((d) => d.detail.id)).size).toBeLessThanOrEqual(1);
    expect(again.every((d) => d.detail.customerId === again[0]?.detail.customerId)).toBe(true);
  });

  it('consent: a Viber unsubscribe makes customer.updated with the consent change, and the snapshot shows it', async () => {
    // Prepare
    await postWebhook(
      hub,
      'viber',
      viber('subscribed.json', (j) => (j.timestamp = Date.parse('2026-05-06T10:00:00Z'))),
    );
    await settle();
    const customerId = ofType('customer.created').find((d) =>
      d.detail.changes.identities?.some((i: any) => i.type === 'viber'),
    )?.detail.customerId;

    // Act
    await postWebhook(
      hub,
      'viber',
      viber('unsubscribed.json', (j) => {
        j.user_id = '01234567890A=';
        j.timestamp = Date.parse('2026-05-07T10:00:00Z');
      }),
    );
    await settle();

    // Assess
    const updated = ofType('customer.updated').at(-1)?.detail;
    expect(updated).toEqual(
      expect.objectContaining({
        customerId,
        changed: expect.arrayContaining(['consent']),
        changes: expect.objectContaining({ consent: { viber: { status: 'revoked', at: '2026-05-07T10:00:00.000Z' } } }),
      }),
    );
    const revoked = ofType('consent.revoked').at(-1)?.detail;
    expect(revoked).toEqual(expect.objectContaining({ customerId }));
    expect(revoked.profile.consent).toEqual({ viber: 'revoked' });
  });

  it('an erased customer: customer.erased carries her id and no snapshot', async () => {
    // Prepare
    const customerId = ofType('customer.created').at(0)?.detail.customerId;

    // Act
    const res = await fetch(`${hub.url}/v1/customers/${customerId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hub.apiToken}` },
    });
    await settle();

    // Assess
    expect(res.status).toBe(200);
    const erased = ofType('customer.erased').at(-1)?.detail;
    expect(erased).toEqual(expect.objectContaining({ customerId }));
    expect(erased).not.toHaveProperty('profile');
    // Every event the CRM received carried a customer id.
    expect(delivered().filter((d) => typeof d.detail.customerId !== 'string')).toEqual([]);
  });
});
