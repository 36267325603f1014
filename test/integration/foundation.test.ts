/**
 * The foundation end to end: signed webhooks over real HTTP into the local
 * hub (same handlers as the Lambdas), through the local bus and queue, into
 * DynamoDB Local, read back through the read API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub, TEST_VERIFY_TOKEN } from '../helpers/hub.js';

const tableItemCount = async (hub: LocalHub): Promise<number> => {
  const res = await hub.dynamoClient.send(new ScanCommand({ TableName: hub.tableName, Select: 'COUNT' }));
  return res.Count ?? 0;
};

const withJson = (buf: Buffer, edit: (json: any) => void): Buffer => {
  const json = JSON.parse(buf.toString('utf8'));
  edit(json);
  return Buffer.from(JSON.stringify(json));
};

/** The WhatsApp fixture, re-addressed to another sender (the hub signs what it sends). */
const whatsappFrom = (waId: string, wamid = 'wamid.xyzxyz') =>
  withJson(fixture('whatsapp', 'message-text.json'), (j) => {
    const value = j.entry[0].changes[0].value;
    value.contacts[0].wa_id = waId;
    value.messages[0].from = waId;
    value.messages[0].id = wamid;
  });

describe('Foundation: webhook → bus → single customer view → read API', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('lands a signed Telegram update, WhatsApp message and Marquiz lead in their profiles', async () => {
    // Act
    const responses = await Promise.all([
      postWebhook(hub, 'telegram', fixture('telegram', 'message-text.json')),
      postWebhook(hub, 'whatsapp', fixture('whatsapp', 'message-text.json')),
      postWebhook(hub, 'marquiz', fixture('marquiz', 'lead.json')),
    ]);
    await hub.idle();

    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    // The fixture's wa_id is a test number libphonenumber calls invalid; it links by its WhatsApp id too.
    const whatsapp = await api(hub, '/v1/customers?identity=whatsapp:972987654321');
    expect(whatsapp.status).toBe(200);
    expect(whatsapp.body.channels.whatsapp.count).toBe(1);
    expect(whatsapp.body.identities).toEqual(
      expect.arrayContaining([{ type: 'whatsapp', value: '972987654321', source: 'whatsapp' }]),
    );

    const lead = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:IVAN@example.com')}`);
    expect(lead.status).toBe(200);
    expect(lead.body.channels.web.count).toBe(1);

    const timeline = await api(hub, `/v1/customers/${lead.body.customerId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items).toHaveLength(1);
    expect(timeline.body.items[0]).toMatchObject({ type: 'lead.submitted', channel: 'web', connector: 'marquiz' });
  });

  it('a Marquiz lead and a WhatsApp message from the same number end in ONE profile with both channels', async () => {
    // Prepare: the quiz has the national spelling, WhatsApp the wa_id spelling.
    const lead = withJson(fixture('marquiz', 'lead.json'), (j) => {
      j.contacts = { name: 'Olena', phone: '050 111 22 33', email: 'olena@example.com' };
      j.created = '2023-10-01T09:00:00.000Z'; // before the WhatsApp message (2023-10-11)
    });
    // Act
    expect((await postWebhook(hub, 'marquiz', lead)).status).toBe(200);
    await hub.idle();
    expect((await postWebhook(hub, 'whatsapp', whatsappFrom('380501112233', 'wamid.olena-1'))).status).toBe(200);
    await hub.idle();
    // Assess
    const byPhone = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:050 111 22 33')}`);
    const byEmail = await api(hub, '/v1/customers?identity=email:olena@example.com');
    const byWhatsapp = await api(hub, '/v1/customers?identity=whatsapp:380501112233');
    expect(byPhone.status).toBe(200);
    expect(byEmail.body.customerId).toBe(byPhone.body.customerId);
    expect(byWhatsapp.body.customerId).toBe(byPhone.body.customerId);
    expect(Object.keys(byPhone.body.channels).sort()).toEqual(['web', 'whatsapp']);
    expect(byPhone.body.lastChannel).toBe('whatsapp');
    const timeline = await api(hub, `/v1/customers/${byPhone.body.customerId}/timeline`);
    expect(timeline.body.items.map((i: { type: string }) => i.type)).toEqual(['message.received', 'lead.submitted']);
  });

  it('a redelivered webhook leaves the profile and timeline byte-for-byte unchanged', async () => {
    // Prepare
    const body = whatsappFrom('380671234567', 'wamid.redelivery');
    expect((await postWebhook(hub, 'whatsapp', body)).status).toBe(200);
    await hub.idle();
    const before = await api(hub, '/v1/customers?identity=phone:+380671234567');
    const timelineBefore = await api(hub, `/v1/customers/${before.body.customerId}/timeline`);
    // Act: the vendor delivers the same webhook twice more.
    const again = await Promise.all([postWebhook(hub, 'whatsapp', body), postWebhook(hub, 'whatsapp', body)]);
    await hub.idle();
    // Assess
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    const after = await api(hub, '/v1/customers?identity=phone:+380671234567');
    const timelineAfter = await api(hub, `/v1/customers/${before.body.customerId}/timeline`);
    expect(JSON.stringify(after.body)).toBe(JSON.stringify(before.body));
    expect(JSON.stringify(timelineAfter.body)).toBe(JSON.stringify(timelineBefore.body));
    expect(after.body.eventCount).toBe(1);
  });

  it('pages the timeline newest first with an opaque cursor', async () => {
    // Prepare: three messages from one customer at increasing times.
    for (const [i, ts] of ['1700000000', '1700000100', '1700000200'].entries()) {
      const body = withJson(whatsappFrom('380931112233', `wamid.page-${i}`), (j) => {
        j.entry[0].changes[0].value.messages[0].timestamp = ts;
      });
      expect((await postWebhook(hub, 'whatsapp', body)).status).toBe(200);
    }
    await hub.idle();
    const profile = await api(hub, '/v1/customers?identity=phone:+380931112233');
    // Act
    const first = await api(hub, `/v1/customers/${profile.body.customerId}/timeline?limit=2`);
    const second = await api(
      hub,
      `/v1/customers/${profile.body.customerId}/timeline?limit=2&cursor=${first.body.nextCursor}`,
    );
    // Assess
    const times = [...first.body.items, ...second.body.items].map((i: { occurredAt: string }) => i.occurredAt);
    expect(times).toEqual(['2023-11-14T22:16:40.000Z', '2023-11-14T22:15:00.000Z', '2023-11-14T22:13:20.000Z']);
    expect(second.body.nextCursor).toBeUndefined();
    const bad = await api(hub, `/v1/customers/${profile.body.customerId}/timeline?cursor=not-a-cursor`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_request');
  });

  it('answers the WhatsApp verification handshake with the challenge only for the right token', async () => {
    const ok = await fetch(
      `${hub.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${TEST_VERIFY_TOKEN}`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(
      `${hub.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope`,
    );
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as any).error.code).toBeDefined();
  });

  it('protects the read API with the bearer token and validates its parameters', async () => {
    const noToken = await fetch(`${hub.url}/v1/customers?identity=phone:+380501112233`);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as any).error.code).toBe('unauthorized');
    expect((await api(hub, '/v1/customers')).status).toBe(400);
    expect((await api(hub, '/v1/customers?identity=fax:123')).status).toBe(400);
    expect((await api(hub, '/v1/customers?identity=phone:12')).status).toBe(400);
    const missing = await api(hub, '/v1/customers/cus_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const connectors = await api(hub, '/v1/connectors');
    expect(connectors.body.connectors.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['telegram', 'whatsapp', 'marquiz']),
    );
    expect(connectors.body.connectors.every((c: { configured: boolean }) => c.configured)).toBe(true);
  });
});

