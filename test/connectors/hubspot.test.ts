/**
 * HubSpot edge cases the fixtures can't express: the v3 signature against
 * the official SDKs' published vectors, what the signed string covers
 * (method, exact URI with HubSpot's decode table, body, timestamp), the
 * 5-minute window, the composite dedup key, and hydration against a fake
 * HubSpot API on 127.0.0.1.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotConnector } from '../../functions/connectors/hubspot/index.js';
import { hubspotEventKey } from '../../functions/connectors/hubspot/normalize.js';
import { HubSpotEventSchema } from '../../functions/connectors/hubspot/schema.js';
import { hydrateHubSpot } from '../../functions/connectors/hubspot/hydrate.js';
import {
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_TIMESTAMP_HEADER,
  hubspotSignatureUri,
  hubspotSignatureV3,
  verifyHubSpotSignature,
} from '../../functions/connectors/hubspot/signature.js';
import type { HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Prepare (shared)
const SECRETS = { secret: 'hs-client-secret-5b0e' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/hubspot`;

/** Independent v3 computation with node:crypto, as HubSpot's docs describe it. */
const referenceV3 = (secret: string, method: string, uri: string, body: string, timestamp: string): string =>
  createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');

/** A request as HubSpot would send it to `url`, signed at `signedAt`. */
const hubspotRequest = (
  opts: { url?: string; body?: string; method?: string; signedAt?: Date; secret?: string; signUrl?: string } = {},
) => {
  const {
    url = WEBHOOK_URL,
    body = '[]',
    method = 'POST',
    signedAt = TEST_NOW,
    secret = SECRETS.secret,
    signUrl = url,
  } = opts;
  const timestamp = String(signedAt.getTime());
  const base = new URL(url).origin;
  return rawRequest({
    method,
    url,
    baseUrl: base,
    body,
    headers: {
      'content-type': 'application/json',
      [HUBSPOT_TIMESTAMP_HEADER]: timestamp,
      [HUBSPOT_SIGNATURE_HEADER]: referenceV3(secret, method, hubspotSignatureUri(signUrl), body, timestamp),
    },
  });
};

const event = (overrides: Record<string, unknown> = {}) => ({
  objectId: 1246965,
  eventId: 3816279340,
  subscriptionId: 25,
  portalId: 33,
  appId: 1160452,
  occurredAt: 1714564200000,
  subscriptionType: 'contact.creation',
  attemptNumber: 0,
  changeSource: 'CRM',
  ...overrides,
});

const post = (batch: unknown) =>
  signedRequest(
    hubspotConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(batch)) },
    SECRETS,
  );

const normalize = (batch: unknown) => hubspotConnector.normalize(hubspotConnector.parse(post(batch)), CTX);

