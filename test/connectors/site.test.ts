/**
 * Website connector edge cases: Standard Webhooks authentication (the
 * library's published known-answer vector recomputed with node:crypto,
 * timestamps, secrets in `whsec_` and raw form, rotation with several
 * signatures), interoperability with the official `standardwebhooks`
 * library in both directions and over HTTP, and the v1 payload of every type.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { siteConnector } from '../../functions/connectors/site/index.js';
import { SITE_CHANNELS } from '../../functions/connectors/site/normalize.js';
import { renderSiteJsonSchema, SiteEventSchema } from '../../functions/connectors/site/schema.js';
import {
  generateSecret,
  signStandardWebhook,
  standardWebhook,
  verifyStandardWebhook,
} from '../../functions/connectors/site/signature.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { EVENT_DATA_SCHEMAS, parseHubEvent, type HubEvent } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { loadFixtures, rawRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, startTestHub, TEST_SECRET } from '../helpers/hub.js';

// Prepare (shared)
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRETS = { secret: SECRET };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/site`;
const NOW_S = Math.floor(TEST_NOW.getTime() / 1000);

/** The known-answer vector of the library's own tests (libraries/javascript/src/webhook.test.ts, "sign function works"). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const event = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  type: 'lead.submitted',
  occurredAt: '2024-05-01T11:58:20.000Z',
  visitor: { id: 'v_1', phone: '050 123 45 67' },
  data: { formName: 'Quote', answers: [] },
  ...overrides,
});

/** A request as the hub sees it, with the three headers as given. */
const request = (body: Buffer | string, headers: Record<string, string>) =>
  rawRequest({ url: WEBHOOK_URL, body, headers });

/** Signed by the library itself, the way a website backend would do it. */
const librarySigned = (body: string, { id = 'msg_1', at = TEST_NOW, secret = SECRET } = {}) => ({
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign(id, at, body),
});

const verify = (
  body: string,
  headers: Record<string, string>,
  secrets: Record<string, string> = SECRETS,
  now = TEST_NOW,
) => siteConnector.verify(request(body, headers), secrets, { now });

const delivery = (payload: unknown, id = 'msg_1') => {
  const body = JSON.stringify(payload);
  return request(body, librarySigned(body, { id }));
};

const normalize = (payload: unknown, id?: string) =>
  siteConnector.normalize(siteConnector.parse(delivery(payload, id)), CTX);

const only = (payload: unknown, id?: string): HubEvent => {
  const { events, ignored } = normalize(payload, id);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return parseHubEvent(events[0]);
};

