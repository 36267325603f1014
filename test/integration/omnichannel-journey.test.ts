/**
 * The product promise end to end: one customer, many channels, ONE profile.
 * Real signed webhooks of each vendor's format through the local hub's HTTP
 * surface, a fake Poster API on 127.0.0.1 for the till receipts, DynamoDB
 * Local underneath.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

const POSTER_TOKEN = '687409:journeytoken';

const fixtureJson = (connector: string, file: string): any =>
  JSON.parse(readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8'));
const fixtureText = (connector: string, file: string): string =>
  readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8');

/** A Poster account with one loyalty client whose receipts are all 1 250.00 UAH. */
const startFakePoster = async (client: { id: string; phone: string; card: string; name: string }) => {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.searchParams.get('token') !== POSTER_TOKEN)
      return send({ error: { code: 11, message: 'Invalid access_token' } });
    switch (url.pathname) {
      case '/api/dash.getTransaction':
        return send({
          response: [
            {
              transaction_id: url.searchParams.get('transaction_id'),
              date_close: String(Date.parse('2026-11-20T16:00:00.000Z')),
              status: '2',
              pay_type: '2',
              payed_cash: '0',
              payed_card: '125000',
              payed_bonus: '0',
              sum: '125000',
              spot_id: '1',
              client_id: client.id,
              products: [
                { product_id: '7', modification_id: '0', num: '1', product_price: '125000', payed_sum: '125000' },
              ],
            },
          ],
        });
      case '/api/dash.getTransactionProducts':
        return send({ response: [{ product_id: '7', product_name: 'Sofa Oslo', modification_id: '0', num: '1' }] });
      case '/api/clients.getClient':
        return send({
          response: [
            {
              client_id: client.id,
              firstname: client.name,
              lastname: '',
              phone: client.phone,
              phone_number: client.phone.replace(/\D/g, ''),
              email: '',
              card_number: client.card,
            },
          ],
        });
      case '/api/settings.getCurrency':
        return send({ response: { currency_id: '1', currency_code_iso: 'UAH' } });
      default:
        return send({ error: { code: 20, message: 'not authorized' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

const posterReceipt = (id: number) =>
  JSON.stringify({ ...fixtureJson('poster', 'transaction-closed.json'), object_id: id });

const binotelCall = (externalNumber: string, callId: string, startTime: number) =>
  fixtureText('binotel', 'api-call-completed.txt')
    .replace(/callDetails%5BexternalNumber%5D=\d+/, `callDetails%5BexternalNumber%5D=${externalNumber}`)
    .replace(/(callDetails%5B(general)?[cC]allID%5D=)\d+/g, `$1${callId}`)
    .replace(/callDetails%5BstartTime%5D=\d+/, `callDetails%5BstartTime%5D=${startTime}`);

describe('Omnichannel journey', () => {
  let hub: LocalHub;
  let poster: Awaited<ReturnType<typeof startFakePoster>>;
  const lookup = (identity: string) => api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);

  beforeAll(async () => {
    poster = await startFakePoster({ id: '501', phone: '+380 50 111-22-33', card: '0000000001234', name: 'Olena' });
    hub = await startTestHub({
      retryBaseMs: 20,
      extraEnv: { OMNIHUB_API_BASE_URL_POSTER: `${poster.url}/api`, OMNIHUB_API_TOKEN_POSTER: POSTER_TOKEN },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await poster?.close();
  });

  it('quiz, Binotel call, WhatsApp, a contact shared with the Viber bot and a loyalty purchase end as ONE profile with all five channels', async () => {
    // Act: every touchpoint in its vendor's own format, phone spelled the vendor's way.
    const quiz = fixtureJson('marquiz', 'lead.json');
    quiz.contacts = { name: 'Olena', phone: '050 111 22 33', email: 'olena.journey@example.com' };
    quiz.created = '2026-11-01T10:00:00.000Z';
    const whatsapp = fixtureJson('whatsapp', 'message-text.json');
    whatsapp.entry[0].changes[0].value.contacts[0].wa_id = '380501112233';
    Object.assign(whatsapp.entry[0].changes[0].value.messages[0], {
      from: '380501112233',
      id: 'wamid.journey',
      timestamp: String(Date.parse('2026-11-03T09:00:00Z') / 1000),
    });
    const viber = fixtureJson('viber', 'message-contact-own-phone.json');
    viber.sender.id = 'journey-viber-id=';
    // Her own card (the share-phone button): the card's name is her Viber name.
    viber.sender.name = 'Olena';
    viber.message.contact = { name: 'Olena', phone_number: '380501112233' };
    viber.timestamp = Date.parse('2026-11-04T09:00:00Z');

    const steps: [string, string | Buffer, string?][] = [
      ['marquiz', JSON.stringify(quiz)],
      [
        'binotel',
        binotelCall('0501112233', '9900001', Date.parse('2026-11-02T12:00:00Z') / 1000),
        'application/x-www-form-urlencoded',
      ],
      ['whatsapp', JSON.stringify(whatsapp)],
      ['viber', JSON.stringify(viber).replace(/"message_token":"?(\d+)"?/, '"message_token":4912661846655299999')],
      ['poster', posterReceipt(770001)],
    ];
    for (const [connector, body, contentType] of steps) {
      const res = await postWebhook(hub, connector, body, contentType ? { contentType } : {});
      expect(res.status, `${connector}: ${res.text}`).toBeLessThan(300);
    }
    await hub.idle();

    // Assess
    const profile = await lookup('phone:+380501112233');
    expect(profile.status).toBe(200);
    expect(Object.keys(profile.body.channels).sort()).toEqual(['phone', 'pos', 'viber', 'web', 'whatsapp']);
    for (const identity of [
      'email:olena.journey@example.com',
      'whatsapp:380501112233',
      'viber:journey-viber-id=',
      'loyalty_card:0000000001234',
    ]) {
      expect((await lookup(identity)).body.customerId, identity).toBe(profile.body.customerId);
    }
    const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
    expect(timeline.body.items.map((i: any) => i.connector).sort()).toEqual([
      'binotel',
      'marquiz',
      'poster',
      'viber',
      'whatsapp',
    ]);
  });

  it('a callback request, a quiz leaving her Telegram, a Telegram chat, a call and an offline purchase: one journey, lifetime value, Telegram preferred', async () => {
    // Act
    const site = fixtureJson('site', 'callback-requested.json');
    site.visitor = { id: 'v_journey2', phone: '067 555 44 33', name: 'Iryna' };
    site.occurredAt = '2026-11-10T09:00:00.000Z';
    const quiz = fixtureJson('marquiz', 'lead.json');
    quiz.contacts = { name: 'Iryna', phone: '+380675554433', telegram: '@iryna_sofa' };
    quiz.created = '2026-11-10T09:30:00.000Z';
    quiz.quiz = { id: 'sofa-quiz', name: 'Choose a sofa' };
    const telegram = fixtureJson('telegram', 'message-text.json');
    telegram.update_id = 88001;
    telegram.message.from = {
      id: 7000001,
      is_bot: false,
      first_name: 'Iryna',
      username: 'Iryna_Sofa',
      language_code: 'uk',
    };
    telegram.message.chat = { id: 7000001, type: 'private', first_name: 'Iryna' };
    telegram.message.date = Date.parse('2026-11-10T10:00:00Z') / 1000;
    telegram.message.text = 'Is the grey Oslo sofa in stock?';
    const telegram2 = {
      ...telegram,
      update_id: 88002,
      message: {
        ...telegram.message,
        message_id: 2,
        date: Date.parse('2026-11-11T10:00:00Z') / 1000,
        text: 'Thanks, I will come to the shop',
      },
    };

    const steps: [string, string, string?][] = [
      ['site', JSON.stringify(site)],
      ['marquiz', JSON.stringify(quiz)],
      ['telegram', JSON.stringify(telegram)],
      ['telegram', JSON.stringify(telegram2)],
      [
        'binotel',
        binotelCall('0675554433', '9900002', Date.parse('2026-11-12T12:00:00Z') / 1000),
        'application/x-www-form-urlencoded',
      ],
    ];
    for (const [connector, body, contentType] of steps) {
      const res = await postWebhook(hub, connector, body, contentType ? { contentType } : {});
      expect(res.status, `${connector}: ${res.text}`).toBeLessThan(300);
      await hub.idle();
    }
    // The till: a second Poster account client with her phone.
    await poster.close();
    poster = await startFakePoster({ id: '502', phone: '+380 67 555-44-33', card: '0000000005678', name: 'Iryna' });
    await hub.stop();
    hub = await startTestHub({
      retryBaseMs: 20,
      tableName: hub.tableName,
      extraEnv: { OMNIHUB_API_BASE_URL_POSTER: `${poster.url}/api`, OMNIHUB_API_TOKEN_POSTER: POSTER_TOKEN },
    });
    expect((await postWebhook(hub, 'poster', posterReceipt(770002))).status).toBe(200);
    await hub.idle();

    // Assess: every manager finds the same profile by any identifier.
    const ids = new Set<string>();
    for (const identity of [
      'phone:067 555 44 33',
      'site:v_journey2',
      'telegram_username:iryna_sofa',
      'telegram:7000001',
      'loyalty_card:0000000005678',
    ]) {
      const res = await lookup(identity);
      expect(res.status, identity).toBe(200);
      ids.add(res.body.customerId);
    }
    expect(ids.size).toBe(1);
    const profile = (await lookup('telegram:7000001')).body;
    const timeline = await api(hub, `/v1/customers/${profile.customerId}/timeline`);
    expect(timeline.body.items.map((i: any) => i.type).reverse()).toEqual([
      'callback.requested',
      'lead.submitted',
      'message.received',
      'message.received',
      'call.completed',
      'purchase.completed',
    ]);
    expect(profile.computed.preferredChannel).toBe('telegram');
    expect(profile.orders.count).toBe(1);
    // One purchase of 1 250.00 UAH: frequency 1/year × 3-year lifespan.
    expect(profile.computed.lifetimeValue).toEqual({ amountMinor: 375_000, currency: 'UAH' });
    const conversation = await api(hub, `/v1/customers/${profile.customerId}/conversation`);
    expect(conversation.body.messages.map((m: any) => m.text)).toEqual([
      'Is the grey Oslo sofa in stock?',
      'Thanks, I will come to the shop',
    ]);
  });
});
