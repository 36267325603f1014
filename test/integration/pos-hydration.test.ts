/**
 * Thin POS webhooks end to end: a signed hook to the local hub is
 * acknowledged at once, the hydrator fetches the details from a fake vendor
 * API on 127.0.0.1 (Poster receipts and clients, Square customers), and the
 * profile found by the fetched phone shows the purchase. A vendor API that
 * fails twice still ends in the profile: the local queue retries.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const POSTER_TOKEN = '687409:4164553abf6a031302898da7800b59fb';
const SQUARE_TOKEN = 'EAAA-square-test';

/** Poster clients of the fake account, by id. */
const POSTER_CLIENTS: Record<string, Record<string, string>> = {
  '38': {
    client_id: '38',
    firstname: 'Olena',
    lastname: 'Koval',
    phone: '+380 50 11-11-111',
    phone_number: '380501111111',
    email: 'olena@example.com',
    card_number: '0000000000222',
  },
  '41': {
    client_id: '41',
    firstname: 'Taras',
    lastname: 'Melnyk',
    phone: '+380 67 222-33-44',
    phone_number: '380672223344',
    email: '',
    card_number: '0000000000777',
  },
};

/** Receipt id → client id; every receipt is closed, 27.50 UAH (cash 10.00 + card 15.00 + bonus 2.50). */
const POSTER_RECEIPTS: Record<string, string> = { '16801': '38', '16802': '41' };

interface FakeVendors {
  readonly url: string;
  /** `dash.getTransaction` calls per receipt id. */
  readonly receiptCalls: Map<string, number>;
  /** Next N `dash.getTransaction` calls answer 500. */
  failNext: number;
  close(): Promise<void>;
}

const json = (body: unknown) => JSON.stringify(body);

