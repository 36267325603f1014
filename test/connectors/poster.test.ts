/**
 * Poster POS edge cases the fixtures can't express: the `verify` md5
 * recomputed independently (with and without `data`), which fields it
 * covers, the in-place re-signing of samples, which hooks are fetched, the
 * `{"status":"accept"}` acknowledgement, and hydration against a fake
 * Poster API (sums in hundredths, clients, loyalty cards, API errors).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { posterConnector, posterVerifyHash } from '../../functions/connectors/poster/index.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent, type HubEventOf } from '../../functions/events/hub-event.js';
import { rawRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Prepare (shared)
const SECRET = 'fe2bc8e865d8fc2236968ee53c3b2bd5';
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const URL_ = `${TEST_BASE_URL}/webhooks/poster`;
const fixture = (file: string): Buffer => readFileSync(`functions/connectors/poster/fixtures/${file}`);
const DOCS_HOOK = JSON.parse(fixture('transaction-changed-additem.json').toString('utf8')) as Record<string, unknown>;

/** The docs' PHP check, rewritten with node:crypto: md5 of the fields joined by ';'. */
const md5 = (parts: (string | number)[]): string => createHash('md5').update(parts.join(';')).digest('hex');

const hook = (fields: Record<string, unknown>, secret = SECRET) => {
  const body: Record<string, unknown> = { account: 'mykava6', account_number: '333226', time: '1714564800', ...fields };
  const data = body.data === undefined || body.data === null ? [] : [body.data as string];
  body.verify = md5([
    body.account as string,
    body.object as string,
    body.object_id as number,
    body.action as string,
    ...data,
    body.time as string,
    secret,
  ]);
  return body;
};

