/**
 * The single customer view under real traffic conditions, through the HTTP
 * surface against DynamoDB Local: merges, concurrency, crashes between
 * steps, reordering, guard rails, unmerge, erase and export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { LocalQueue } from '../../functions/adapters/local/local-queue.js';
import { DynamoProfileStore, keys } from '../../functions/adapters/aws/dynamodb-profile-store.js';
import { linkingPolicy } from '../../functions/domain/linking.js';
import { HUB_SOURCE, type HubEvent } from '../../functions/events/hub-event.js';
import { hubEventId } from '../../functions/events/event-id.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const withJson = (buf: Buffer, edit: (json: any) => void): Buffer => {
  const json = JSON.parse(buf.toString('utf8'));
  edit(json);
  return Buffer.from(JSON.stringify(json));
};

const whatsapp = (waId: string, wamid: string, text = 'Hello', ts = '1700000000') =>
  withJson(fixture('whatsapp', 'message-text.json'), (j) => {
    const value = j.entry[0].changes[0].value;
    value.contacts[0].wa_id = waId;
    value.messages[0].from = waId;
    value.messages[0].id = wamid;
    value.messages[0].timestamp = ts;
    value.messages[0].text.body = text;
  });

const lead = (contacts: Record<string, string>, created = '2023-11-14T10:00:00.000Z', quiz = 'Kitchen') =>
  withJson(fixture('marquiz', 'lead.json'), (j) => {
    j.contacts = contacts;
    j.created = created;
    j.quiz = { id: quiz, name: quiz };
  });

/** Records what the hub publishes about profiles (customer.merged, …). */
const spyOnHubEvents = (hub: LocalHub) => {
  const seen: { type: string; detail: any }[] = [];
  hub.bus.addRoute({
    name: 'spy',
    pattern: { source: [HUB_SOURCE] },
    queue: new LocalQueue('spy', async (event) => {
      for (const r of event.Records) {
        const env = JSON.parse(r.body);
        seen.push({ type: env['detail-type'], detail: env.detail });
      }
    }),
  });
  return seen;
};

const lookup = (hub: LocalHub, identity: string) => api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);

