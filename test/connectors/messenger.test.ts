/**
 * Messenger edge cases the fixtures can't express: the GET handshake, a
 * signature known answer from Meta's sample tests, echoes (the customer is
 * the recipient), receipts with and without mids, standby threads, the
 * other platform's object, and lead ads: exact big-int lead ids, the
 * hydration request, `hydrate` against a fake Graph API, and the whole path
 * through the local hub including a Graph API that fails twice.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GRAPH_API_BASE_URL } from '../../functions/connectors/messenger/leadgen.js';
import { messengerConnector } from '../../functions/connectors/messenger/index.js';
import type { HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub, TEST_VERIFY_TOKEN } from '../helpers/hub.js';

// Prepare (shared)
const APP_SECRET = 'meta-app-secret';
const SECRETS = { secret: APP_SECRET, verifyToken: 'meatyhamhock' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/messenger`;
const PAGE = '106540352242922';
const PSID = '6783945873451234';

const post = (body: string | Buffer) =>
  signedRequest(
    messengerConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(body) },
    SECRETS,
  );

const normalizeRaw = (body: string) => messengerConnector.normalize(messengerConnector.parse(post(body)), CTX);
const normalize = (payload: unknown) => normalizeRaw(JSON.stringify(payload));

const page = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  object: 'page',
  entry: [{ id: PAGE, time: 1714564800500, messaging: items, ...extra }],
});
const fromCustomer = (fields: Record<string, unknown>) => ({
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1714564800000,
  ...fields,
});

const onlyEvent = (payload: unknown) => {
  const { events, ignored } = normalize(payload);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return HubEventSchema.parse(events[0]);
};

describe('Connector: messenger', () => {
  describe('GET handshake', () => {
    const verification = (query: string) => rawRequest({ method: 'GET', url: `${WEBHOOK_URL}?${query}` });

    it('echoes hub.challenge as text/plain 200 when the verify token matches', () => {
      // Act
      const response = messengerConnector.handshake?.(
        verification('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock'),
        SECRETS,
      );

      // Assess
      expect(response).toMatchObject({ statusCode: 200, body: '1158201444' });
      expect(response?.headers?.['content-type']).toMatch(/^text\/plain/);
    });

    it.each([
      ['the token differs', 'hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope', SECRETS, 403],
      [
        'no verify token is configured',
        'hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock',
        { secret: APP_SECRET },
        403,
      ],
      ['hub.challenge is missing', 'hub.mode=subscribe&hub.verify_token=meatyhamhock', SECRETS, 400],
    ])('refuses when %s', (_, query, secrets, status) => {
      // Act
      const response = messengerConnector.handshake?.(verification(query), secrets);

      // Assess
      expect(response?.statusCode).toBe(status);
      expect(response?.body).not.toBe('1');
    });
  });

  describe('signature', () => {
    // fbsamples/messenger-platform-samples tests/test_webhook_security.py: APP_SECRET and json.dumps body.
    const SAMPLE_SECRET = 'test_app_secret_key';
    /** `openssl dgst -sha256 -hmac test_app_secret_key feed-change-sdk-test.json`. */
    const KNOWN_ANSWER = 'sha256=be7908fe36aaf42396fb1374a488aa656b1e81ff5679ebf5985ee1b77eaea579';
    const body = () => fixture('messenger', 'feed-change-sdk-test.json');
    const withSignature = (signature: string | undefined) =>
      rawRequest({ url: WEBHOOK_URL, headers: signature ? { 'X-Hub-Signature-256': signature } : {}, body: body() });

    it("accepts Meta's sample-test signature, recomputed independently", () => {
      // Prepare
      const independent = `sha256=${createHmac('sha256', SAMPLE_SECRET).update(body()).digest('hex')}`;

      // Act
      const result = messengerConnector.verify(
        withSignature(KNOWN_ANSWER),
        { secret: SAMPLE_SECRET },
        { now: TEST_NOW },
      );

      // Assess
      expect(independent).toBe(KNOWN_ANSWER);
      expect(result).toEqual({ ok: true });
    });

    it.each([
      ['"sha256=invalid_signature_here" (the sample test\'s forged header)', 'sha256=invalid_signature_here'],
      ['the prefix is missing', KNOWN_ANSWER.slice('sha256='.length)],
      ['the header is missing', undefined],
    ])('rejects %s', (_, signature) => {
      // Act & Assess
      expect(messengerConnector.verify(withSignature(signature), { secret: SAMPLE_SECRET }, { now: TEST_NOW }).ok).toBe(
        false,
      );
    });
  });

  describe('messaging', () => {
    it('attributes an echo to its recipient (the customer) as message.sent, never to the Page', () => {
      // Act
      const event = onlyEvent(
        page([
          {
            sender: { id: PAGE },
            recipient: { id: PSID },
            timestamp: 1714564800000,
            message: { mid: 'm_OUT', is_echo: true, app_id: 1517776481860111, text: 'Your order shipped' },
          },
        ]),
      );

      // Assess
      expect(event).toMatchObject({ type: 'message.sent', data: { direction: 'outbound', messageId: 'm_OUT' } });
      expect(event.customer.identities.map(identityKey)).toEqual([`messenger:${PSID}`]);
    });

    it('never turns a PSID into a phone, even when it is all digits', () => {
      // Act
      const event = onlyEvent(page([fromCustomer({ message: { mid: 'm_1', text: 'hi' } })]));

      // Assess
      expect(event.customer.identities).toEqual([{ type: 'messenger', value: PSID, source: 'messenger' }]);
    });

    it('keeps reply_to and maps stickers, locations, links and several attachments', () => {
      // Act
      const reply = onlyEvent(
        page([fromCustomer({ message: { mid: 'm_1', text: 'this one', reply_to: { mid: 'm_0' } } })]),
      );
      const sticker = onlyEvent(
        page([
          fromCustomer({
            message: {
              mid: 'm_2',
              attachments: [{ type: 'image', payload: { url: 'https://s', sticker_id: 369239263222822 } }],
            },
          }),
        ]),
      );
      const location = onlyEvent(
        page([
          fromCustomer({
            message: {
              mid: 'm_3',
              attachments: [
                { type: 'location', title: 'Pinned', payload: { coordinates: { lat: 50.45, long: 30.52 } } },
              ],
            },
          }),
        ]),
      );
      const link = onlyEvent(
        page([
          fromCustomer({
            message: {
              mid: 'm_4',
              attachments: [{ type: 'fallback', title: 'Our shop', url: 'https://shop.example', payload: null }],
            },
          }),
        ]),
      );
      const album = onlyEvent(
        page([
          fromCustomer({
            message: {
              mid: 'm_5',
              attachments: [
                { type: 'image', payload: { url: 'https://a' } },
                { type: 'image', payload: { url: 'https://b' } },
              ],
            },
          }),
        ]),
      );

      // Assess
      expect(reply.data).toMatchObject({ contentType: 'text', replyTo: 'm_0' });
      expect(sticker.data).toMatchObject({ contentType: 'sticker', media: { id: '369239263222822' } });
      expect(location).toMatchObject({ summary: 'Location: Pinned', data: { contentType: 'location' } });
      expect(link).toMatchObject({
        summary: 'Link: Our shop',
        data: { contentType: 'other', media: { url: 'https://shop.example' } },
      });
      expect(album).toMatchObject({
        summary: 'Image (2)',
        data: { contentType: 'image', media: { url: 'https://a' } },
      });
    });

    it('maps an edited message with its own id per edit', () => {
      // Act
      const event = onlyEvent(
        page([fromCustomer({ message_edit: { mid: 'm_1', text: 'fixed typo', num_edit: 2 } })]),
      ) as HubEventOf<'message.received'>;

      // Assess
      expect(event).toMatchObject({
        providerEventId: 'm_1:edit:2',
        summary: '(edited) fixed typo',
        data: { edited: true, messageId: 'm_1' },
      });
    });

    it('reads a postback without mid and with a unix-seconds string timestamp', () => {
      // Act
      const event = onlyEvent(
        page([
          {
            sender: { id: PSID },
            recipient: { id: PAGE },
            timestamp: '1527459824',
            postback: { title: 'Get Started', payload: 'GET_STARTED' },
          },
        ]),
      );

      // Assess
      expect(event).toMatchObject({
        providerEventId: `postback:${PSID}:1527459824`,
        occurredAt: '2018-05-27T22:23:44.000Z',
        summary: 'Button: Get Started',
      });
    });

    it('emits one delivered event per mid, and one per watermark without mids', () => {
      // Act
      const perMid = normalize(page([fromCustomer({ delivery: { mids: ['m_A', 'm_B'], watermark: 1714564799000 } })]));
      const watermarkOnly = normalize(page([fromCustomer({ delivery: { watermark: 1714564799000 } })]));

      // Assess
      expect(perMid.events.map((e) => e.providerEventId)).toEqual(['m_A:delivered', 'm_B:delivered']);
      expect(watermarkOnly.events.map((e) => [e.providerEventId, e.data])).toEqual([
        [
          `${PSID}:delivered:1714564799000`,
          { messageId: 'watermark:1714564799000', direction: 'outbound', contentType: 'other' },
        ],
      ]);
    });

    it('treats standby events (thread owned by another app) like messaging events', () => {
      // Act
      const { events } = normalize({
        object: 'page',
        entry: [
          { id: PAGE, time: 1, standby: [fromCustomer({ message: { mid: 'm_SB', text: 'to the human agent' } })] },
        ],
      });

      // Assess
      expect(events.map((e) => [e.type, e.providerEventId])).toEqual([['message.received', 'm_SB']]);
    });

    it.each([
      [
        'a reaction',
        fromCustomer({ reaction: { reaction: 'love', emoji: '❤️', action: 'react', mid: 'm_1' } }),
        /reaction/,
      ],
      ['an opt-in', fromCustomer({ optin: { ref: 'x' } }), /unsupported messaging event: optin/],
      [
        'a referral',
        fromCustomer({ referral: { ref: 'ad', source: 'ADS', type: 'OPEN_THREAD' } }),
        /unsupported messaging event: referral/,
      ],
      [
        'a chat-plugin guest (user_ref only)',
        { sender: { user_ref: 'abc' }, recipient: { id: PAGE }, timestamp: 1, message: { mid: 'm_G', text: 'hi' } },
        /user_ref/,
      ],
      [
        'a message with neither text nor attachments',
        fromCustomer({ message: { mid: 'm_E' } }),
        /no text or attachments/,
      ],
    ])('acknowledges and lists %s', (_, item, reason) => {
      // Act
      const { events, ignored } = normalize(page([item]));

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toHaveLength(1);
      expect(ignored[0]).toMatch(reason);
    });

    it('acknowledges an Instagram delivery sent to the Messenger URL without reading it', () => {
      // Act
      const result = normalizeRaw(fixture('instagram', 'message-text.json').toString('utf8'));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([
        expect.stringMatching(/object "instagram" is not handled by the messenger connector/),
      ]);
    });

    it('answers 400 naming the field for a message without mid', () => {
      // Act & Assess
      expect(() =>
        messengerConnector.parse(post(JSON.stringify(page([fromCustomer({ message: { text: 'hi' } })])))),
      ).toThrow(/entry\.0\.messaging\.0\.message\.mid/);
    });
  });

  describe('lead ads: webhook', () => {
    it('asks for a hydration with the exact lead id (above 2^53, sent as a bare number)', () => {
      // Act
      const result = normalizeRaw(fixture('messenger', 'leadgen.json').toString('utf8'));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.hydrations).toEqual([
        {
          connector: 'messenger',
          kind: 'leadgen',
          params: { leadgenId: '55459717045641545', formId: '551111744595541', pageId: '516540199134611' },
          providerEventId: 'leadgen:55459717045641545',
          occurredAt: '2015-11-12T15:27:06.000Z',
          receivedAt: CTX.receivedAt,
        },
      ]);
      expect(String(JSON.parse('55459717045641545'))).not.toBe('55459717045641545');
    });

    it("accepts the App Dashboard's string ids and keeps a real ad id", () => {
      // Act
      const { hydrations } = normalize({
        object: 'page',
        entry: [
          {
            id: '0',
            time: 1578394154,
            changes: [
              {
                field: 'leadgen',
                value: {
                  ad_id: '444444444',
                  form_id: '444444444444',
                  leadgen_id: '444444444444',
                  created_time: 1578394154,
                  page_id: '444444444444',
                  adgroup_id: '44444444444',
                },
              },
            ],
          },
        ],
      });

      // Assess
      expect(hydrations?.[0]?.params).toEqual({
        leadgenId: '444444444444',
        formId: '444444444444',
        pageId: '444444444444',
        adId: '444444444',
      });
    });

    it('answers 400 naming the field for a leadgen change without leadgen_id', () => {
      // Act & Assess
      expect(() =>
        messengerConnector.parse(
          post('{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"form_id":1}}]}]}'),
        ),
      ).toThrow(/entry\.0\.changes\.0\.value\.leadgen_id/);
      expect(() =>
        messengerConnector.parse(
          post('{"object":"page","entry":[{"changes":[{"field":"leadgen","value":{"form_id":1}}]}]}'),
        ),
      ).toThrow(ValidationError);
    });
  });

  describe('lead ads: hydrate against a fake Graph API', () => {
    interface Call {
      readonly path: string;
      readonly query: URLSearchParams;
    }
    const LEAD = {
      created_time: '2015-11-12T15:27:06+0000',
      id: '55459717045641545',
      field_data: [
        { name: 'full_name', values: ['James Oak'] },
        { name: 'email', values: ['James.Oak@Example.org'] },
        { name: 'phone_number', values: ['+380 50 123 45 67'] },
        { name: 'which_course?', values: ['evening', 'weekend'] },
      ],
    };
    let server: Server | undefined;
    let calls: Call[] = [];
    /** Serves `GET /v21.0/{id}`; `failures` first requests answer 500 like a Graph hiccup. */
    const startGraph = async (failures = 0, lead: unknown = LEAD): Promise<string> => {
      calls = [];
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://graph.test');
        calls.push({ path: url.pathname, query: url.searchParams });
        res.setHeader('content-type', 'application/json');
        if (calls.length <= failures) {
          res.statusCode = 500;
          res.end(
            JSON.stringify({ error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 } }),
          );
          return;
        }
        res.end(JSON.stringify(lead));
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v21.0`;
    };
    afterEach(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    });

    const request: HydrationRequest = {
      connector: 'messenger',
      kind: 'leadgen',
      params: { leadgenId: '55459717045641545', formId: '551111744595541', pageId: '516540199134611' },
      providerEventId: 'leadgen:55459717045641545',
      occurredAt: '2015-11-12T15:27:06.000Z',
      receivedAt: CTX.receivedAt,
    };
    const hydrate = (secrets: Record<string, string | undefined>, fetchImpl: typeof fetch = fetch) =>
      messengerConnector.hydrate?.(request, { secrets, defaultCountry: 'UA', fetch: fetchImpl }) ??
      Promise.reject(new Error('no hydrate'));

    it('fetches GET /{leadgen_id} with the token and appsecret_proof and returns lead.submitted on channel web', async () => {
      // Prepare
      const base = await startGraph();

      // Act
      const events = await hydrate({ secret: APP_SECRET, apiToken: 'page-token', apiBaseUrl: base });

      // Assess
      expect(calls).toHaveLength(1);
      expect(calls[0]?.path).toBe('/v21.0/55459717045641545');
      expect(calls[0]?.query.get('access_token')).toBe('page-token');
      expect(calls[0]?.query.get('appsecret_proof')).toBe(
        createHmac('sha256', APP_SECRET).update('page-token').digest('hex'),
      );
      expect(events).toHaveLength(1);
      const event = HubEventSchema.parse(events[0]) as HubEventOf<'lead.submitted'>;
      expect(event).toMatchObject({
        type: 'lead.submitted',
        channel: 'web',
        connector: 'messenger',
        providerEventId: 'leadgen:55459717045641545',
        occurredAt: '2015-11-12T15:27:06.000Z',
        customer: { traits: { name: 'James Oak' } },
        data: { formId: '551111744595541' },
      });
      expect(event.customer.identities.map(identityKey)).toEqual([
        'email:james.oak@example.org',
        'phone:+380501234567',
      ]);
      expect(event.data.answers).toContainEqual({ question: 'which_course?', answer: 'evening, weekend' });
    });

    it('calls the real Graph API root by default', async () => {
      // Prepare
      let called = '';
      const fakeFetch = (async (url: string | URL | Request) => {
        called = String(url);
        return new Response(JSON.stringify(LEAD), { status: 200, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch;

      // Act
      await hydrate({ apiToken: 'page-token' }, fakeFetch);

      // Assess
      expect(DEFAULT_GRAPH_API_BASE_URL).toBe('https://graph.facebook.com/v21.0');
      expect(called).toBe('https://graph.facebook.com/v21.0/55459717045641545?access_token=page-token');
    });

    it('throws without calling anything when no token is configured (retried, then dead-lettered)', async () => {
      // Prepare
      const base = await startGraph();

      // Act & Assess
      await expect(hydrate({ secret: APP_SECRET, apiBaseUrl: base })).rejects.toThrow(/apiToken/);
      expect(calls).toHaveLength(0);
    });

    it('throws with the Graph error message but never the token', async () => {
      // Prepare
      const base = await startGraph(1);

      // Act
      const error = await hydrate({ apiToken: 'very-secret-token', apiBaseUrl: base }).catch((err: Error) => err);

      // Assess
      expect(String(error)).toMatch(/500.*An unknown error has occurred/);
      expect(String(error)).not.toContain('very-secret-token');
    });

    it('returns no event for a lead without a usable email or phone', async () => {
      // Prepare
      const base = await startGraph(0, {
        id: '1',
        created_time: '2024-05-01T10:00:00+0000',
        field_data: [{ name: 'full_name', values: ['Anon'] }],
      });

      // Act & Assess
      await expect(hydrate({ apiToken: 't', apiBaseUrl: base })).resolves.toEqual([]);
    });

    describe('through the local hub', () => {
      it('acknowledges the webhook at once and later puts the fetched email and phone in the profile', async () => {
        // Prepare
        const base = await startGraph();
        const hub = await startTestHub({
          extraEnv: { OMNIHUB_API_BASE_URL_MESSENGER: base, OMNIHUB_API_TOKEN_MESSENGER: 'x' },
        });

        try {
          // Act
          const res = await postWebhook(hub, 'messenger', fixture('messenger', 'leadgen.json'));
          await hub.idle();
          const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:james.oak@example.org')}`);

          // Assess
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ status: 'accepted', eventIds: [], pendingFetches: 1 });
          expect(calls.map((c) => c.path)).toEqual(['/v21.0/55459717045641545']);
          expect(profile.status).toBe(200);
          expect(Object.keys(profile.body.channels)).toEqual(['web']);
          expect(profile.body.identities).toEqual(
            expect.arrayContaining([expect.objectContaining({ type: 'phone', value: '+380501234567' })]),
          );
        } finally {
          await hub.stop();
        }
      });

      it('still ends in the profile when the Graph API fails twice first (the queue retries)', async () => {
        // Prepare
        const base = await startGraph(2);
        const hub = await startTestHub({
          retryBaseMs: 20,
          extraEnv: { OMNIHUB_API_BASE_URL_MESSENGER: base, OMNIHUB_API_TOKEN_MESSENGER: 'x' },
        });

        try {
          // Act
          const res = await postWebhook(hub, 'messenger', fixture('messenger', 'leadgen.json'));
          await hub.idle();
          const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:+380501234567')}`);

          // Assess
          expect(res.status).toBe(200);
          expect(calls).toHaveLength(3);
          expect(profile.status).toBe(200);
          expect(profile.body.traits).toMatchObject({ name: 'James Oak' });
        } finally {
          await hub.stop();
        }
      });
    });
  });
});

describe('Connector: messenger (hub lifecycle)', () => {
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('answers the GET subscription check through the HTTP edge', async () => {
    // Act
    const res = await fetch(
      `${hub.url}/webhooks/messenger?hub.mode=subscribe&hub.challenge=8731&hub.verify_token=${TEST_VERIFY_TOKEN}`,
    );

    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('8731');
  });
});