const request = (body: unknown) =>
  rawRequest({
    url: URL_,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
const verify = (body: unknown) => posterConnector.verify(request(body), { secret: SECRET }, { now: TEST_NOW });
const normalize = (body: unknown) => posterConnector.normalize(posterConnector.parse(request(body)), CTX);
const historyData = (type: string) =>
  JSON.stringify({ transactions_history: { type_history: type, time: 1714564800000, value: 0, value2: 2750 } });

const only = <T extends HubEvent['type']>(events: HubEvent[], type: T): HubEventOf<T> => {
  expect(events.map((e) => e.type)).toEqual([type]);
  HubEventSchema.parse(events[0]);
  return events[0] as HubEventOf<T>;
};

describe('Connector: poster', () => {
  describe('verify', () => {
    it('computes md5(account;object;object_id;action;data;time;secret) exactly as the docs example does', () => {
      // Prepare: the docs example's fields, independently joined by hand.
      const expected = md5([
        'mykava6',
        'transaction',
        '16776',
        'changed',
        DOCS_HOOK.data as string,
        '1688722229',
        SECRET,
      ]);

      // Act & Assess
      expect(posterVerifyHash(DOCS_HOOK, SECRET)).toBe(expected);
      expect(verify({ ...DOCS_HOOK, verify: expected })).toEqual({ ok: true });
      expect(verify({ ...DOCS_HOOK, verify: expected.toUpperCase() })).toEqual({ ok: true });
    });

    it('leaves data out of the hash when the hook has none (or null)', () => {
      // Prepare
      const expected = md5(['mykava6', 'client', '38', 'added', '1714564800', SECRET]);

      // Act & Assess
      expect(
        verify({
          account: 'mykava6',
          object: 'client',
          object_id: 38,
          action: 'added',
          time: '1714564800',
          verify: expected,
        }),
      ).toEqual({ ok: true });
      expect(
        verify({
          account: 'mykava6',
          object: 'client',
          object_id: 38,
          action: 'added',
          time: '1714564800',
          data: null,
          verify: expected,
        }),
      ).toEqual({ ok: true });
    });

    it.each([
      ['account', 'mykava7'],
      ['object', 'client'],
      ['object_id', 16777],
      ['action', 'closed'],
      ['time', '1714564801'],
      ['data', historyData('close')],
    ])('rejects the hook with %s changed', (field, value) => {
      // Prepare
      const body = {
        ...hook({ object: 'transaction', object_id: 16776, action: 'changed', data: historyData('additem') }),
        [field]: value,
      };

      // Act & Assess
      expect(verify(body).ok).toBe(false);
    });

    it('does not cover account_number or the JSON layout (why the manifests say bodySigned: false)', () => {
      // Prepare
      const body = hook({ object: 'client', object_id: 38, action: 'changed' });

      // Act & Assess
      expect(verify({ ...body, account_number: '999999' })).toEqual({ ok: true });
      expect(verify(JSON.stringify(body, null, 4))).toEqual({ ok: true });
    });

    it('fails closed: no secret, another secret, no verify, a missing signed field, a body that is not a JSON object', () => {
      // Prepare
      const body = hook({ object: 'client', object_id: 38, action: 'changed' });
      const { verify: _, ...unsigned } = body;
      const { time: __, ...timeless } = body;

      // Act & Assess
      expect(posterConnector.verify(request(body), {}, { now: TEST_NOW }).ok).toBe(false);
      expect(posterConnector.verify(request(body), { secret: 'another' }, { now: TEST_NOW }).ok).toBe(false);
      expect(verify(unsigned)).toMatchObject({ ok: false, reason: 'Missing verify field' });
      expect(verify(timeless).ok).toBe(false);
      expect(verify('{').ok).toBe(false);
      expect(verify('[]').ok).toBe(false);
    });

    it('has no replay window: a hook Poster retries two days later still verifies', () => {
      // Prepare
      const body = hook({ object: 'transaction', object_id: 16801, action: 'closed', time: '1714564800' });

      // Act
      const result = posterConnector.verify(
        request(body),
        { secret: SECRET },
        { now: new Date(TEST_NOW.getTime() + 2 * 86_400_000) },
      );

      // Assess
      expect(result).toEqual({ ok: true });
    });
  });

  describe('signSample', () => {
    it('replaces only the verify value, every other byte of the sample stays', () => {
      // Prepare
      const body = fixture('transaction-changed-additem.json');

      // Act
      const signed = posterConnector.signSample(
        { url: URL_, method: 'POST', body, contentType: 'application/json', now: TEST_NOW },
        { secret: SECRET },
      );

      // Assess
      const expected = md5([
        'mykava6',
        'transaction',
        '16776',
        'changed',
        DOCS_HOOK.data as string,
        '1688722229',
        SECRET,
      ]);
      expect(signed.headers).toEqual({});
      expect(signed.body?.toString('utf8')).toBe(
        body.toString('utf8').replace('f6a209fccb87d7051d49bf3342c656ab', expected),
      );
    });
  });

  describe('normalize: what is fetched', () => {
    it.each([
      'open',
      'additem',
      'deleteitem',
      'changeitemcount',
      'settable',
      'sendtokitchen',
      'comment',
      'print',
      'changeorderstatus',
    ])('acknowledges transaction changed/%s (an open bill) without a fetch', (kind) => {
      const result = normalize(
        hook({ object: 'transaction', object_id: 16776, action: 'changed', data: historyData(kind) }),
      );
      expect(result).toEqual({ events: [], ignored: [expect.stringContaining(`(${kind})`)] });
    });

    it.each([
      ['closed', historyData('close')],
      ['changed', historyData('close')],
      ['changed', historyData('setclient')],
      ['changed', undefined],
      ['changed', 'not json'],
    ])('fetches the receipt of transaction %s with data %j', (action, data) => {
      // Act
      const { hydrations } = normalize(
        hook({ object: 'transaction', object_id: 16801, action, ...(data ? { data } : {}) }),
      );

      // Assess
      expect(hydrations).toEqual([
        {
          connector: 'poster',
          kind: 'transaction',
          params: { account: 'mykava6', transactionId: '16801' },
          providerEventId: `transaction:16801:${action}:1714564800`,
          occurredAt: '2024-05-01T12:00:00.000Z',
          receivedAt: CTX.receivedAt,
        },
      ]);
    });

    it.each([
      ['transaction', 'added'],
      ['transaction', 'removed'],
      ['client', 'removed'],
      ['client_payed_sum', 'changed'],
      ['stock', 'changed'],
      ['incoming_order', 'closed'],
    ])('acknowledges %s %s without a fetch', (object, action) => {
      const result = normalize(hook({ object, object_id: 5, action }));
      expect(result.events).toEqual([]);
      expect(result.hydrations ?? []).toEqual([]);
      expect(result.ignored).toHaveLength(1);
    });

    it('acknowledges every hook with 200 {"status":"accept"}', () => {
      const result = normalize(hook({ object: 'stock', object_id: 5, action: 'changed' }));
      const response = posterConnector.acknowledge?.(
        result,
        posterConnector.parse(request(hook({ object: 'stock', object_id: 5, action: 'changed' }))),
      );
      expect(response?.statusCode).toBe(200);
      expect(JSON.parse(String(response?.body))).toEqual({ status: 'accept' });
    });
  });

  describe('hydration (fake Poster API)', () => {
    let server: Server;
    let base = '';
    const seen: URL[] = [];
    let currency = 'UAH';
    let transaction: Record<string, unknown> = {};
    let transactionAnswer: unknown;

    const CLIENT = {
      client_id: '38',
      firstname: 'Попова',
      lastname: 'Елена',
      phone: '+380 50 11-11-111',
      phone_number: '380501111111',
      email: 'contact@joinposter.com',
      card_number: '0000000000222',
      client_groups_name: 'Постоянный клиент',
    };

    const answer = (req: IncomingMessage): unknown => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(url);
      if (url.searchParams.get('token') !== '687409:4164553abf6a031302898da7800b59fb')
        return { error: { code: 11, message: 'Invalid access_token' } };
      switch (url.pathname) {
        case '/api/dash.getTransaction':
          return transactionAnswer ?? { response: [transaction] };
        case '/api/dash.getTransactionProducts':
          return {
            response: [
              { product_id: '162', product_name: 'Капучино', modification_id: '0', product_code: 'CAP-03', num: '1' },
            ],
          };
        case '/api/clients.getClient':
          return url.searchParams.get('client_id') === '38'
            ? { response: [CLIENT] }
            : { error: { code: 32, message: "The ID doesn't exist" } };
        case '/api/settings.getCurrency':
          return { response: { currency_id: '1', currency_code_iso: currency } };
        default:
          return { error: { code: 20, message: 'not authorized' } };
      }
    };

    beforeAll(async () => {
      server = createServer((req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req))),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      seen.length = 0;
      currency = 'UAH';
      transactionAnswer = undefined;
      transaction = {
        transaction_id: '16801',
        date_close: '1714564800000',
        status: '2',
        pay_type: '3',
        payed_cash: '1000',
        payed_card: '1500',
        payed_bonus: '250',
        payed_cert: '0',
        payed_third_party: '0',
        sum: '2750',
        spot_id: '1',
        client_id: '38',
        card_number: '0000000000222',
        products: [
          { product_id: '162', modification_id: '0', num: '1', product_price: '1050', payed_sum: '1050' },
          { product_id: '161', modification_id: '0', num: '2', product_price: '850', payed_sum: '1700' },
        ],
      };
    });

    /** Each test runs against its own account, so the per-account currency cache never leaks between tests. */
    let account = 0;
    const transactionRequest = (): HydrationRequest => ({
      connector: 'poster',
      kind: 'transaction',
      params: { account: `acc-${++account}`, transactionId: '16801' },
      providerEventId: 'transaction:16801:closed:1714564800',
      occurredAt: '2024-05-01T12:00:00.000Z',
      receivedAt: CTX.receivedAt,
    });
    const ctx = (): HydrateContext => ({
      secrets: { apiToken: '687409:4164553abf6a031302898da7800b59fb', apiBaseUrl: base },
      defaultCountry: 'UA',
      fetch,
    });

    it('turns a closed receipt with a client into purchase.completed: total in minor units, items, phone and loyalty card', async () => {
      // Act
      const events = await posterConnector.hydrate!(transactionRequest(), ctx());

      // Assess
      const purchase = only(events, 'purchase.completed');
      expect(purchase.channel).toBe('pos');
      expect(purchase.customer.identities.map(identityKey)).toEqual([
        'phone:+380501111111',
        'loyalty_card:0000000000222',
        'poster:38',
        'email:contact@joinposter.com',
      ]);
      expect(purchase.data.total).toEqual({ amountMinor: 2750, currency: 'UAH' });
      expect(purchase.data.items).toEqual([
        { sku: 'CAP-03', name: 'Капучино', quantity: 1, unitPrice: { amountMinor: 1050, currency: 'UAH' } },
        { sku: '161', name: 'Product 161', quantity: 2, unitPrice: { amountMinor: 850, currency: 'UAH' } },
      ]);
      expect(purchase.data.store).toMatch(/^acc-\d+\/spot\/1$/);
      expect(purchase.occurredAt).toBe('2024-05-01T12:00:00.000Z');
      expect(purchase.summary).toBe('Receipt #16801 closed: 27.50 UAH, 2 items');
      expect(purchase.customer.traits).toMatchObject({ firstName: 'Попова', lastName: 'Елена' });
      expect(seen.find((u) => u.pathname === '/api/dash.getTransaction')?.searchParams.get('include_products')).toBe(
        'true',
      );
    });

    it('reads the hundredths in the account currency: 2750 → 28 JPY', async () => {
      // Prepare
      currency = 'JPY';

      // Act
      const events = await posterConnector.hydrate!(transactionRequest(), ctx());

      // Assess
      expect(only(events, 'purchase.completed').data.total).toEqual({ amountMinor: 28, currency: 'JPY' });
    });

    it.each([
      ['an open bill', { status: '1' }],
      ['a removed bill', { status: '3' }],
      ['a bill closed without payment', { pay_type: '0' }],
      ['a receipt without a client', { client_id: '0' }],
    ])('yields no event for %s (and fetches no client)', async (_, fields) => {
      // Prepare
      Object.assign(transaction, fields);

      // Act
      const events = await posterConnector.hydrate!(transactionRequest(), ctx());

      // Assess
      expect(events).toEqual([]);
      expect(seen.map((u) => u.pathname)).toEqual(['/api/dash.getTransaction']);
    });

    it('collapses hooks of one receipt (closed, then changed) into one purchase id', async () => {
      // Act
      const a = await posterConnector.hydrate!(
        { ...transactionRequest(), params: { account: 'same', transactionId: '16801' } },
        ctx(),
      );
      const b = await posterConnector.hydrate!(
        {
          ...transactionRequest(),
          params: { account: 'same', transactionId: '16801' },
          providerEventId: 'transaction:16801:changed:1714564900',
        },
        ctx(),
      );

      // Assess
      expect(a[0]?.id).toBe(b[0]?.id);
    });

    it('yields nothing when Poster says the receipt does not exist, throws on other API errors so the queue retries', async () => {
      // Act & Assess
      transactionAnswer = { error: { code: 32, message: "The ID doesn't exist" } };
      await expect(posterConnector.hydrate!(transactionRequest(), ctx())).resolves.toEqual([]);
      transactionAnswer = { error: { code: 700, message: 'Rate restriction' } };
      await expect(posterConnector.hydrate!(transactionRequest(), ctx())).rejects.toThrow(/700 Rate restriction/);
      await expect(
        posterConnector.hydrate!(transactionRequest(), { ...ctx(), secrets: { apiToken: 'wrong', apiBaseUrl: base } }),
      ).rejects.toThrow(/Invalid access_token/);
      await expect(
        posterConnector.hydrate!(transactionRequest(), { ...ctx(), secrets: { apiBaseUrl: base } }),
      ).rejects.toThrow(/apiToken/);
    });

    it('turns client added/changed into contact.created/updated', async () => {
      // Prepare
      const clientRequest = (action: string): HydrationRequest => ({
        connector: 'poster',
        kind: 'client',
        params: { account: 'mykava6', clientId: '38', action },
        providerEventId: `client:38:${action}:1714564800`,
        receivedAt: CTX.receivedAt,
      });

      // Act
      const added = await posterConnector.hydrate!(clientRequest('added'), ctx());
      const changed = await posterConnector.hydrate!(clientRequest('changed'), ctx());
      const gone = await posterConnector.hydrate!(
        { ...clientRequest('changed'), params: { account: 'mykava6', clientId: '39', action: 'changed' } },
        ctx(),
      );

      // Assess
      expect(only(added, 'contact.created').customer.identities.map(identityKey)).toEqual([
        'phone:+380501111111',
        'loyalty_card:0000000000222',
        'poster:38',
        'email:contact@joinposter.com',
      ]);
      expect(only(changed, 'contact.updated').data).toEqual({ contactId: '38' });
      expect(gone).toEqual([]);
    });
  });
});