describe('Foundation: bad input is refused with a clear error and leaves no trace', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startTestHub({ maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('refuses a tampered signature with 401', async () => {
    const res = await postWebhook(hub, 'whatsapp', fixture('whatsapp', 'message-text.json'), {
      tamper: (req) => {
        req.body = Buffer.from(req.body.toString('utf8').replace('Body Text', 'Body Texx'));
      },
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a wrong Telegram secret token and a missing Marquiz token with 401', async () => {
    const telegram = await postWebhook(hub, 'telegram', fixture('telegram', 'message-text.json'), {
      tamper: (req) => {
        req.headers['x-telegram-bot-api-secret-token'] = 'guess';
      },
    });
    expect(telegram.status).toBe(401);
    const marquiz = await postWebhook(hub, 'marquiz', fixture('marquiz', 'lead.json'), {
      tamper: (req) => {
        req.url = req.url.replace(/\?.*$/, '');
      },
    });
    expect(marquiz.status).toBe(401);
  });

  it('refuses correctly signed malformed JSON and a payload of the wrong shape with 400', async () => {
    const broken = await postWebhook(hub, 'whatsapp', '{"object": "whatsapp_business_account", "entry": [');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('malformed_request');
    const wrongShape = await postWebhook(hub, 'telegram', '{"hello": "world"}');
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error.message).toMatch(/update_id/);
  });

  it('refuses a body over the limit with 413', async () => {
    const huge = withJson(fixture('whatsapp', 'message-text.json'), (j) => {
      j.entry[0].changes[0].value.messages[0].text.body = 'x'.repeat(70 * 1024);
    });
    const res = await postWebhook(hub, 'whatsapp', huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers an unknown connector and an unknown route with 404 JSON', async () => {
    const res = await postWebhook(hub, 'whatsapp', '{}', {
      tamper: (req) => {
        req.url = req.url.replace('/webhooks/whatsapp', '/webhooks/fax-machine');
      },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/fax-machine/);
    const route = await fetch(`${hub.url}/nowhere`);
    expect(route.status).toBe(404);
    expect(((await route.json()) as any).error.code).toBe('not_found');
  });

  it('left nothing in the table', async () => {
    await hub.idle();
    expect(await tableItemCount(hub)).toBe(0);
  });
});

describe('Foundation: a connector without its secret fails closed', () => {
  it('answers 503 and publishes nothing', async () => {
    const hub = await startTestHub({ env: {} });
    try {
      const res = await postWebhook(hub, 'telegram', fixture('telegram', 'message-text.json'));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('connector_not_configured');
      await hub.idle();
      expect(await tableItemCount(hub)).toBe(0);
    } finally {
      await hub.stop();
    }
  });
});