describe('Connector: site', () => {
  describe('verify: the Standard Webhooks scheme', () => {
    it("matches the library's published known-answer vector, recomputed with node:crypto", () => {
      // Prepare
      const key = Buffer.from(VECTOR.secret.slice('whsec_'.length), 'base64');
      const independent = createHmac('sha256', key)
        .update(`${VECTOR.id}.${VECTOR.timestamp}.${VECTOR.payload}`)
        .digest('base64');
      const headers = {
        'webhook-id': VECTOR.id,
        'webhook-timestamp': String(VECTOR.timestamp),
        'webhook-signature': VECTOR.signature,
      };

      // Act
      const result = verify(VECTOR.payload, headers, { secret: VECTOR.secret }, new Date(VECTOR.timestamp * 1000));
      const signed = signStandardWebhook(
        Buffer.from(VECTOR.payload),
        VECTOR.secret,
        VECTOR.id,
        new Date(VECTOR.timestamp * 1000),
      );

      // Assess
      expect(`v1,${independent}`).toBe(VECTOR.signature);
      expect(result).toEqual({ ok: true });
      expect(signed).toEqual(headers);
    });

    it.each([
      ['more than 5 minutes old', NOW_S - 301],
      ['more than 5 minutes in the future', NOW_S + 301],
    ])('refuses a timestamp %s as stale', (_, seconds) => {
      // Prepare
      const body = JSON.stringify(event());
      const headers = librarySigned(body, { at: new Date(seconds * 1000) });

      // Act
      const result = verify(body, headers);

      // Assess
      expect(result).toMatchObject({ ok: false, stale: true });
    });

    it('accepts a timestamp exactly 5 minutes away', () => {
      // Prepare
      const body = JSON.stringify(event());

      // Act & Assess
      expect(verify(body, librarySigned(body, { at: new Date((NOW_S - 300) * 1000) }))).toEqual({ ok: true });
      expect(verify(body, librarySigned(body, { at: new Date((NOW_S + 300) * 1000) }))).toEqual({ ok: true });
    });

    it.each([
      ['milliseconds', String(TEST_NOW.getTime())],
      ['an ISO date', TEST_NOW.toISOString()],
      ['a fraction', `${NOW_S}.5`],
      ['text', 'hello'],
      ['a negative number', `-${NOW_S}`],
    ])('refuses a timestamp given as %s as stale, before comparing signatures', (_, timestamp) => {
      // Prepare
      const body = JSON.stringify(event());
      const headers = { ...librarySigned(body), 'webhook-timestamp': timestamp };

      // Act
      const result = verify(body, headers);

      // Assess
      expect(result).toEqual({ ok: false, stale: true, reason: 'webhook-timestamp is not integer unix seconds' });
    });

    it('rejects a signature made with another secret, not as stale', () => {
      // Prepare
      const body = JSON.stringify(event());
      const headers = librarySigned(body, { secret: generateSecret() });

      // Act
      const result = verify(body, headers);

      // Assess
      expect(result).toEqual({ ok: false, reason: 'No v1 signature in webhook-signature matches the body' });
    });

    it('rejects a valid signature moved to another webhook-id or timestamp (both are signed)', () => {
      // Prepare
      const body = JSON.stringify(event());
      const headers = librarySigned(body);

      // Act
      const otherId = verify(body, { ...headers, 'webhook-id': 'msg_2' });
      const otherTime = verify(body, { ...headers, 'webhook-timestamp': String(NOW_S - 1) });

      // Assess
      expect(otherId.ok).toBe(false);
      expect(otherTime).toEqual({ ok: false, reason: 'No v1 signature in webhook-signature matches the body' });
    });

    it.each([
      ['webhook-id', { 'webhook-id': '' }],
      ['webhook-timestamp', { 'webhook-timestamp': '' }],
      ['webhook-signature', { 'webhook-signature': '' }],
    ])('fails without %s, not as stale', (_, blank) => {
      // Prepare
      const body = JSON.stringify(event());

      // Act
      const result = verify(body, { ...librarySigned(body), ...blank });

      // Assess
      expect(result).toEqual({
        ok: false,
        reason: 'Missing webhook-id, webhook-timestamp or webhook-signature header',
      });
    });

    it('refuses a webhook-id containing "." (it would make the signed content ambiguous)', () => {
      // Prepare
      const body = JSON.stringify(event());

      // Act
      const result = verify(body, librarySigned(body, { id: 'order.1042' }));

      // Assess
      expect(result).toEqual({ ok: false, reason: 'webhook-id must be 1–256 characters without "." or whitespace' });
    });
  });

  describe('verify: secrets', () => {
    it('accepts a base64 secret with or without the whsec_ prefix, as the library does', () => {
      // Prepare
      const body = JSON.stringify(event());
      const headers = librarySigned(body);

      // Act & Assess
      expect(verify(body, headers, { secret: SECRET })).toEqual({ ok: true });
      expect(verify(body, headers, { secret: SECRET.slice('whsec_'.length) })).toEqual({ ok: true });
    });

    it('uses a secret that is not base64 as raw bytes, like the library with { format: "raw" }', () => {
      // Prepare
      const raw = 'shop-team-shared-secret-2024';
      const body = JSON.stringify(event());
      const at = TEST_NOW;
      const headers = {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(NOW_S),
        'webhook-signature': new Webhook(raw, { format: 'raw' }).sign('msg_1', at, body),
      };

      // Act & Assess
      expect(() => new Webhook(raw)).toThrow();
      expect(verify(body, headers, { secret: raw })).toEqual({ ok: true });
    });

    it.each([
      ['not base64', 'whsec_not*base64', /not usable/],
      ['too short (3 bytes)', 'whsec_YWJj', /24–64 random bytes, this one holds 3/],
      ['empty after the prefix', 'whsec_', /not usable/],
      // Item 13: a raw key used to be accepted at any length, even one byte.
      ['a 1-byte raw key', 'k', /at least 24 bytes, this one holds 1/],
      ['a 23-byte raw key', 'x'.repeat(23), /at least 24 bytes, this one holds 23/],
      ['bare base64 of 18 bytes', Buffer.alloc(18, 7).toString('base64'), /at least 24 bytes, this one holds 18/],
    ])('fails closed when the secret is %s', (_, secret, reason) => {
      // Prepare
      const body = JSON.stringify(event());

      // Act
      const result = verify(body, librarySigned(body), { secret });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toMatch(reason);
        expect(result.stale).toBeUndefined();
      }
    });

    it('generates whsec_ secrets of 32 random bytes that the library accepts', () => {
      // Act
      const secret = generateSecret();

      // Assess
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
      expect(() => new Webhook(secret)).not.toThrow();
      expect(() => standardWebhook(secret)).not.toThrow();
    });
  });

  describe('verify: rotation', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const body = JSON.stringify(event());
    const signedWith = (secret: string) => new Webhook(secret).sign('msg_1', TEST_NOW, body);
    const withSignatures = (...signatures: string[]) => ({
      ...librarySigned(body),
      'webhook-signature': signatures.join(' '),
    });

    it('accepts a header listing the old and the new key signature, whichever the hub holds', () => {
      // Prepare
      const headers = withSignatures(signedWith(oldSecret), signedWith(newSecret));

      // Act & Assess
      expect(verify(body, headers, { secret: oldSecret })).toEqual({ ok: true });
      expect(verify(body, headers, { secret: newSecret })).toEqual({ ok: true });
    });

    it('skips other schemes (v1a, v2) and malformed entries before the matching one', () => {
      // Prepare
      const genuine = signedWith(newSecret);
      const value = genuine.slice(3);
      const headers = withSignatures(`v1a,${value}`, `v2,${value}`, 'garbage', `v1,${'A'.repeat(43)}=`, genuine);

      // Act & Assess
      expect(verify(body, headers, { secret: newSecret })).toEqual({ ok: true });
    });

    it('rejects a list where no v1 entry matches, even if another scheme carries the right value', () => {
      // Prepare
      const value = signedWith(newSecret).slice(3);
      const headers = withSignatures(signedWith(oldSecret), `v1a,${value}`, `V1,${value}`);

      // Act & Assess
      expect(verify(body, headers, { secret: newSecret }).ok).toBe(false);
    });
  });

  describe('interoperability with the standardwebhooks library', () => {
    it("produces headers the library's own Webhook.verify accepts", () => {
      // Prepare
      const body = Buffer.from(JSON.stringify(event()));
      const signed = siteConnector.signSample(
        { url: WEBHOOK_URL, method: 'POST', body, contentType: 'application/json', now: new Date() },
        SECRETS,
      );

      // Act
      const verified = new Webhook(SECRET).verify(body, signed.headers);

      // Assess
      expect(verified).toEqual(event());
      expect(Object.keys(signed.headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    });

    describe('over HTTP, posted with the library and fetch', () => {
      let hub: LocalHub;
      beforeAll(async () => {
        hub = await startTestHub({ extraEnv: { OMNIHUB_SECRET_SITE: SECRET } });
      });
      afterAll(async () => {
        await hub?.stop();
      });

      /** What a website backend does: JSON.stringify, sign with the library, POST. */
      const postFromWebsite = async (
        payload: unknown,
        secret = SECRET,
        id = `msg_${randomBytes(12).toString('hex')}`,
      ) => {
        const body = JSON.stringify(payload);
        const now = new Date();
        const res = await fetch(`${hub.url}/webhooks/site`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': new Webhook(secret).sign(id, now, body),
          },
          body,
        });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };

      it('accepts a lead signed by the library and builds the profile', async () => {
        // Prepare
        const payload = event({
          occurredAt: new Date().toISOString(),
          visitor: { id: 'v_http_1', email: 'Http.Lead@Example.com', name: 'Olena' },
        });

        // Act
        const res = await postFromWebsite(payload);
        await hub.idle();
        const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('site:v_http_1')}`);

        // Assess
        expect(res.status).toBe(200);
        expect(res.body.eventIds).toHaveLength(1);
        expect(profile.status).toBe(200);
        expect(Object.keys(profile.body.channels)).toContain('web');
        expect(JSON.stringify(profile.body)).toContain('http.lead@example.com');
      });

      it('collapses a retry under the same webhook-id into the same event', async () => {
        // Prepare
        const payload = event({ visitor: { id: 'v_http_2' } });

        // Act
        const first = await postFromWebsite(payload, SECRET, 'msg_retry_1');
        const retry = await postFromWebsite(payload, SECRET, 'msg_retry_1');

        // Assess
        expect(retry.body.eventIds).toEqual(first.body.eventIds);
      });

      it('answers 401 to a delivery signed with another secret', async () => {
        // Act
        const res = await postFromWebsite(event(), generateSecret());

        // Assess
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('invalid_signature');
      });
    });
  });

  describe('payload v1, every type', () => {
    for (const fixture of loadFixtures('site')) {
      const payload = JSON.parse(fixture.body.toString('utf8')) as { type: keyof typeof SITE_CHANNELS; data: unknown };

      it(`${payload.type}: passes data through unchanged in the hub's schema, on channel ${SITE_CHANNELS[payload.type]}`, () => {
        // Act
        const hubEvent = only(payload, 'msg_fixture');

        // Assess
        expect(hubEvent.type).toBe(payload.type);
        expect(hubEvent.channel).toBe(SITE_CHANNELS[payload.type]);
        expect(hubEvent.data).toEqual(EVENT_DATA_SCHEMAS[payload.type].parse(SiteEventSchema.parse(payload).data));
        expect(hubEvent.providerEventId).toBe('msg_fixture');
      });
    }

    it('covers every type the format defines with a fixture', () => {
      // Prepare
      const types = loadFixtures('site').map((f) => (JSON.parse(f.body.toString('utf8')) as { type: string }).type);

      // Act & Assess
      expect(types.sort()).toEqual(Object.keys(SITE_CHANNELS).sort());
    });

    it('defaults a chat message to inbound text and a callback to no answers', () => {
      // Act
      const message = only(event({ type: 'message.received', data: { messageId: 'm1', text: 'Hello' } }));
      const callback = only(event({ type: 'callback.requested', data: {} }));

      // Assess
      expect(message.data).toEqual({ messageId: 'm1', text: 'Hello', direction: 'inbound', contentType: 'text' });
      expect(message.summary).toBe('Hello');
      expect(callback.data).toEqual({ answers: [] });
      expect(callback.summary).toBe('Callback requested');
    });

    it('summarizes a non-text chat message by its kind', () => {
      // Act
      const image = only(
        event({
          type: 'message.received',
          data: { messageId: 'm2', contentType: 'image', media: { url: 'https://example.com/p.jpg' } },
        }),
      );

      // Assess
      expect(image.summary).toBe('Chat image');
    });

    it('maps every visitor identifier: phone, email, Telegram id and @username, site id; name and language as traits', () => {
      // Prepare
      const visitor = {
        id: 'v_9',
        phone: '+380501234567',
        email: 'A@B.com',
        telegramId: 123456789,
        telegram: 't.me/Olena_K',
        name: 'Olena',
        language: 'uk',
      };

      // Act
      const hubEvent = only(event({ visitor }));

      // Assess
      expect(hubEvent.customer.identities.map(identityKey)).toEqual([
        'phone:+380501234567',
        'email:a@b.com',
        'telegram:123456789',
        'telegram_username:olena_k',
        'site:v_9',
      ]);
      expect(hubEvent.customer.traits).toEqual({ name: 'Olena', language: 'uk' });
    });

    it('formats money with the currency’s own decimals in summaries', () => {
      // Act
      const cart = only(
        event({
          type: 'cart.updated',
          data: { cartId: 'c', total: { amountMinor: 150000, currency: 'JPY' }, items: [{ name: 'Tea', quantity: 1 }] },
        }),
      );

      // Assess
      expect(cart.summary).toBe('Cart updated: 1 item, 150000 JPY');
    });

    it('acknowledges and lists an event whose only identifiers are unusable', () => {
      // Act
      const result = normalize(event({ visitor: { phone: '12', email: 'nope' } }), 'msg_bad');

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([
        "lead.submitted msg_bad: the visitor's phone, email and Telegram handle are not usable and no id was given",
      ]);
    });
  });

  describe('parse', () => {
    it.each([
      ['the version is 2', event({ version: 2 }), /version/],
      ['the version is missing', { ...event(), version: undefined }, /version/],
      ['the type is not in the format', event({ type: 'call.completed' }), /type/],
      ['occurredAt has no zone', event({ occurredAt: '2024-05-01T11:58:20' }), /occurredAt/],
      [
        'the visitor has no identifier',
        event({ visitor: { name: 'Olena' } }),
        /visitor: visitor needs at least one of id, phone, email, telegram, telegramId/,
      ],
      [
        'money is a float',
        event({
          type: 'order.placed',
          data: { orderId: 'o', total: { amountMinor: 12.5, currency: 'UAH' }, items: [] },
        }),
        /data\.total\.amountMinor/,
      ],
      [
        'the currency is not ISO 4217',
        event({ type: 'cart.updated', data: { cartId: 'c', total: { amountMinor: 1, currency: 'грн' }, items: [] } }),
        /data\.total\.currency/,
      ],
      [
        'a chat message says outbound',
        event({ type: 'message.received', data: { messageId: 'm', direction: 'outbound' } }),
        /data\.direction/,
      ],
    ])('throws ValidationError naming the field when %s', (_, payload, field) => {
      // Act & Assess
      expect(() => siteConnector.parse(delivery(payload))).toThrow(ValidationError);
      expect(() => siteConnector.parse(delivery(payload))).toThrow(field);
    });

    it('throws ValidationError without a webhook-id header', () => {
      // Prepare
      const req = request(JSON.stringify(event()), {});

      // Act & Assess
      expect(() => siteConnector.parse(req)).toThrow(/webhook-id/);
    });

    it('drops fields it does not know instead of refusing them', () => {
      // Act
      const hubEvent = only(event({ experiment: 'b', data: { formName: 'Quote', answers: [], abVariant: 'b' } }));

      // Assess
      expect(hubEvent.data).toEqual({ formName: 'Quote', answers: [] });
    });
  });

  describe('JSON Schema', () => {
    it('schema.json is generated from the zod schema and current', () => {
      // Act
      const committed = readFileSync('functions/connectors/site/schema.json', 'utf8');

      // Assess: regenerate with the command in functions/connectors/site/README.md
      expect(committed).toBe(renderSiteJsonSchema());
    });
  });

  it('is configured with the fixture secret of the shared harness in raw form', () => {
    // Prepare: the harness signs every connector with `test-secret`, which is not base64.
    const body = JSON.stringify(event());

    // Act
    const headers = signStandardWebhook(Buffer.from(body), TEST_SECRET, 'msg_1', TEST_NOW);

    // Assess
    expect(
      verifyStandardWebhook(
        Buffer.from(body),
        { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
        TEST_SECRET,
        TEST_NOW,
      ),
    ).toEqual({ ok: true });
    expect(new Webhook(TEST_SECRET, { format: 'raw' }).sign('msg_1', TEST_NOW, body)).toBe(
      headers['webhook-signature'],
    );
  });
});