describe('Connector: poster known-answer authenticity (independent of signSample)', () => {
  // The docs' transaction/changed hook with the joined string written to a file and hashed by openssl:
  //   printf '%s' 'mykava6;transaction;16776;changed;<data as sent>;1688722229;fe2bc8e865d8fc2236968ee53c3b2bd5' \
  //     | openssl md5
  const KNOWN_ANSWER = '4f2e635351ff4096435a3f2cf91b8068';
  const docsText = () => fixture('transaction-changed-additem.json').toString('utf8');
  const withVerify = (value: string) => docsText().replace('f6a209fccb87d7051d49bf3342c656ab', value);

  it('accepts the docs hook carrying the openssl vector in its verify field', () => {
    // Act & Assess
    expect(posterVerifyHash(DOCS_HOOK, SECRET)).toBe(KNOWN_ANSWER);
    expect(verify(withVerify(KNOWN_ANSWER))).toEqual({ ok: true });
  });

  it("refuses the docs' own verify value (it was made with a secret the docs do not publish)", () => {
    // Act & Assess
    expect(verify(docsText()).ok).toBe(false);
  });

  it('signs samples with the vector, changing nothing else', () => {
    // Act
    const signed = posterConnector.signSample(
      {
        url: URL_,
        method: 'POST',
        body: fixture('transaction-changed-additem.json'),
        contentType: 'application/json',
        now: TEST_NOW,
      },
      { secret: SECRET },
    );

    // Assess
    expect(signed.body?.toString('utf8')).toBe(withVerify(KNOWN_ANSWER));
  });
});
