/**
 * Thin CRM webhooks end to end through the local hub: the webhook is
 * acknowledged with only an object id, the hydrator fetches the details from
 * a fake vendor API on 127.0.0.1, and the profile found by the fetched email
 * or phone carries channel `crm` and the CRM's own id. A vendor API that
 * fails twice still ends in the profile (the hydrator queue retries); one
 * that keeps failing ends in the hydrator queue's dead letters with nothing
 * half-written in any profile.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const TOKEN = 'x';
const FORM = 'application/x-www-form-urlencoded';
const BITRIX24_WEBHOOK_PATH = '/rest/1/k3y/';

/** What the fake vendor APIs know, by request key (`path` or `path?id=…`). */
const RESOURCES: Record<string, unknown> = {
  // HubSpot CRM API v3
  '/crm/v3/objects/contacts/7001': {
    id: '7001',
    properties: { email: 'hs-7001@example.com', phone: '+380501110001', firstname: 'Olena' },
  },
  '/crm/v3/objects/contacts/7002': {
    id: '7002',
    properties: { email: 'hs-7002@example.com', mobilephone: '050 111 00 02' },
  },
  '/crm/v3/objects/deals/8003': {
    id: '8003',
    properties: { dealstage: 'closedwon', amount: '100.00', deal_currency_code: 'UAH', dealname: 'Never lands' },
    associations: { contacts: { results: [{ id: '7003', type: 'deal_to_contact' }] } },
  },
  // Bitrix24 REST through the inbound webhook
  [`${BITRIX24_WEBHOOK_PATH}crm.lead.get.json?id=9001`]: {
    result: {
      ID: '9001',
      TITLE: 'Website form',
      NAME: 'Ivan',
      PHONE: [{ VALUE: '+380501110011', VALUE_TYPE: 'WORK' }],
      EMAIL: [{ VALUE: 'b24-9001@example.com' }],
    },
  },
  [`${BITRIX24_WEBHOOK_PATH}crm.lead.get.json?id=9002`]: {
    result: { ID: '9002', TITLE: 'Callback', PHONE: [{ VALUE: '0501110012' }] },
  },
  [`${BITRIX24_WEBHOOK_PATH}crm.deal.get.json?id=9003`]: {
    result: {
      ID: '9003',
      TITLE: 'Never lands',
      STAGE_ID: 'WON',
      CATEGORY_ID: '0',
      OPPORTUNITY: '10.00',
      CURRENCY_ID: 'UAH',
      CONTACT_ID: '9004',
      MOVED_TIME: '2024-05-01T14:00:00+03:00',
    },
  },
  // Kommo API v4
  '/api/v4/contacts/6001': {
    id: 6001,
    name: 'Petro',
    custom_fields_values: [
      { field_code: 'PHONE', values: [{ value: '+380501110021' }] },
      { field_code: 'EMAIL', values: [{ value: 'kommo-6001@example.com' }] },
    ],
  },
  '/api/v4/contacts/6002': {
    id: 6002,
    name: 'Maria',
    custom_fields_values: [{ field_code: 'EMAIL', values: [{ value: 'kommo-6002@example.com' }] }],
  },
  '/api/v4/leads/6003': {
    id: 6003,
    name: 'Never lands',
    price: 100,
    status_id: 142,
    pipeline_id: 1,
    _embedded: { contacts: [{ id: 6004, is_main: true }] },
  },
};

interface FakeVendorApi {
  readonly url: string;
  /** Request keys, in arrival order. */
  readonly calls: string[];
  /** Answer 503 to the next `times` requests for `key`. */
  failNext(key: string, times: number): void;
  /** Answer 500 to every request for `key`. */
  failAlways(key: string): void;
  close(): Promise<void>;
}