const send = async (hub: LocalHub, path: string, method: string, body?: unknown) => {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('Customer view: merges', () => {
  let hub: LocalHub;
  let published: { type: string; detail: any }[];
  beforeAll(async () => {
    hub = await startTestHub({ retryBaseMs: 20 });
    published = spyOnHubEvents(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('merges two profiles when an event links them, and every old id and identity reads the survivor', async () => {
    // Prepare: a WhatsApp chat (phone) and a quiz lead (email only) start two profiles.
    expect((await postWebhook(hub, 'whatsapp', whatsapp('380501230001', 'wamid.m1', 'Hi', '1700000000'))).status).toBe(
      200,
    );
    await hub.idle();
    expect(
      (
        await postWebhook(
          hub,
          'marquiz',
          lead({ name: 'Olena', email: 'olena.m@example.com' }, '2023-11-15T10:00:00.000Z'),
        )
      ).status,
    ).toBe(200);
    await hub.idle();
    const a = await lookup(hub, 'phone:+380501230001');
    const b = await lookup(hub, 'email:olena.m@example.com');
    expect(a.body.customerId).not.toBe(b.body.customerId);

    // Act: a second quiz with both contacts links them.
    expect(
      (
        await postWebhook(
          hub,
          'marquiz',
          lead(
            { name: 'Olena M', phone: '050 123 00 01', email: 'olena.m@example.com' },
            '2023-11-16T10:00:00.000Z',
            'Sofa',
          ),
        )
      ).status,
    ).toBe(200);
    await hub.idle();

    // Assess
    const survivor = await lookup(hub, 'email:olena.m@example.com');
    expect(survivor.body.customerId).toBe(a.body.customerId); // the oldest profile survives
    expect(survivor.body.mergedIds).toEqual([b.body.customerId]);
    expect((await api(hub, `/v1/customers/${b.body.customerId}`)).body.customerId).toBe(a.body.customerId);
    expect((await lookup(hub, 'whatsapp:380501230001')).body.customerId).toBe(a.body.customerId);
    expect(survivor.body.eventCount).toBe(3);
    expect(survivor.body.channels.web.count).toBe(2);
    expect(survivor.body.channels.whatsapp.count).toBe(1);
    const timeline = await api(hub, `/v1/customers/${b.body.customerId}/timeline`);
    expect(timeline.body.items.map((i: any) => i.type)).toEqual([
      'lead.submitted',
      'lead.submitted',
      'message.received',
    ]);
    expect(published.filter((e) => e.type === 'customer.merged').map((e) => e.detail)).toEqual([
      expect.objectContaining({ customerId: a.body.customerId, relatedIds: [b.body.customerId] }),
    ]);
  });

  it('ends in ONE profile when parallel deliveries race to create and merge the same customer', async () => {
    // Prepare: eight events of one customer, some by phone, some by email, some with both.
    const bodies: [string, Buffer][] = [
      ['whatsapp', whatsapp('380671110022', 'wamid.r1', 'a', '1700000100')],
      ['whatsapp', whatsapp('380671110022', 'wamid.r2', 'b', '1700000200')],
      ['marquiz', lead({ email: 'race@example.com' }, '2023-11-14T10:00:00.000Z', 'q1')],
      ['marquiz', lead({ email: 'race@example.com' }, '2023-11-14T11:00:00.000Z', 'q2')],
      ['marquiz', lead({ phone: '067 111 00 22', email: 'race@example.com' }, '2023-11-14T12:00:00.000Z', 'q3')],
      ['whatsapp', whatsapp('380671110022', 'wamid.r3', 'c', '1700000300')],
      ['marquiz', lead({ phone: '+380671110022' }, '2023-11-14T13:00:00.000Z', 'q4')],
      ['marquiz', lead({ phone: '0671110022', email: 'race@example.com' }, '2023-11-14T14:00:00.000Z', 'q5')],
    ];
    // Act
    const responses = await Promise.all(bodies.map(([connector, body]) => postWebhook(hub, connector, body)));
    await hub.idle();
    // Assess
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const byPhone = await lookup(hub, 'phone:+380671110022');
    const byEmail = await lookup(hub, 'email:race@example.com');
    expect(byEmail.body.customerId).toBe(byPhone.body.customerId);
    expect(byPhone.body.eventCount).toBe(8);
  });
});

describe('Customer view: a writer that dies half-way is retried into the same state', () => {
  it('publishes customer.merged and ends identical to a run that never crashed', async () => {
    const run = async (crashAt?: string, steps?: Set<string>) => {
      let crashed = false;
      const hub = await startTestHub({
        retryBaseMs: 20,
        faultInjector: (step) => {
          steps?.add(step);
          if (step === crashAt && !crashed) {
            crashed = true;
            throw new Error(`injected crash ${step}`);
          }
        },
      });
      const published = spyOnHubEvents(hub);
      try {
        await postWebhook(hub, 'whatsapp', whatsapp('380931234567', 'wamid.c1', 'x', '1700000000'));
        await hub.idle();
        // A returning customer: the two-write path (timeline entry, then profile).
        await postWebhook(hub, 'whatsapp', whatsapp('380931234567', 'wamid.c1b', 'y', '1700000100'));
        await hub.idle();
        await postWebhook(hub, 'marquiz', lead({ email: 'crash@example.com' }, '2023-11-15T10:00:00.000Z', 'c1'));
        await hub.idle();
        await postWebhook(
          hub,
          'marquiz',
          lead({ phone: '093 123 45 67', email: 'crash@example.com' }, '2023-11-16T10:00:00.000Z', 'c2'),
        );
        await hub.idle();
        // Returning to the merged profile: the two-write path, with the merged partition probed.
        await postWebhook(hub, 'whatsapp', whatsapp('380931234567', 'wamid.c3', 'z', '1700500000'));
        await hub.idle();
        const profile = (await lookup(hub, 'email:crash@example.com')).body;
        const timeline = (await api(hub, `/v1/customers/${profile.customerId}/timeline`)).body;
        const phoneLink = (await lookup(hub, 'phone:+380931234567')).body.customerId;
        return {
          crashed,
          profile,
          timeline,
          phoneLink,
          merges: published.filter((e) => e.type === 'customer.merged').length,
        };
      } finally {
        await hub.stop();
      }
    };
    // Every step the writes of a clean run go through, then a crash after each of them in turn.
    const steps = new Set<string>();
    const clean = await run(undefined, steps);
    expect([...steps]).toEqual(
      expect.arrayContaining(['after-commit', 'after-repoint-0', 'after-timeline', 'after-profile']),
    );
    for (const step of steps) {
      const crashed = await run(step);
      expect(crashed.crashed, step).toBe(true);
      const strip = (p: any) => ({ ...p, createdAt: undefined, updatedAt: undefined });
      expect(strip(crashed.profile), step).toEqual(strip(clean.profile));
      expect(crashed.timeline.items.map((i: any) => i.eventId)).toEqual(
        clean.timeline.items.map((i: any) => i.eventId),
      );
      expect(crashed.phoneLink).toBe(crashed.profile.customerId);
      expect(crashed.merges, step).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('Customer view: the final profile does not depend on arrival order', () => {
  it("holds for permutations of one customer's events (fast-check, against DynamoDB Local)", async () => {
    const hub = await startTestHub();
    try {
      const mk = (
        n: number,
        identities: { type: 'phone' | 'email' | 'telegram'; value: string }[],
        day: number,
        type: 'message.received' | 'purchase.completed',
      ): HubEvent =>
        ({
          schemaVersion: 1,
          id: hubEventId('perm', String(n)),
          connector: 'perm',
          providerEventId: String(n),
          type,
          channel: type === 'purchase.completed' ? 'pos' : 'telegram',
          occurredAt: `2026-10-${String(day).padStart(2, '0')}T10:00:00.000Z`,
          receivedAt: '2026-11-01T00:00:00.000Z',
          customer: { identities, traits: { name: `v${n}` } },
          summary: `e${n}`,
          data:
            type === 'purchase.completed'
              ? { orderId: `o${n % 2}`, total: { amountMinor: 1000 * n, currency: 'UAH' }, items: [] }
              : { messageId: String(n), direction: 'inbound', contentType: 'text', text: 'x' },
        }) as HubEvent;
      await fc.assert(
        fc.asyncProperty(fc.constant(null), fc.integer({ min: 1, max: 1_000_000 }), async (_n, seed) => {
          const tag = randomUUID().slice(0, 8);
          const phone = { type: 'phone' as const, value: `+38050${String(seed % 10_000_000).padStart(7, '0')}` };
          const email = { type: 'email' as const, value: `${tag}@example.com` };
          const tg = { type: 'telegram' as const, value: `${tag}` };
          const events = [
            mk(1, [phone], 3, 'message.received'),
            mk(2, [email], 5, 'purchase.completed'),
            mk(3, [tg], 1, 'message.received'),
            mk(4, [phone, email], 7, 'message.received'),
            mk(5, [email, tg], 2, 'purchase.completed'),
          ].map((e) => ({
            ...e,
            id: hubEventId('perm', `${tag}-${e.providerEventId}`),
            data:
              e.type === 'purchase.completed'
                ? { ...(e.data as object), orderId: `${tag}-${(e.data as { orderId: string }).orderId}` }
                : e.data,
          })) as HubEvent[];
          const orders = [
            events,
            [...events].reverse(),
            [events[3], events[0], events[4], events[2], events[1]] as HubEvent[],
          ];
          const results = [];
          for (const [i, order] of orders.entries()) {
            const store = new DynamoProfileStore(hub.dynamoClient, {
              tableName: hub.tableName,
              linking: linkingPolicy(),
            });
            // Each ordering in its own id space: same events, fresh identities.
            const suffix = `-${i}`;
            const remap = (e: HubEvent) =>
              ({
                ...e,
                id: hubEventId('perm', `${e.id}${suffix}`),
                customer: {
                  ...e.customer,
                  identities: e.customer.identities.map((x) => ({
                    ...x,
                    value: x.type === 'phone' ? `${x.value.slice(0, -1)}${i}` : `${i}${x.value}`,
                  })),
                },
                data:
                  e.type === 'purchase.completed'
                    ? { ...(e.data as object), orderId: `${(e.data as { orderId: string }).orderId}${suffix}` }
                    : e.data,
              }) as HubEvent;
            for (const e of order) await store.applyEvent(remap(e));
            const profile = await store.findByIdentity({ type: 'telegram', value: `${i}${tag}` });
            results.push(profile);
          }
          const comparable = (p: any) => ({
            channels: p.channels,
            orders: p.orders,
            eventCount: p.eventCount,
            firstSeenAt: p.firstSeenAt,
            lastChannel: p.lastChannel,
            lastInteractionAt: p.lastInteractionAt,
            identityTypes: p.identities.map((x: any) => x.type).sort(),
            inbound: p.inbound,
          });
          expect(results.every(Boolean)).toBe(true);
          expect(comparable(results[1]), JSON.stringify(results.map(comparable))).toEqual(comparable(results[0]));
          expect(comparable(results[2])).toEqual(comparable(results[0]));
        }),
        { numRuns: 4 },
      );
    } finally {
      await hub.stop();
    }
  });
});

describe('Customer view: guard rails, unmerge, conversation, erase and export', () => {
  let hub: LocalHub;
  let published: { type: string; detail: any }[];
  beforeAll(async () => {
    hub = await startTestHub({ retryBaseMs: 20, linking: linkingPolicy(['email:info@shop.example'], 3) });
    published = spyOnHubEvents(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it("never links two people through the shop's own email, and shows a warning", async () => {
    await postWebhook(
      hub,
      'marquiz',
      lead({ phone: '050 000 11 01', email: 'info@shop.example' }, '2023-11-14T10:00:00.000Z', 'g1'),
    );
    await postWebhook(
      hub,
      'marquiz',
      lead({ phone: '050 000 11 02', email: 'info@shop.example' }, '2023-11-14T11:00:00.000Z', 'g2'),
    );
    await hub.idle();
    const a = await lookup(hub, 'phone:+380500001101');
    const b = await lookup(hub, 'phone:+380500001102');
    expect(a.body.customerId).not.toBe(b.body.customerId);
    expect(a.body.warnings.join(' ')).toMatch(/do-not-link/);
    expect((await lookup(hub, 'email:info@shop.example')).status).toBe(404);
  });

  it("caps identities per type: a source that sends everyone's phone cannot snowball profiles together", async () => {
    for (let i = 1; i <= 4; i++) {
      await postWebhook(
        hub,
        'marquiz',
        lead({ phone: `050 000 22 0${i}`, email: 'snowball@example.com' }, `2023-11-14T1${i}:00:00.000Z`, `s${i}`),
      );
      await hub.idle();
    }
    const profile = await lookup(hub, 'email:snowball@example.com');
    expect(profile.body.identities.filter((i: any) => i.type === 'phone')).toHaveLength(3);
    expect(profile.body.warnings.join(' ')).toMatch(/more than 3 phone/);
    expect((await lookup(hub, 'phone:+380500002204')).status).toBe(404);
  });

  it('unmerges identities with the events they brought, and recomputes both profiles', async () => {
    // Prepare: a shared-phone mistake — two people's chats in one profile.
    await postWebhook(
      hub,
      'marquiz',
      lead({ phone: '050 000 33 01', email: 'anna@example.com' }, '2023-11-14T10:00:00.000Z', 'u1'),
    );
    await hub.idle();
    await postWebhook(
      hub,
      'marquiz',
      lead({ email: 'anna@example.com', name: 'Boris' }, '2023-11-14T11:00:00.000Z', 'u2'),
    );
    await postWebhook(hub, 'whatsapp', whatsapp('380500003301', 'wamid.u1', 'from the phone', '1700000000'));
    await hub.idle();
    const before = await lookup(hub, 'email:anna@example.com');
    expect(before.body.eventCount).toBe(3);

    // Act
    const res = await send(hub, `/v1/customers/${before.body.customerId}/unmerge`, 'POST', {
      identities: ['phone:+380500003301', 'whatsapp:380500003301'],
    });
    await hub.idle();

    // Assess
    expect(res.status).toBe(200);
    const kept = await lookup(hub, 'email:anna@example.com');
    const split = await lookup(hub, 'phone:050 000 33 01');
    expect(split.body.customerId).toBe(res.body.split.customerId);
    expect(split.body.customerId).not.toBe(kept.body.customerId);
    expect(kept.body.eventCount).toBe(2);
    expect(split.body.eventCount).toBe(1);
    expect(split.body.channels).toHaveProperty('whatsapp');
    expect(kept.body.channels).not.toHaveProperty('whatsapp');
    expect(
      published.some((e) => e.type === 'customer.unmerged' && e.detail.relatedIds[0] === split.body.customerId),
    ).toBe(true);
    const again = await send(hub, `/v1/customers/${before.body.customerId}/unmerge`, 'POST', {
      identities: ['phone:+380500003301', 'whatsapp:380500003301'],
    });
    expect(again.body.split.customerId).toBe(split.body.customerId);
    const bad = await send(hub, `/v1/customers/${kept.body.customerId}/unmerge`, 'POST', {
      identities: ['phone:+380509999999'],
    });
    expect(bad.status).toBe(400);
  });

  it('returns the conversation across channels in order, and filters the timeline', async () => {
    await postWebhook(hub, 'whatsapp', whatsapp('380500004401', 'wamid.c1', 'first on WhatsApp', '1700000000'));
    await postWebhook(hub, 'marquiz', lead({ phone: '050 000 44 01' }, '2023-11-14T22:14:00.000Z', 'conv'));
    await postWebhook(hub, 'whatsapp', whatsapp('380500004401', 'wamid.c2', 'second on WhatsApp', '1700000200'));
    await hub.idle();
    const profile = await lookup(hub, 'phone:+380500004401');
    const conversation = await api(hub, `/v1/customers/${profile.body.customerId}/conversation?limit=10`);
    expect(conversation.body.messages.map((m: any) => m.text)).toEqual(['first on WhatsApp', 'second on WhatsApp']);
    const leads = await api(hub, `/v1/customers/${profile.body.customerId}/timeline?type=lead.submitted`);
    expect(leads.body.items.map((i: any) => i.type)).toEqual(['lead.submitted']);
    const byChannel = await api(hub, `/v1/customers/${profile.body.customerId}/timeline?channel=whatsapp&limit=1`);
    expect(byChannel.body.items).toHaveLength(1);
    expect(byChannel.body.nextCursor).toBeDefined();
    expect((await api(hub, `/v1/customers/${profile.body.customerId}/timeline?channel=fax`)).status).toBe(400);
  });

  it('exports everything as one document, then erases it so every lookup is 404', async () => {
    await postWebhook(
      hub,
      'marquiz',
      lead({ phone: '050 000 55 01', email: 'erase@example.com' }, '2023-11-14T10:00:00.000Z', 'e1'),
    );
    await postWebhook(hub, 'whatsapp', whatsapp('380500005501', 'wamid.e1', 'private text', '1700000000'));
    await hub.idle();
    const profile = await lookup(hub, 'email:erase@example.com');
    const exported = await api(hub, `/v1/customers/${profile.body.customerId}/export`);
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    expect(exported.body.timeline).toHaveLength(2);
    expect(exported.body.profile.customerId).toBe(profile.body.customerId);

    const erased = await send(hub, `/v1/customers/${profile.body.customerId}`, 'DELETE');
    await hub.idle();
    expect(erased.status).toBe(200);
    for (const path of [
      `/v1/customers/${profile.body.customerId}`,
      '/v1/customers?identity=email:erase@example.com',
      '/v1/customers?identity=phone:+380500005501',
      `/v1/customers/${profile.body.customerId}/export`,
    ]) {
      expect((await api(hub, path)).status, path).toBe(404);
    }
    expect(published.some((e) => e.type === 'customer.erased' && e.detail.customerId === profile.body.customerId)).toBe(
      true,
    );
    const scan = await hub.dynamoClient.send(new ScanCommand({ TableName: hub.tableName }));
    const text = JSON.stringify(scan.Items);
    expect(text).not.toContain('erase@example.com');
    expect(text).not.toContain('380500005501');
    expect(text).not.toContain('private text');
  });
});

describe('Customer view: a merge of a customer with 10 000 timeline entries', () => {
  it('completes in one transaction and the whole history reads as one timeline', async () => {
    const hub = await startTestHub();
    try {
      // Prepare: a profile with 10 000 timeline items, seeded directly (as years of history would be).
      await postWebhook(hub, 'marquiz', lead({ email: 'big@example.com' }, '2020-01-01T00:00:00.000Z', 'big'));
      await hub.idle();
      const big = (await lookup(hub, 'email:big@example.com')).body;
      const doc = DynamoDBDocumentClient.from(hub.dynamoClient);
      const items = Array.from({ length: 10_000 }, (_, i) => {
        const occurredAt = new Date(Date.UTC(2021, 0, 1) + i * 60_000).toISOString();
        const eventId = hubEventId('seed', String(i));
        return {
          ...keys.timeline(big.customerId, occurredAt, eventId),
          eventId,
          customerId: big.customerId,
          type: 'message.received',
          channel: 'telegram',
          connector: 'seed',
          providerEventId: String(i),
          occurredAt,
          receivedAt: occurredAt,
          summary: `m${i}`,
          identities: [],
          traits: {},
          data: {},
        };
      });
      for (let i = 0; i < items.length; i += 25) {
        await doc.send(
          new BatchWriteCommand({
            RequestItems: { [hub.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
      }
      await postWebhook(hub, 'whatsapp', whatsapp('380500006601', 'wamid.big', 'hi', '1700000000'));
      await hub.idle();

      // Act: a lead with both identities merges the two.
      await postWebhook(
        hub,
        'marquiz',
        lead({ phone: '050 000 66 01', email: 'big@example.com' }, '2023-11-15T00:00:00.000Z', 'big2'),
      );
      await hub.idle();

      // Assess
      const merged = (await lookup(hub, 'phone:+380500006601')).body;
      expect(merged.customerId).toBe(big.customerId);
      let cursor: string | undefined;
      let total = 0;
      do {
        const page = await api(
          hub,
          `/v1/customers/${merged.customerId}/timeline?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        );
        total += page.body.items.length;
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(total).toBe(10_003);
      // Nothing was copied: the merged profile's history stays in its own partition and is read through mergedIds.
      expect(merged.mergedIds).toHaveLength(1);
    } finally {
      await hub.stop();
    }
  }, 180_000);
});
