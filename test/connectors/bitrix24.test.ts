/**
 * Bitrix24 edge cases the fixtures can't express: the application token in
 * the body (wrong, missing, repeated, or sent elsewhere), how a sample is
 * signed, event-code mapping and dedup key, and hydration through a fake
 * inbound-webhook REST API on 127.0.0.1 answering with the docs' own
 * response examples.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hydrateBitrix24 } from '../../functions/connectors/bitrix24/hydrate.js';
import { bitrix24Connector, withApplicationToken } from '../../functions/connectors/bitrix24/index.js';
import { safeEqual } from '../../functions/connectors/shared/signature.js';
import type { HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Spy on the real implementation to see that the token goes through the constant-time comparison.
vi.mock('../../functions/connectors/shared/signature.js', { spy: true });

// Prepare (shared)
const TOKEN = '51856fefc120afa4b628cc82d3935cce';
const SECRETS = { secret: TOKEN };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/bitrix24`;
const FORM = 'application/x-www-form-urlencoded';

const form = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

const delivery = (overrides: Record<string, string> = {}, token: string | null = TOKEN): string =>
  form({
    event: 'ONCRMLEADADD',
    event_handler_id: '707',
    'data[FIELDS][ID]': '1000983',
    ts: '1742807175',
    'auth[domain]': 'some-domain.bitrix24.com',
    'auth[member_id]': 'a223c6b3710f85df22e9377d6c4f7553',
    ...(token === null ? {} : { 'auth[application_token]': token }),
    ...overrides,
  });

const request = (body: string, url = WEBHOOK_URL, headers: Record<string, string> = {}) =>
  rawRequest({ url, body, headers: { 'content-type': FORM, ...headers } });

const normalize = (body: string) => bitrix24Connector.normalize(bitrix24Connector.parse(request(body)), CTX);

describe('Connector: bitrix24', () => {
  describe('verify', () => {
    const verify = (body: string, secrets: Record<string, string> = SECRETS, url?: string) =>
      bitrix24Connector.verify(request(body, url), secrets, { now: TEST_NOW });

    it('accepts auth[application_token] equal to the secret, compared with safeEqual', () => {
      // Prepare
      vi.mocked(safeEqual).mockClear();

      // Act
      const result = verify(delivery());

      // Assess
      expect(result).toEqual({ ok: true });
      expect(safeEqual).toHaveBeenCalledWith(TOKEN, TOKEN);
    });

    it('reads the token whether or not the brackets are percent-encoded', () => {
      // Act & Assess
      expect(verify(`event=ONCRMLEADADD&data[FIELDS][ID]=1&auth[application_token]=${TOKEN}`)).toEqual({ ok: true });
    });

    it.each([
      [
        'a wrong token of the same length',
        delivery({ 'auth[application_token]': `${TOKEN.slice(0, -1)}f` }),
        /does not match/,
      ],
      ['a prefix of the token', delivery({ 'auth[application_token]': TOKEN.slice(0, 8) }), /does not match/],
      ['no token', delivery({}, null), /Missing/],
      ['an empty token', delivery({ 'auth[application_token]': '' }), /Missing/],
      ['the token twice', `${delivery()}&${form({ 'auth[application_token]': TOKEN })}`, /Missing/],
      ['the token under another key', delivery({ 'auth[access_token]': TOKEN }, null), /Missing/],
    ])('rejects %s', (_, body, reason) => {
      // Act
      const result = verify(body);

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('ignores a token sent in the URL or a header instead of the body', () => {
      // Prepare
      const body = delivery({}, null);

      // Act & Assess
      expect(verify(body, SECRETS, `${WEBHOOK_URL}?auth[application_token]=${TOKEN}`).ok).toBe(false);
      expect(
        bitrix24Connector.verify(request(body, WEBHOOK_URL, { 'x-application-token': TOKEN }), SECRETS, {
          now: TEST_NOW,
        }).ok,
      ).toBe(false);
    });

    it('fails closed when no token is configured', () => {
      // Act & Assess
      expect(verify(delivery(), {}).ok).toBe(false);
      expect(verify(delivery({ 'auth[application_token]': '' }), { secret: '' }).ok).toBe(false);
    });
  });

  describe('signSample', () => {
    it('replaces the token in place and leaves every other byte alone', () => {
      // Prepare
      const body = Buffer.from(delivery({ 'auth[application_token]': 'vendor-sample-token' }));

      // Act
      const signed = bitrix24Connector.signSample(
        { url: WEBHOOK_URL, method: 'POST', body, contentType: FORM, now: TEST_NOW },
        { secret: 'my token' },
      );

      // Assess
      expect(signed.url).toBe(WEBHOOK_URL);
      expect(signed.headers).toEqual({});
      expect(signed.body?.toString()).toBe(body.toString().replace('vendor-sample-token', 'my%20token'));
    });

    it('appends the token when the body has none', () => {
      // Act & Assess
      expect(withApplicationToken(Buffer.from('event=ONCRMLEADADD'), 't').toString()).toBe(
        'event=ONCRMLEADADD&auth%5Bapplication_token%5D=t',
      );
      expect(withApplicationToken(Buffer.alloc(0), 't').toString()).toBe('auth%5Bapplication_token%5D=t');
    });
  });

  describe('parse', () => {
    it.each([
      ['an empty body', ''],
      ['JSON instead of a form', JSON.stringify({ event: 'ONCRMLEADADD', data: { FIELDS: { ID: '1' } } })],
      ['a form without event', form({ 'data[FIELDS][ID]': '1' })],
      ['a non-numeric id', delivery({ 'data[FIELDS][ID]': 'abc' })],
    ])('throws ValidationError for %s', (_, body) => {
      // Act & Assess
      expect(() => bitrix24Connector.parse(request(body))).toThrow(ValidationError);
    });
  });

  describe('normalize', () => {
    it.each([
      ['ONCRMLEADADD', 'lead', 'created'],
      ['ONCRMLEADUPDATE', 'lead', 'updated'],
      ['ONCRMCONTACTADD', 'contact', 'created'],
      ['onCrmContactUpdate', 'contact', 'updated'],
      ['ONCRMDEALADD', 'deal', 'created'],
      ['ONCRMDEALUPDATE', 'deal', 'updated'],
    ])('asks to hydrate %s as %s/%s', (code, kind, change) => {
      // Act
      const { events, hydrations, ignored } = normalize(delivery({ event: code }));

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([]);
      expect(hydrations).toEqual([
        {
          connector: 'bitrix24',
          kind,
          params: { id: '1000983', change, event: code.toUpperCase(), memberId: 'a223c6b3710f85df22e9377d6c4f7553' },
          providerEventId: `a223c6b3710f85df22e9377d6c4f7553:${code.toUpperCase()}:1000983:1742807175`,
          occurredAt: '2025-03-24T09:06:15.000Z',
          receivedAt: CTX.receivedAt,
        },
      ]);
    });

    it('keys on (portal, event, id, ts): a second event for the same lead is a new event', () => {
      // Act
      const first = normalize(delivery()).hydrations?.[0]?.providerEventId;
      const later = normalize(delivery({ ts: '1742807999' })).hydrations?.[0]?.providerEventId;
      const update = normalize(delivery({ event: 'ONCRMLEADUPDATE' })).hydrations?.[0]?.providerEventId;

      // Assess
      expect(new Set([first, later, update]).size).toBe(3);
    });

    it.each([
      [
        'ONCRMLEADDELETE',
        delivery({ event: 'ONCRMLEADDELETE' }),
        /ONCRMLEADDELETE 1000983: deletions in Bitrix24 do not erase/,
      ],
      ['ONCRMCOMPANYADD', delivery({ event: 'ONCRMCOMPANYADD' }), /ONCRMCOMPANYADD: unsupported event/],
      [
        'an event without an id',
        delivery().replace('&data%5BFIELDS%5D%5BID%5D=1000983', ''),
        /no data\[FIELDS\]\[ID\]/,
      ],
    ])('acknowledges and ignores %s', (_, body, reason) => {
      // Act
      const { hydrations, ignored } = normalize(body);

      // Assess
      expect(hydrations ?? []).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(reason)]);
    });
  });

  describe('hydrate (fake inbound-webhook REST API on 127.0.0.1)', () => {
    // Response examples of apidocs.bitrix24.com ("Response Handling" of crm.lead.get, crm.contact.get, crm.deal.get), trimmed to the fields read.
    const LEAD = {
      ID: '123',
      TITLE: 'Lead #1591',
      NAME: '',
      SECOND_NAME: null,
      LAST_NAME: null,
      CONTACT_ID: null,
      STATUS_ID: 'IN_PROCESS',
      HAS_PHONE: 'N',
      PHONE: [{ ID: '11658', VALUE_TYPE: 'OTHER', VALUE: '+15454777777', TYPE_ID: 'PHONE' }],
      IM: [{ ID: '11660', VALUE_TYPE: 'OPENLINE', VALUE: 'imol|livechat|1|67|21', TYPE_ID: 'IM' }],
    };
    const CONTACT = {
      ID: '43',
      NAME: 'John',
      SECOND_NAME: 'Doe',
      LAST_NAME: 'Smith',
      LEAD_ID: null,
      PHONE: [
        { ID: '156', VALUE_TYPE: 'WORK', VALUE: '+13333333555', TYPE_ID: 'PHONE' },
        { ID: '157', VALUE_TYPE: 'HOME', VALUE: '+15599888666', TYPE_ID: 'PHONE' },
      ],
      EMAIL: [
        { ID: '158', VALUE_TYPE: 'MAILING', VALUE: 'johnsmith@example.mailing', TYPE_ID: 'EMAIL' },
        { ID: '159', VALUE_TYPE: 'WORK', VALUE: 'johnsmith@example.work', TYPE_ID: 'EMAIL' },
      ],
    };
    const DEAL = {
      ID: '410',
      TITLE: 'New Deal #1',
      STAGE_ID: 'PREPARATION',
      CURRENCY_ID: 'EUR',
      OPPORTUNITY: '1000000.00',
      LEAD_ID: null,
      COMPANY_ID: '9',
      CONTACT_ID: '43',
      CATEGORY_ID: '0',
      MOVED_TIME: '2024-08-30T14:29:00+02:00',
    };
    const routes = new Map<string, { status: number; body: unknown }>([
      ['crm.lead.get.json?id=123', { status: 200, body: { result: LEAD, time: { start: 1705764932.998683 } } }],
      ['crm.lead.get.json?id=124', { status: 200, body: { result: { ...LEAD, ID: '124', CONTACT_ID: '43' } } }],
      ['crm.contact.get.json?id=43', { status: 200, body: { result: CONTACT } }],
      ['crm.deal.get.json?id=410', { status: 200, body: { result: DEAL } }],
      [
        'crm.deal.get.json?id=411',
        { status: 200, body: { result: { ...DEAL, ID: '411', CONTACT_ID: null, LEAD_ID: null } } },
      ],
      [
        'crm.deal.get.json?id=412',
        { status: 200, body: { result: { ...DEAL, ID: '412', CONTACT_ID: '0', LEAD_ID: '123' } } },
      ],
      ['crm.lead.get.json?id=999', { status: 400, body: { error: '', error_description: 'Not found' } }],
      [
        'crm.lead.get.json?id=503',
        { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } },
      ],
    ]);
    const paths: string[] = [];
    let webhookUrl = '';
    const server = createServer((req, res) => {
      const path = req.url ?? '';
      paths.push(path);
      const route = [...routes].find(([suffix]) => path === `/rest/1/k3y/${suffix}`)?.[1] ?? {
        status: 404,
        body: { error: 'ERROR_METHOD_NOT_FOUND' },
      };
      res.writeHead(route.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(route.body));
    });
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/1/k3y/`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const hydration = (kind: string, id: string, change = 'created'): HydrationRequest => ({
      connector: 'bitrix24',
      kind,
      params: { id, change, event: 'X', memberId: 'm1' },
      providerEventId: `m1:X:${id}:1742807175`,
      occurredAt: '2025-03-24T09:06:15.000Z',
      receivedAt: CTX.receivedAt,
    });
    const hydrate = (req: HydrationRequest, apiBaseUrl: string | null = webhookUrl) =>
      hydrateBitrix24(req, { secrets: apiBaseUrl ? { apiBaseUrl } : {}, defaultCountry: 'UA', fetch });

    it('reads the lead through crm.lead.get under the inbound webhook URL and keys the customer on the lead', async () => {
      // Act
      const [event, ...rest] = await hydrate(hydration('lead', '123'));

      // Assess
      expect(rest).toEqual([]);
      expect(HubEventSchema.parse(JSON.parse(JSON.stringify(event)))).toBeTruthy();
      expect(paths).toContain('/rest/1/k3y/crm.lead.get.json?id=123');
      expect(event).toMatchObject({
        type: 'contact.created',
        channel: 'crm',
        providerEventId: 'm1:X:123:1742807175',
        summary: 'Bitrix24 lead «Lead #1591» created (status IN_PROCESS)',
        data: { contactId: 'lead:123', changes: { STATUS_ID: 'IN_PROCESS' } },
      });
      expect(event?.customer.identities.map(identityKey)).toEqual(['bitrix24:lead:123', 'phone:+15454777777']);
    });

    it('links a repeat lead to its contact and accepts a webhook URL without the trailing slash', async () => {
      // Act
      const [event] = await hydrate(hydration('lead', '124', 'updated'), webhookUrl.replace(/\/$/, ''));

      // Assess
      expect(event?.type).toBe('contact.updated');
      expect(event?.customer.identities.map(identityKey)).toEqual([
        'bitrix24:lead:124',
        'bitrix24:contact:43',
        'phone:+15454777777',
      ]);
    });

    it('reads a contact with all its phones and emails', async () => {
      // Act
      const [event] = await hydrate(hydration('contact', '43', 'updated'));

      // Assess
      expect(event).toMatchObject({ type: 'contact.updated', data: { contactId: 'contact:43' } });
      expect(event?.customer.identities.map(identityKey)).toEqual([
        'bitrix24:contact:43',
        'phone:+13333333555',
        'phone:+15599888666',
        'email:johnsmith@example.mailing',
        'email:johnsmith@example.work',
      ]);
      expect(event?.customer.traits).toEqual({ firstName: 'John', lastName: 'Smith', name: 'John Smith' });
    });

    it("turns a deal update into deal.stage_changed for the deal's contact, timed and keyed by MOVED_TIME", async () => {
      // Act
      const [first] = await hydrate(hydration('deal', '410', 'updated'));
      const [again] = await hydrate({ ...hydration('deal', '410', 'updated'), providerEventId: 'm1:X:410:1742809999' });

      // Assess
      expect(first).toMatchObject({
        type: 'deal.stage_changed',
        providerEventId: 'm1:deal:410:stage:PREPARATION:2024-08-30T12:29:00.000Z',
        occurredAt: '2024-08-30T12:29:00.000Z',
        summary: 'Deal «New Deal #1» in stage PREPARATION (1000000.00 EUR)',
        data: {
          dealId: '410',
          stage: 'PREPARATION',
          pipeline: '0',
          amount: { amountMinor: 100000000, currency: 'EUR' },
        },
      });
      expect(first?.customer.identities.map(identityKey)).toContain('bitrix24:contact:43');
      expect(again?.id).toBe(first?.id);
    });

    it('attributes a deal without a contact to its source lead, and drops one with neither', async () => {
      // Act
      const [fromLead] = await hydrate(hydration('deal', '412'));
      const orphan = await hydrate(hydration('deal', '411'));

      // Assess
      expect(fromLead?.customer.identities.map(identityKey)).toEqual(['bitrix24:lead:123']);
      expect(orphan).toEqual([]);
    });

    it('yields nothing for an entity deleted since the event ("Not found")', async () => {
      // Act & Assess
      expect(await hydrate(hydration('lead', '999'))).toEqual([]);
    });

    it('throws on a rate limit or server error so the queue retries, without leaking the webhook URL', async () => {
      // Act
      const failure = hydrate(hydration('lead', '503'));

      // Assess
      await expect(failure).rejects.toThrow(/crm\.lead\.get failed with HTTP 503: QUERY_LIMIT_EXCEEDED/);
      await expect(hydrate(hydration('lead', '503'))).rejects.not.toThrow(/k3y/);
    });

    it('throws when no inbound webhook URL is configured', async () => {
      // Act & Assess
      await expect(hydrate(hydration('lead', '123'), null)).rejects.toThrow(/apiBaseUrl/);
    });
  });

  it('exposes the docs example through signedRequest with the configured token', () => {
    // Prepare
    const body = Buffer.from(delivery({ 'auth[application_token]': 'from-the-docs' }));

    // Act
    const req = signedRequest(
      bitrix24Connector,
      { case: { method: 'POST', contentType: FORM }, body },
      { secret: 'configured' },
    );

    // Assess
    expect(bitrix24Connector.verify(req, { secret: 'configured' }, { now: TEST_NOW })).toEqual({ ok: true });
  });
});

describe('Connector: bitrix24 known-answer authenticity (independent of signSample)', () => {
  // The docs' ONCRMLEADADD example carries auth[application_token]=51856fefc120afa4b628cc82d3935cce: the
  // untouched fixture bytes verify with exactly that token, and with no other.
  const docsBody = () => readFileSync('functions/connectors/bitrix24/fixtures/oncrmleadadd.txt');
  const verify = (secret: string) =>
    bitrix24Connector.verify(
      rawRequest({ url: WEBHOOK_URL, body: docsBody(), headers: { 'content-type': FORM } }),
      { secret },
      { now: TEST_NOW },
    );

  it('accepts the docs example with the token printed in it', () => {
    // Act & Assess
    expect(verify('51856fefc120afa4b628cc82d3935cce')).toEqual({ ok: true });
  });

  it.each([
    ['the access token of the same body', 's6p6eclrvim6da22ft9ch94ekreb52lv'],
    ['the member id of the same body', 'a223c6b3710f85df22e9377d6c4f7553'],
    ['the token with its last character changed', '51856fefc120afa4b628cc82d3935ccf'],
  ])('refuses %s as the secret', (_, secret) => {
    // Act & Assess
    expect(verify(secret).ok).toBe(false);
  });

  it('leaves a docs body that already carries the configured token byte for byte unchanged when signing', () => {
    // Act
    const signed = bitrix24Connector.signSample(
      { url: WEBHOOK_URL, method: 'POST', body: docsBody(), contentType: FORM, now: TEST_NOW },
      { secret: '51856fefc120afa4b628cc82d3935cce' },
    );

    // Assess
    expect(signed.body?.equals(docsBody())).toBe(true);
  });
});
