/**
 * The outbox of hub notifications, end to end through the HTTP surface on
 * DynamoDB Local: `customer.erased` and `customer.unmerged` are written with
 * the change they announce, so a failed publish is repaired by repeating the
 * request (never a 404 into silence) or by the start-up sweep. The bus
 * failure is injected (the one fault the local bus cannot be made to have).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { BusEntry } from '../../functions/events/envelope.js';
import { HUB_SOURCE } from '../../functions/events/hub-event.js';
import { LocalQueue } from '../../functions/adapters/local/local-queue.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import type { SubscriptionInput } from '../../functions/subscriptions/config.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const withJson = (buf: Buffer, edit: (json: any) => void): Buffer => {
  const json = JSON.parse(buf.toString('utf8'));
  edit(json);
  return Buffer.from(JSON.stringify(json));
};

const lead = (contacts: Record<string, string>, created: string, quiz: string) =>
  withJson(fixture('marquiz', 'lead.json'), (j) => {
    j.contacts = contacts;
    j.created = created;
    j.quiz = { id: quiz, name: quiz };
  });

const send = async (hub: LocalHub, path: string, method: string, body?: unknown) => {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
};

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

/** Makes the bus refuse the next put of a `type` notification (EventBridge throttled or down). */
const failNextPublishOf = (hub: LocalHub, type: string) => {
  const original = hub.bus.putEntries.bind(hub.bus);
  let armed = true;
  hub.bus.putEntries = async (entries: readonly BusEntry[]) => {
    if (armed && entries.some((e) => e.detailType === type)) {
      armed = false;
      throw new Error('EventBridge: ThrottlingException (injected)');
    }
    return original(entries);
  };
};

const outboxItems = async (hub: LocalHub) =>
  ((await hub.dynamoClient.send(new ScanCommand({ TableName: hub.tableName }))).Items ?? [])
    .map((i) => unmarshall(i))
    .filter((i) => String(i.pk).startsWith('X#'));

describe('Outbox: erase and unmerge never lose their notification', () => {
  let hub: LocalHub;
  let published: { type: string; detail: any }[];
  beforeAll(async () => {
    hub = await startTestHub({ retryBaseMs: 20 });
    published = spyOnHubEvents(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('an erase whose publish fails answers 503, stays erased, and the repeated request publishes customer.erased', async () => {
    // Prepare
    await postWebhook(hub, 'marquiz', lead({ email: 'outbox-erase@example.com' }, '2023-11-14T10:00:00.000Z', 'ob1'));
    await hub.idle();
    const { customerId } = (await api(hub, '/v1/customers?identity=email:outbox-erase@example.com')).body;
    failNextPublishOf(hub, 'customer.erased');

    // Act
    const first = await send(hub, `/v1/customers/${customerId}`, 'DELETE');
    await hub.idle();
    const gone = await api(hub, `/v1/customers/${customerId}`);
    const pending = await outboxItems(hub);
    const again = await send(hub, `/v1/customers/${customerId}`, 'DELETE');
    await hub.idle();

    // Assess
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('notification_pending');
    expect(gone.status).toBe(404);
    expect(pending.map((i) => i.entry.detailType)).toEqual(['customer.erased']);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(expect.objectContaining({ status: 'erased', customerId, alreadyErased: true }));
    expect(published.filter((e) => e.type === 'customer.erased' && e.detail.customerId === customerId)).toHaveLength(1);
    expect(await outboxItems(hub)).toEqual([]);
    // Nothing pending any more: a third request still answers, and publishes nothing new.
    expect((await send(hub, `/v1/customers/${customerId}`, 'DELETE')).status).toBe(200);
    await hub.idle();
    expect(published.filter((e) => e.type === 'customer.erased' && e.detail.customerId === customerId)).toHaveLength(1);
  });

  it('an unmerge whose publish fails answers 503; repeating it returns the same split and publishes customer.unmerged', async () => {
    // Prepare: one profile with a phone and an email.
    await postWebhook(
      hub,
      'marquiz',
      lead({ phone: '050 000 77 01', email: 'outbox-split@example.com' }, '2023-11-14T10:00:00.000Z', 'ob2'),
    );
    await hub.idle();
    const { customerId } = (await api(hub, '/v1/customers?identity=email:outbox-split@example.com')).body;
    failNextPublishOf(hub, 'customer.unmerged');

    // Act
    const body = { identities: ['phone:+380500007701'] };
    const first = await send(hub, `/v1/customers/${customerId}/unmerge`, 'POST', body);
    await hub.idle();
    const again = await send(hub, `/v1/customers/${customerId}/unmerge`, 'POST', body);
    await hub.idle();

    // Assess
    expect(first.status).toBe(503);
    expect(again.status).toBe(200);
    const split = (await api(hub, '/v1/customers?identity=phone:+380500007701')).body.customerId;
    expect(again.body.split.customerId).toBe(split);
    expect(
      published.filter((e) => e.type === 'customer.unmerged' && e.detail.relatedIds[0] === split).length,
    ).toBeGreaterThanOrEqual(1);
    expect(await outboxItems(hub)).toEqual([]);
  });
});

describe('Outbox: the start-up sweep', () => {
  it('publishes a notification a failed erase left behind when the hub starts again on the same data', async () => {
    // Prepare: the erase committed, its publish failed, and nobody repeated the request.
    const first = await startTestHub({ retryBaseMs: 20 });
    await postWebhook(first, 'marquiz', lead({ email: 'outbox-sweep@example.com' }, '2023-11-14T10:00:00.000Z', 'sw'));
    await first.idle();
    const { customerId } = (await api(first, '/v1/customers?identity=email:outbox-sweep@example.com')).body;
    failNextPublishOf(first, 'customer.erased');
    expect((await send(first, `/v1/customers/${customerId}`, 'DELETE')).status).toBe(503);
    await first.stop();

    // Act: the hub starts again on the same table, with a subscriber of hub notifications.
    const erasures: SubscriptionInput = {
      name: 'erasures',
      pattern: { source: [HUB_SOURCE], 'detail-type': ['customer.erased'] },
      target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:erasures' },
    };
    const second = await startTestHub({ retryBaseMs: 20, tableName: first.tableName, subscriptions: [erasures] });
    try {
      await second.idle();

      // Assess
      const deliveries = await second.subscriptions.log.recent('erasures', { limit: 10 });
      expect(deliveries.items.map((d) => d.outcome)).toEqual(['matched']);
      expect(await outboxItems(second)).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