describe('Connector: hubspot', () => {
  describe('signature v3 known-answer vectors (official SDK tests)', () => {
    // hubspot-api-python tests/spec/utils/test_signature.py and hubspot-api-ruby spec/helpers/signature_spec.rb.
    const SDK = {
      secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
      body: "{'example_field':'example_value'}",
      url: 'https://www.example.com/webhook_uri',
      method: 'POST',
    };
    it.each([
      ['python SDK (older revision)', '15000000', 'HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw='],
      ['python SDK', '1693657560000', 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y='],
      ['ruby SDK', '1700000300000', 'RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw='],
    ])('reproduces the %s vector (ts %s)', (_, timestamp, published) => {
      // Act
      const ours = hubspotSignatureV3(SDK.secret, SDK.method, SDK.url, SDK.body, timestamp);
      const reference = referenceV3(SDK.secret, SDK.method, SDK.url, SDK.body, timestamp);

      // Assess
      expect(reference).toBe(published);
      expect(ours).toBe(published);
    });

    it('verifies the python SDK vector as a request one second after it was signed', () => {
      // Prepare
      const req = rawRequest({
        url: SDK.url,
        baseUrl: 'https://www.example.com',
        body: SDK.body,
        headers: {
          [HUBSPOT_SIGNATURE_HEADER]: 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=',
          [HUBSPOT_TIMESTAMP_HEADER]: '1693657560000',
        },
      });

      // Act
      const result = verifyHubSpotSignature(req, SDK.secret, new Date(1693657561000));

      // Assess
      expect(result).toEqual({ ok: true });
    });
  });

  describe('verify', () => {
    const verify = (req: ReturnType<typeof hubspotRequest>, now = TEST_NOW) =>
      hubspotConnector.verify(req, SECRETS, { now });

    it('accepts method + URI + body + timestamp signed with the client secret', () => {
      // Act & Assess
      expect(verify(hubspotRequest({ body: JSON.stringify([event()]) }))).toEqual({ ok: true });
    });

    it.each([
      ['another scheme (http)', 'http://hooks.example.test/webhooks/hubspot'],
      ['a trailing slash', `${WEBHOOK_URL}/`],
      ['another host', 'https://other.example.test/webhooks/hubspot'],
      ['a query string HubSpot did not call', `${WEBHOOK_URL}?x=1`],
    ])('rejects a signature made over %s', (_, signUrl) => {
      // Prepare: signed for one URI, received on the configured public URL.
      const req = hubspotRequest({ signUrl });

      // Act
      const result = verify(req);

      // Assess
      expect(result).toMatchObject({ ok: false });
      expect(result).not.toHaveProperty('stale');
    });

    it('binds the method: a POST signature does not verify a GET', () => {
      // Prepare
      const req = { ...hubspotRequest(), method: 'GET' };

      // Act & Assess
      expect(verify(req).ok).toBe(false);
    });

    it('binds the body and the timestamp', () => {
      // Prepare
      const req = hubspotRequest({ body: '[{"objectId":1}]' });
      const otherBody = { ...req, body: Buffer.from('[{"objectId":2}]') };
      const otherTime = {
        ...req,
        headers: { ...req.headers, [HUBSPOT_TIMESTAMP_HEADER]: String(TEST_NOW.getTime() + 1) },
      };

      // Act & Assess
      expect(verify(otherBody).ok).toBe(false);
      expect(verify(otherTime).ok).toBe(false);
    });

    it("decodes HubSpot's listed escapes in the URI (%3A %2F %28 %29 …) but keeps others (%20)", () => {
      // Prepare: HubSpot signs the decoded form of the URI it called.
      const called = `${WEBHOOK_URL}?src=hs%3Aapp%2Fv3&x=%28a%29&name=a%20b`;

      // Act
      const uri = hubspotSignatureUri(called);
      const req = hubspotRequest({ url: called });

      // Assess
      expect(uri).toBe(`${WEBHOOK_URL}?src=hs:app/v3&x=(a)&name=a%20b`);
      expect(verify(req)).toEqual({ ok: true });
    });

    it('accepts a delivery just inside the 5-minute window on both sides', () => {
      // Prepare
      const req = hubspotRequest();

      // Act & Assess
      expect(verify(req, new Date(TEST_NOW.getTime() + 299_000))).toEqual({ ok: true });
      expect(verify(req, new Date(TEST_NOW.getTime() - 299_000))).toEqual({ ok: true });
    });

    it('refuses a genuine delivery older than 5 minutes as stale', () => {
      // Prepare
      const req = hubspotRequest();

      // Act
      const result = verify(req, new Date(TEST_NOW.getTime() + 300_001));

      // Assess
      expect(result).toMatchObject({ ok: false, stale: true });
    });

    it('reports a forged old request as a bad signature, not as stale', () => {
      // Prepare
      const req = hubspotRequest({ secret: 'not-the-secret' });

      // Act
      const result = verify(req, new Date(TEST_NOW.getTime() + 3_600_000));

      // Assess
      expect(result).toMatchObject({ ok: false });
      expect(result).not.toHaveProperty('stale');
    });

    it.each([
      ['no signature', { [HUBSPOT_SIGNATURE_HEADER]: undefined }, /Missing X-HubSpot-Signature-v3/],
      ['no timestamp', { [HUBSPOT_TIMESTAMP_HEADER]: undefined }, /Missing X-HubSpot-Request-Timestamp/],
      [
        'a timestamp in seconds with a fraction',
        { [HUBSPOT_TIMESTAMP_HEADER]: '1714564800.5' },
        /not epoch milliseconds/,
      ],
      ['a non-numeric timestamp', { [HUBSPOT_TIMESTAMP_HEADER]: 'abc' }, /not epoch milliseconds/],
    ])('rejects %s', (_, change, reason) => {
      // Prepare
      const req = hubspotRequest();
      const headers = Object.fromEntries(
        Object.entries({ ...req.headers, ...change }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      );

      // Act
      const result = verify({ ...req, headers });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('ignores the replayable legacy X-HubSpot-Signature (v1) even when it is valid', () => {
      // Prepare: v1 = sha256(secret + body), no timestamp.
      const body = '[]';
      const v1 = createHash('sha256').update(`${SECRETS.secret}${body}`).digest('hex');
      const req = rawRequest({
        url: WEBHOOK_URL,
        body,
        headers: { 'x-hubspot-signature': v1, 'x-hubspot-signature-version': 'v1' },
      });

      // Act & Assess
      expect(verify(req).ok).toBe(false);
    });

    it('fails closed without a client secret', () => {
      // Act & Assess
      expect(hubspotConnector.verify(hubspotRequest(), {}, { now: TEST_NOW }).ok).toBe(false);
    });
  });

  describe('parse', () => {
    it.each([
      ['an empty batch', '[]'],
      ['an object instead of a batch', JSON.stringify(event())],
      ['an event without subscriptionType', JSON.stringify([{ ...event(), subscriptionType: undefined }])],
      ['an event without objectId', JSON.stringify([{ ...event(), objectId: undefined }])],
    ])('throws ValidationError for %s', (_, body) => {
      // Prepare
      const req = signedRequest(
        hubspotConnector,
        { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(body) },
        SECRETS,
      );

      // Act & Assess
      expect(() => hubspotConnector.parse(req)).toThrow(ValidationError);
    });

    it('accepts the older eventType key and fields HubSpot adds later', () => {
      // Act
      const { hydrations, ignored } = normalize([
        {
          ...event({ subscriptionType: undefined }),
          eventType: 'contact.creation',
          isSensitive: false,
          sourceId: 'userId:1',
        },
      ]);

      // Assess
      expect(ignored).toEqual([]);
      expect(hydrations).toHaveLength(1);
    });
  });

  describe('normalize', () => {
    it('keys events on (portal, subscription, object, occurredAt, property, value), not on eventId', () => {
      // Prepare: the same change delivered twice with different eventIds and attempt numbers.
      const first = event({
        subscriptionType: 'contact.propertyChange',
        propertyName: 'lifecyclestage',
        propertyValue: 'lead',
      });
      const retry = { ...first, eventId: 999, attemptNumber: 3 };

      // Act
      const a = normalize([first]).hydrations ?? [];
      const b = normalize([retry]).hydrations ?? [];
      const both = normalize([first, retry]);

      // Assess
      expect(a[0]?.providerEventId).toBe(b[0]?.providerEventId);
      expect(both.hydrations).toHaveLength(1);
      expect(both.ignored).toEqual([expect.stringMatching(/repeated in the same delivery/)]);
    });

    it('tells apart two changes of one property at the same instant by value, without putting the value in the key', () => {
      // Prepare
      const a = event({
        subscriptionType: 'contact.propertyChange',
        propertyName: 'email',
        propertyValue: 'old@example.com',
      });
      const b = { ...a, propertyValue: 'new@example.com' };

      // Act
      const [keyA, keyB] = [hubspotEventKey(HubSpotEventSchema.parse(a)), hubspotEventKey(HubSpotEventSchema.parse(b))];

      // Assess
      expect(keyA).not.toBe(keyB);
      expect(keyA).toMatch(/^33:25:1246965:1714564200000:email:[0-9a-f]{24}$/);
      expect(keyA).not.toContain('example.com');
    });

    it('asks to hydrate contacts and deals with what happened, and ignores the rest with a reason', () => {
      // Act
      const { events, hydrations, ignored } = normalize([
        event({ subscriptionType: 'contact.creation', objectId: 1 }),
        event({
          subscriptionType: 'contact.propertyChange',
          objectId: 2,
          propertyName: 'firstname',
          propertyValue: 'Ivan',
        }),
        event({
          subscriptionType: 'contact.propertyChange',
          objectId: 3,
          propertyName: 'hs_email_optout',
          propertyValue: 'true',
        }),
        event({
          subscriptionType: 'contact.propertyChange',
          objectId: 4,
          propertyName: 'hs_email_optout_123456',
          propertyValue: 'true',
        }),
        event({ subscriptionType: 'deal.creation', objectId: 5 }),
        event({
          subscriptionType: 'deal.propertyChange',
          objectId: 6,
          propertyName: 'dealstage',
          propertyValue: 'closedwon',
        }),
        event({
          subscriptionType: 'object.propertyChange',
          objectTypeId: '0-3',
          objectId: 7,
          propertyName: 'dealstage',
          propertyValue: 'qualifiedtobuy',
        }),
        event({ subscriptionType: 'deal.propertyChange', objectId: 8, propertyName: 'amount', propertyValue: '10' }),
        event({ subscriptionType: 'contact.deletion', objectId: 9 }),
        event({ subscriptionType: 'company.creation', objectId: 10 }),
        event({ subscriptionType: 'object.creation', objectTypeId: '0-2', objectId: 11 }),
      ]);

      // Assess
      expect(events).toEqual([]);
      expect(hydrations?.map((h) => [h.kind, h.params.objectId, h.params.change])).toEqual([
        ['contact', '1', 'created'],
        ['contact', '2', 'updated'],
        ['contact', '3', 'consent'],
        ['contact', '4', 'consent'],
        ['deal', '5', 'created'],
        ['deal', '6', 'stage_changed'],
        ['deal', '7', 'stage_changed'],
      ]);
      expect(hydrations?.[5]?.params).toMatchObject({
        propertyName: 'dealstage',
        propertyValue: 'closedwon',
        portalId: '33',
      });
      expect(hydrations?.[0]).toMatchObject({
        connector: 'hubspot',
        occurredAt: '2024-05-01T11:50:00.000Z',
        receivedAt: CTX.receivedAt,
      });
      expect(ignored).toEqual([
        expect.stringMatching(/deal\.propertyChange deal 8: only changes of dealstage/),
        expect.stringMatching(/contact\.deletion contact 9: deletions in HubSpot do not erase/),
        expect.stringMatching(/company\.creation company 10: unsupported/),
        expect.stringMatching(/object\.creation object 0-2 11: unsupported/),
      ]);
    });
  });

  describe('tickets: normalize', () => {
    it('hydrates ticket creations and changes of stage, subject or priority, and ignores other ticket properties', () => {
      // Act
      const result = normalize([
        event({ objectId: 901, subscriptionType: 'ticket.creation' }),
        event({
          objectId: 901,
          subscriptionType: 'ticket.propertyChange',
          propertyName: 'hs_pipeline_stage',
          propertyValue: '4',
        }),
        event({
          objectId: 901,
          subscriptionType: 'ticket.propertyChange',
          propertyName: 'hubspot_owner_id',
          propertyValue: '7',
        }),
        event({ objectId: 902, subscriptionType: 'object.creation', objectTypeId: '0-5' }),
        event({ objectId: 903, subscriptionType: 'ticket.deletion' }),
      ]);

      // Assess
      expect(result.hydrations?.map((h) => [h.kind, h.params.objectId, h.params.change])).toEqual([
        ['ticket', '901', 'created'],
        ['ticket', '901', 'updated'],
        ['ticket', '902', 'created'],
      ]);
      expect(result.ignored).toEqual([
        expect.stringMatching(/only changes of hs_pipeline_stage, subject, hs_ticket_priority are tracked/),
        expect.stringMatching(/ticket\.deletion ticket 903: unsupported/),
      ]);
    });
  });

  describe('hydrate (fake HubSpot API on 127.0.0.1)', () => {
    interface Seen {
      readonly path: string;
      readonly authorization: string | undefined;
    }
    const seen: Seen[] = [];
    const routes = new Map<string, { status: number; body?: unknown }>();
    let baseUrl = '';
    const server = createServer((req: IncomingMessage, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const route = routes.get((req.url ?? '').split('?')[0] ?? '') ?? {
        status: 404,
        body: { status: 'error', message: 'Object not found' },
      };
      res.writeHead(route.status, { 'content-type': 'application/json' });
      res.end(route.body === undefined ? '' : JSON.stringify(route.body));
    });

    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      routes.set('/crm/v3/objects/contacts/501', {
        status: 200,
        body: {
          id: '501',
          properties: {
            email: 'Olena@Example.com',
            phone: '050 111 22 33',
            mobilephone: '+380671234567',
            firstname: 'Olena',
            lastname: 'Koval',
            hs_whatsapp_phone_number: null,
          },
          createdAt: '2024-05-01T10:00:00.000Z',
          updatedAt: '2024-05-01T11:00:00.000Z',
          archived: false,
        },
      });
      routes.set('/crm/v3/objects/deals/801', {
        status: 200,
        body: {
          id: '801',
          properties: {
            dealstage: 'contractsent',
            pipeline: 'default',
            amount: '1500.00',
            deal_currency_code: null,
            dealname: 'Kitchen',
          },
          associations: { contacts: { results: [{ id: '501', type: 'deal_to_contact' }] } },
        },
      });
      routes.set('/crm/v3/objects/deals/802', {
        status: 200,
        body: { id: '802', properties: { dealstage: 'appointmentscheduled' } },
      });
      routes.set('/crm/v3/objects/contacts/503', {
        status: 503,
        body: { status: 'error', message: 'Service unavailable' },
      });
      routes.set('/crm/v3/objects/contacts/401', {
        status: 401,
        body: { status: 'error', category: 'INVALID_AUTHENTICATION' },
      });
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const request = (kind: string, params: Record<string, string>): HydrationRequest => ({
      connector: 'hubspot',
      kind,
      params: { portalId: '33', ...params },
      providerEventId: `33:25:${params.objectId}:1714564200000`,
      occurredAt: '2024-05-01T11:50:00.000Z',
      receivedAt: CTX.receivedAt,
    });
    const hydrate = (
      req: HydrationRequest,
      secrets: Record<string, string> = { apiToken: 'pat-na1-test', apiBaseUrl: baseUrl },
    ) => hydrateHubSpot(req, { secrets, defaultCountry: 'UA', fetch });

    it('fetches the contact with the private app token and builds contact.created with every identifier', async () => {
      // Act
      const [created, ...rest] = await hydrate(request('contact', { objectId: '501', change: 'created' }));

      // Assess
      expect(rest).toEqual([]);
      expect(HubEventSchema.parse(JSON.parse(JSON.stringify(created)))).toBeTruthy();
      expect(created).toMatchObject({
        type: 'contact.created',
        channel: 'crm',
        occurredAt: '2024-05-01T11:50:00.000Z',
        data: { contactId: '501' },
      });
      expect(created?.customer.identities.map(identityKey)).toEqual([
        'hubspot:501',
        'email:olena@example.com',
        'phone:+380501112233',
        'phone:+380671234567',
      ]);
      expect(created?.customer.traits).toEqual({ firstName: 'Olena', lastName: 'Koval', name: 'Olena Koval' });
      const call = seen.find((s) => s.path.startsWith('/crm/v3/objects/contacts/501'));
      expect(call?.authorization).toBe('Bearer pat-na1-test');
      expect(call?.path).toBe(
        '/crm/v3/objects/contacts/501?properties=email,phone,mobilephone,firstname,lastname,hs_whatsapp_phone_number',
      );
    });

    it('records the changed property on contact.updated', async () => {
      // Act
      const [updated] = await hydrate(
        request('contact', {
          objectId: '501',
          change: 'updated',
          propertyName: 'lifecyclestage',
          propertyValue: 'customer',
        }),
      );

      // Assess
      expect(updated).toMatchObject({
        type: 'contact.updated',
        summary: 'HubSpot contact updated: lifecyclestage → customer',
        data: { changes: { lifecyclestage: 'customer' } },
      });
    });

    it.each([
      ['true', 'consent.revoked'],
      ['false', 'consent.granted'],
    ])('turns hs_email_optout=%s into %s for marketing email', async (value, type) => {
      // Act
      const [consent] = await hydrate(
        request('contact', {
          objectId: '501',
          change: 'consent',
          propertyName: 'hs_email_optout',
          propertyValue: value,
        }),
      );

      // Assess
      expect(consent).toMatchObject({ type, channel: 'crm', data: { channel: 'email', purpose: 'marketing' } });
    });

    it('builds deal.stage_changed for the first associated contact, the amount in the configured company currency', async () => {
      // Act
      const [deal] = await hydrate(
        request('deal', {
          objectId: '801',
          change: 'stage_changed',
          propertyName: 'dealstage',
          propertyValue: 'closedwon',
        }),
        {
          apiToken: 'pat-na1-test',
          apiBaseUrl: `${baseUrl}/`,
          currency: 'UAH',
        },
      );

      // Assess
      expect(deal).toMatchObject({
        type: 'deal.stage_changed',
        channel: 'crm',
        summary: 'Deal «Kitchen» moved to stage closedwon (1500.00 UAH)',
        data: {
          dealId: '801',
          stage: 'closedwon',
          pipeline: 'default',
          amount: { amountMinor: 150000, currency: 'UAH' },
        },
      });
      expect(deal?.customer.identities.map(identityKey)).toContain('hubspot:501');
      expect(
        seen.some(
          (s) =>
            s.path ===
            '/crm/v3/objects/deals/801?associations=contacts&properties=dealstage,pipeline,amount,deal_currency_code,dealname',
        ),
      ).toBe(true);
    });

    it('leaves the amount out when the deal has no currency and none is configured', async () => {
      // Act
      const [deal] = await hydrate(request('deal', { objectId: '801', change: 'created' }));

      // Assess
      expect(deal).toMatchObject({
        summary: 'Deal «Kitchen» created in stage contractsent',
        data: { stage: 'contractsent' },
      });
      expect(deal?.type === 'deal.stage_changed' && deal.data.amount).toBeUndefined();
    });

    it('yields nothing for a deal without contacts and for an object deleted since the webhook (404)', async () => {
      // Act & Assess
      expect(await hydrate(request('deal', { objectId: '802', change: 'created' }))).toEqual([]);
      expect(await hydrate(request('contact', { objectId: '404404', change: 'created' }))).toEqual([]);
    });

    it.each([
      ['a 5xx', '503', /HTTP 503/],
      ['a revoked token (401)', '401', /HTTP 401/],
    ])('throws on %s so the queue retries', async (_, objectId, message) => {
      // Act & Assess
      await expect(hydrate(request('contact', { objectId, change: 'created' }))).rejects.toThrow(message);
    });

    describe('tickets', () => {
      beforeAll(() => {
        routes.set('/crm/v3/objects/tickets/901', {
          status: 200,
          body: {
            id: '901',
            properties: {
              subject: 'Parcel arrived damaged',
              hs_pipeline: '0',
              hs_pipeline_stage: '1',
              hs_ticket_priority: 'HIGH',
              source_type: 'EMAIL',
            },
            associations: { contacts: { results: [{ id: '501', type: 'ticket_to_contact' }] } },
          },
        });
        routes.set('/crm/v3/objects/tickets/902', {
          status: 200,
          body: {
            id: '902',
            properties: { subject: 'Custom pipeline', hs_pipeline: '7001', hs_pipeline_stage: '7003' },
            associations: { contacts: { results: [{ id: '501' }] } },
          },
        });
        routes.set('/crm/v3/pipelines/tickets/7001', {
          status: 200,
          body: {
            id: '7001',
            label: 'Returns',
            stages: [
              { id: '7002', label: 'Received', metadata: { ticketState: 'OPEN' } },
              { id: '7003', label: 'Refund issued', metadata: { ticketState: 'CLOSED' } },
            ],
          },
        });
        routes.set('/crm/v3/objects/tickets/903', {
          status: 200,
          body: { id: '903', properties: { subject: 'No requester', hs_pipeline_stage: '1' } },
        });
      });

      it('ticket.creation → ticket.created for the associated contact, the default stage New as status new', async () => {
        // Act
        const events = await hydrate(request('ticket', { objectId: '901', change: 'created' }));

        // Assess
        expect(events).toHaveLength(1);
        const ticket = HubEventSchema.parse(events[0]);
        expect(ticket).toMatchObject({ type: 'ticket.created', channel: 'helpdesk', connector: 'hubspot' });
        expect(ticket.data).toEqual({
          ticketId: '901',
          status: 'new',
          vendorStatus: 'New',
          subject: 'Parcel arrived damaged',
          priority: 'high',
          via: 'email',
          url: 'https://app.hubspot.com/contacts/33/record/0-5/901',
        });
        expect(ticket.customer.identities.map(identityKey)).toEqual(
          expect.arrayContaining(['hubspot:501', 'email:olena@example.com', 'phone:+380501112233']),
        );
        expect(ticket.summary).toBe('HubSpot ticket #901 opened: Parcel arrived damaged');
      });

      it('a hs_pipeline_stage change to Closed (4) → ticket.solved with the stage the webhook reported', async () => {
        // Act
        const [solved] = await hydrate(
          request('ticket', {
            objectId: '901',
            change: 'updated',
            propertyName: 'hs_pipeline_stage',
            propertyValue: '4',
          }),
        );
        const [waiting] = await hydrate(
          request('ticket', {
            objectId: '901',
            change: 'updated',
            propertyName: 'hs_pipeline_stage',
            propertyValue: '2',
          }),
        );

        // Assess
        expect(solved).toMatchObject({ type: 'ticket.solved', data: { status: 'closed', vendorStatus: 'Closed' } });
        expect(waiting).toMatchObject({
          type: 'ticket.updated',
          data: { status: 'pending', vendorStatus: 'Waiting on contact' },
        });
      });

      it("reads a custom pipeline's stage from its definition (CLOSED state → solved), and skips a ticket without a contact", async () => {
        // Act
        const [custom] = await hydrate(
          request('ticket', { objectId: '902', change: 'updated', propertyName: 'subject' }),
        );
        const orphan = await hydrate(request('ticket', { objectId: '903', change: 'created' }));

        // Assess
        expect(custom).toMatchObject({
          type: 'ticket.solved',
          data: { ticketId: '902', status: 'closed', vendorStatus: 'Refund issued' },
        });
        expect(seen.some((s) => s.path === '/crm/v3/pipelines/tickets/7001')).toBe(true);
        expect(orphan).toEqual([]);
      });
    });

    it('throws before calling HubSpot when no token is configured, and never puts the token in errors', async () => {
      // Prepare
      const calls = seen.length;

      // Act & Assess
      await expect(
        hydrate(request('contact', { objectId: '501', change: 'created' }), { apiBaseUrl: baseUrl }),
      ).rejects.toThrow(/apiToken/);
      await expect(hydrate(request('contact', { objectId: '503', change: 'created' }))).rejects.not.toThrow(
        /pat-na1-test/,
      );
      expect(seen.length).toBe(calls + 1);
    });
  });
});