const startFakeVendors = async (): Promise<FakeVendors> => {
  const fake = { receiptCalls: new Map<string, number>(), failNext: 0 } as FakeVendors & { server: Server };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(json(body));
    // Square: GET /square/v2/customers/{id} with a Bearer token.
    if (url.pathname.startsWith('/square/')) {
      if (req.headers.authorization !== `Bearer ${SQUARE_TOKEN}`)
        return send(401, { errors: [{ code: 'UNAUTHORIZED' }] });
      if (url.pathname === '/square/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4') {
        return send(200, {
          customer: {
            id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
            given_name: 'Olena',
            family_name: 'Koval',
            phone_number: '+380931234567',
            email_address: 'olena.koval@example.com',
            version: 1,
          },
        });
      }
      return send(404, { errors: [{ code: 'NOT_FOUND' }] });
    }
    // Poster: GET /poster/api/{method}?token=…
    if (url.searchParams.get('token') !== POSTER_TOKEN)
      return send(200, { error: { code: 11, message: 'Invalid access_token' } });
    switch (url.pathname) {
      case '/poster/api/dash.getTransaction': {
        const id = url.searchParams.get('transaction_id') ?? '';
        fake.receiptCalls.set(id, (fake.receiptCalls.get(id) ?? 0) + 1);
        if (fake.failNext > 0) {
          fake.failNext--;
          return send(500, { message: 'temporarily unavailable' });
        }
        const client = POSTER_RECEIPTS[id];
        if (!client) return send(200, { error: { code: 32, message: "The ID doesn't exist" } });
        return send(200, {
          response: [
            {
              transaction_id: id,
              date_close: '1714564800000',
              status: '2',
              pay_type: '3',
              payed_cash: '1000',
              payed_card: '1500',
              payed_bonus: '250',
              sum: '2750',
              spot_id: '1',
              client_id: client,
              products: [
                { product_id: '162', modification_id: '0', num: '1', product_price: '2750', payed_sum: '2750' },
              ],
            },
          ],
        });
      }
      case '/poster/api/dash.getTransactionProducts':
        return send(200, {
          response: [{ product_id: '162', product_name: 'Капучино', modification_id: '0', product_code: '', num: '1' }],
        });
      case '/poster/api/clients.getClient': {
        const client = POSTER_CLIENTS[url.searchParams.get('client_id') ?? ''];
        return send(200, client ? { response: [client] } : { error: { code: 32, message: "The ID doesn't exist" } });
      }
      case '/poster/api/settings.getCurrency':
        return send(200, { response: { currency_id: '1', currency_code_iso: 'UAH' } });
      default:
        return send(200, { error: { code: 20, message: 'The application is not authorized to call this method' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
};

const fixture = (connector: string, file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8')) as Record<string, unknown>;

/** A Poster hook for receipt `id`; postWebhook re-signs `verify` with the hub's secret. */
const posterReceiptHook = (id: number): string =>
  json({ ...fixture('poster', 'transaction-closed.json'), object_id: id });

const profileBy = async (hub: LocalHub, identity: string) => {
  const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);
  expect(profile.status, `profile for ${identity}`).toBe(200);
  const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
  return {
    profile: profile.body,
    items: timeline.body.items as { type: string; connector: string; data: any; summary: string }[],
  };
};

describe('POS hydration: thin webhook → fake vendor API → profile', () => {
  let hub: LocalHub;
  let vendors: FakeVendors;

  beforeAll(async () => {
    vendors = await startFakeVendors();
    hub = await startTestHub({
      retryBaseMs: 20,
      extraEnv: {
        OMNIHUB_API_BASE_URL_POSTER: `${vendors.url}/poster/api`,
        OMNIHUB_API_TOKEN_POSTER: POSTER_TOKEN,
        OMNIHUB_API_BASE_URL_SQUARE: `${vendors.url}/square`,
        OMNIHUB_API_TOKEN_SQUARE: SQUARE_TOKEN,
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await vendors?.close();
  });

  it('Poster: a closed receipt lands as purchase.completed in the profile found by the client phone, with the loyalty card', async () => {
    // Act
    const res = await postWebhook(hub, 'poster', posterReceiptHook(16801));
    await hub.idle();

    // Assess
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'accept' });
    const { profile, items } = await profileBy(hub, 'phone:+380501111111');
    expect(profile.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'loyalty_card', value: '0000000000222' }),
        expect.objectContaining({ type: 'poster', value: '38' }),
      ]),
    );
    const purchases = items.filter((i) => i.type === 'purchase.completed');
    expect(purchases).toHaveLength(1);
    expect(purchases[0]?.connector).toBe('poster');
    expect(purchases[0]?.data.total).toEqual({ amountMinor: 2750, currency: 'UAH' });
    expect(purchases[0]?.summary).toBe('Receipt #16801 closed: 27.50 UAH, 1 item');
  });

  it('Poster: a vendor API that fails twice then succeeds still ends in the profile (the queue retries)', async () => {
    // Prepare
    vendors.failNext = 2;

    // Act
    const res = await postWebhook(hub, 'poster', posterReceiptHook(16802));
    await hub.idle();

    // Assess
    expect(res.status, res.text).toBe(200);
    expect(vendors.receiptCalls.get('16802')).toBe(3);
    const { items } = await profileBy(hub, 'loyalty_card:0000000000777');
    expect(items.filter((i) => i.type === 'purchase.completed').map((i) => i.data.total)).toEqual([
      { amountMinor: 2750, currency: 'UAH' },
    ]);
    await profileBy(hub, 'phone:+380672223344');
  });

  it('Poster: a redelivered hook does not count the purchase twice', async () => {
    // Act
    await postWebhook(hub, 'poster', posterReceiptHook(16801));
    await hub.idle();

    // Assess
    const { items } = await profileBy(hub, 'phone:+380501111111');
    expect(items.filter((i) => i.type === 'purchase.completed')).toHaveLength(1);
  });

  it('Square: a till payment known only by customer_id links to the phone fetched from the Customers API', async () => {
    // Prepare: no buyer email, so square:<id> is the payment's only identity.
    const body = fixture('square', 'payment-updated-in-person.json') as any;
    delete body.data.object.payment.buyer_email_address;

    // Act
    const res = await postWebhook(hub, 'square', json(body));
    await hub.idle();

    // Assess
    expect(res.status, res.text).toBe(200);
    const { profile, items } = await profileBy(hub, 'phone:+380931234567');
    expect(profile.identities).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'square', value: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' })]),
    );
    expect(items.map((i) => i.type).sort()).toEqual(['contact.updated', 'purchase.completed']);
    expect(items.find((i) => i.type === 'purchase.completed')?.data.total).toEqual({
      amountMinor: 45050,
      currency: 'UAH',
    });
  });
});