const startFakeVendorApi = async (): Promise<FakeVendorApi> => {
  const calls: string[] = [];
  const failuresLeft = new Map<string, number>();
  const broken = new Set<string>();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const id = url.searchParams.get('id');
    const key = `${url.pathname}${id ? `?id=${id}` : ''}`;
    calls.push(key);
    const isBitrix24 = url.pathname.startsWith(BITRIX24_WEBHOOK_PATH);
    if (!isBitrix24 && req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(res, 401, { message: 'missing or wrong token' });
    const left = failuresLeft.get(key) ?? 0;
    if (broken.has(key) || left > 0) {
      failuresLeft.set(key, left - 1);
      return send(
        res,
        broken.has(key) ? 500 : 503,
        isBitrix24 ? { error: 'INTERNAL_SERVER_ERROR', error_description: 'try later' } : { message: 'unavailable' },
      );
    }
    const resource = RESOURCES[key];
    if (resource === undefined)
      return send(
        res,
        isBitrix24 ? 400 : 404,
        isBitrix24 ? { error: '', error_description: 'Not found' } : { message: 'not found' },
      );
    return send(res, 200, resource);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    failNext: (key, times) => failuresLeft.set(key, times),
    failAlways: (key) => broken.add(key),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const form = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

const nowSec = () => String(Math.floor(Date.now() / 1000));

const hubspotBatch = (subscriptionType: string, objectId: number) =>
  JSON.stringify([
    {
      objectId,
      subscriptionType,
      eventId: 1,
      subscriptionId: 22,
      portalId: 33,
      appId: 1,
      occurredAt: Date.now(),
      attemptNumber: 0,
      changeSource: 'CRM',
    },
  ]);

const bitrix24Event = (event: string, id: string) =>
  form({
    event,
    'data[FIELDS][ID]': id,
    ts: nowSec(),
    'auth[member_id]': 'a223c6b3710f85df22e9377d6c4f7553',
    'auth[application_token]': 'replaced-when-signed',
  });

/** One thin webhook per vendor and scenario, and what the fetch should add to the profile. */
interface Scenario {
  readonly connector: 'hubspot' | 'bitrix24' | 'kommo';
  readonly contentType: string;
  readonly body: () => string;
  /** The request the hydrator makes for it (the one scripted to fail). */
  readonly fetchKey: string;
  /** Identities the profile must be found by and hold. */
  readonly lookup: string;
  readonly crmIdentity: { type: string; value: string };
}

const LANDS: Scenario[] = [
  {
    connector: 'hubspot',
    contentType: 'application/json',
    body: () => hubspotBatch('contact.creation', 7001),
    fetchKey: '/crm/v3/objects/contacts/7001',
    lookup: 'email:hs-7001@example.com',
    crmIdentity: { type: 'hubspot', value: '7001' },
  },
  {
    connector: 'bitrix24',
    contentType: FORM,
    body: () => bitrix24Event('ONCRMLEADADD', '9001'),
    fetchKey: `${BITRIX24_WEBHOOK_PATH}crm.lead.get.json?id=9001`,
    lookup: 'phone:+380501110011',
    crmIdentity: { type: 'bitrix24', value: 'lead:9001' },
  },
  {
    connector: 'kommo',
    contentType: FORM,
    body: () =>
      form({
        'contacts[add][0][id]': '6001',
        'contacts[add][0][date_create]': nowSec(),
        'account[id]': '29085955',
        'account[subdomain]': 'example',
      }),
    fetchKey: '/api/v4/contacts/6001',
    lookup: 'email:kommo-6001@example.com',
    crmIdentity: { type: 'kommo', value: '6001' },
  },
];

const RETRIED: Scenario[] = [
  {
    connector: 'hubspot',
    contentType: 'application/json',
    body: () => hubspotBatch('contact.creation', 7002),
    fetchKey: '/crm/v3/objects/contacts/7002',
    lookup: 'phone:+380501110002',
    crmIdentity: { type: 'hubspot', value: '7002' },
  },
  {
    connector: 'bitrix24',
    contentType: FORM,
    body: () => bitrix24Event('ONCRMLEADUPDATE', '9002'),
    fetchKey: `${BITRIX24_WEBHOOK_PATH}crm.lead.get.json?id=9002`,
    lookup: 'phone:+380501110012',
    crmIdentity: { type: 'bitrix24', value: 'lead:9002' },
  },
  {
    connector: 'kommo',
    contentType: FORM,
    body: () =>
      form({
        'contacts[update][0][id]': '6002',
        'contacts[update][0][last_modified]': nowSec(),
        'account[id]': '29085955',
      }),
    fetchKey: '/api/v4/contacts/6002',
    lookup: 'email:kommo-6002@example.com',
    crmIdentity: { type: 'kommo', value: '6002' },
  },
];

/** A deal/lead whose own fetch works but whose contact never can: the second fetch keeps failing. */
const DEAD: (Omit<Scenario, 'lookup'> & { readonly firstFetchKey: string; readonly objectParam: [string, string] })[] =
  [
    {
      connector: 'hubspot',
      contentType: 'application/json',
      body: () => hubspotBatch('deal.creation', 8003),
      firstFetchKey: '/crm/v3/objects/deals/8003',
      fetchKey: '/crm/v3/objects/contacts/7003',
      crmIdentity: { type: 'hubspot', value: '7003' },
      objectParam: ['objectId', '8003'],
    },
    {
      connector: 'bitrix24',
      contentType: FORM,
      body: () => bitrix24Event('ONCRMDEALUPDATE', '9003'),
      firstFetchKey: `${BITRIX24_WEBHOOK_PATH}crm.deal.get.json?id=9003`,
      fetchKey: `${BITRIX24_WEBHOOK_PATH}crm.contact.get.json?id=9004`,
      crmIdentity: { type: 'bitrix24', value: 'contact:9004' },
      objectParam: ['id', '9003'],
    },
    {
      connector: 'kommo',
      contentType: FORM,
      body: () =>
        form({
          'leads[status][0][id]': '6003',
          'leads[status][0][status_id]': '142',
          'leads[status][0][last_modified]': nowSec(),
          'account[id]': '29085955',
        }),
      firstFetchKey: '/api/v4/leads/6003',
      fetchKey: '/api/v4/contacts/6004',
      crmIdentity: { type: 'kommo', value: '6004' },
      objectParam: ['id', '6003'],
    },
  ];

describe('CRM hydration through the local hub', () => {
  let fake: FakeVendorApi;
  let hub: LocalHub;

  beforeAll(async () => {
    fake = await startFakeVendorApi();
    hub = await startTestHub({
      retryBaseMs: 20,
      extraEnv: {
        OMNIHUB_API_BASE_URL_HUBSPOT: fake.url,
        OMNIHUB_API_TOKEN_HUBSPOT: TOKEN,
        OMNIHUB_API_BASE_URL_BITRIX24: `${fake.url}${BITRIX24_WEBHOOK_PATH}`,
        OMNIHUB_API_BASE_URL_KOMMO: fake.url,
        OMNIHUB_API_TOKEN_KOMMO: TOKEN,
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await fake?.close();
  });

  const profileBy = (identity: string) => api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);

  it.each(LANDS)(
    '$connector: acknowledged at once, then the fetched contact lands with channel crm and the CRM id',
    async (s) => {
      // Act
      const res = await postWebhook(hub, s.connector, s.body(), { contentType: s.contentType });
      await hub.idle();

      // Assess
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ status: 'accepted', eventIds: [], pendingFetches: 1 });
      const profile = await profileBy(s.lookup);
      expect(profile.status, `profile for ${s.lookup}`).toBe(200);
      expect(Object.keys(profile.body.channels)).toContain('crm');
      expect(profile.body.identities).toContainEqual(expect.objectContaining(s.crmIdentity));
      expect(fake.calls).toContain(s.fetchKey);
    },
  );

  it.each(RETRIED)(
    '$connector: a vendor API that fails twice and then answers still ends in the profile',
    async (s) => {
      // Prepare
      fake.failNext(s.fetchKey, 2);

      // Act
      const res = await postWebhook(hub, s.connector, s.body(), { contentType: s.contentType });
      await hub.idle();

      // Assess
      expect(res.status, res.text).toBe(200);
      expect(fake.calls.filter((k) => k === s.fetchKey)).toHaveLength(3);
      const profile = await profileBy(s.lookup);
      expect(profile.status, `profile for ${s.lookup}`).toBe(200);
      expect(profile.body.identities).toContainEqual(expect.objectContaining(s.crmIdentity));
      expect(profile.body.channels.crm.count).toBe(1);
    },
  );

  it.each(DEAD)('$connector: a vendor API that keeps failing dead-letters the fetch and writes nothing', async (s) => {
    // Prepare
    fake.failAlways(s.fetchKey);
    const hydrator = hub.bus.queues().find((q) => q.name === 'hydrator');

    // Act
    const res = await postWebhook(hub, s.connector, s.body(), { contentType: s.contentType });
    await hub.idle();

    // Assess: acknowledged, first fetch done, second retried to exhaustion, then dead-lettered.
    expect(res.status, res.text).toBe(200);
    expect(fake.calls).toContain(s.firstFetchKey);
    expect(fake.calls.filter((k) => k === s.fetchKey).length).toBeGreaterThanOrEqual(2);
    const dead = (hydrator?.deadLetters() ?? [])
      .map((m) => (JSON.parse(m.body) as { detail: { connector: string; params: Record<string, unknown> } }).detail)
      .filter((d) => d.connector === s.connector && String(d.params[s.objectParam[0]]) === s.objectParam[1]);
    expect(dead).toHaveLength(1);
    const profile = await profileBy(`${s.crmIdentity.type}:${s.crmIdentity.value}`);
    expect(profile.status).toBe(404);
  });
});
