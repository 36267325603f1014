/**
 * Marquiz edge cases the fixture can't express: the `?token=` check, national
 * phone numbers, answer rendering, UTM mapping and the derived dedup key.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { marquizConnector } from '../../functions/connectors/marquiz/index.js';
import { safeEqual } from '../../functions/connectors/shared/signature.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Spy on the real implementation to see that the token goes through the constant-time comparison.
vi.mock('../../functions/connectors/shared/signature.js', { spy: true });

// Prepare (shared)
const SECRETS = { secret: 'mq-3f9c2a7e41d8' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/marquiz`;

const lead = (overrides: Record<string, unknown> = {}) => ({
  quiz: { id: '5f1a2b3c4d5e6f7a8b9c0d1e', name: 'Kitchen finder' },
  contacts: { name: 'Ivan', phone: '+380501234567', email: 'Ivan@Example.com' },
  answers: [{ q: 'Layout?', a: 'Corner' }],
  created: '2024-05-01T10:15:00.000Z',
  ...overrides,
});

const post = (payload: unknown) =>
  signedRequest(
    marquizConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(payload)) },
    SECRETS,
  );

const normalize = (payload: unknown, ctx = CTX) =>
  marquizConnector.normalize(marquizConnector.parse(post(payload)), ctx);

const only = (payload: unknown): HubEventOf<'lead.submitted'> => {
  const { events, ignored } = normalize(payload);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return HubEventSchema.parse(events[0]) as HubEventOf<'lead.submitted'>;
};

describe('Connector: marquiz', () => {
  describe('verify', () => {
    const withQuery = (query: string) => rawRequest({ url: `${WEBHOOK_URL}${query}`, body: '{}' });

    it('accepts ?token= equal to the secret, compared with safeEqual', () => {
      // Prepare
      vi.mocked(safeEqual).mockClear();

      // Act
      const result = marquizConnector.verify(withQuery(`?token=${SECRETS.secret}`), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: true });
      expect(safeEqual).toHaveBeenCalledWith(SECRETS.secret, SECRETS.secret);
    });

    it('signs samples by appending the token to the URL, keeping other parameters', () => {
      // Act
      const signed = marquizConnector.signSample(
        {
          url: `${WEBHOOK_URL}?site=main`,
          method: 'POST',
          body: Buffer.from('{}'),
          contentType: 'application/json',
          now: TEST_NOW,
        },
        SECRETS,
      );

      // Assess
      expect(signed.url).toBe(`${WEBHOOK_URL}?site=main&token=${SECRETS.secret}`);
      expect(signed.headers).toEqual({});
    });

    it.each([
      ['a different token of the same length', '?token=mq-3f9c2a7e41d9', /does not match/],
      ['a prefix of the token', '?token=mq-3f9c', /does not match/],
      ['the token with a suffix', `?token=${SECRETS.secret}0`, /does not match/],
      ['an empty token', '?token=', /missing/i],
      ['no token', '', /missing/i],
      ['the token under another name', `?secret=${SECRETS.secret}`, /missing/i],
    ])('rejects %s', (_, query, reason) => {
      // Act
      const result = marquizConnector.verify(withQuery(query), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('ignores a token sent as a header instead of in the URL', () => {
      // Prepare
      const req = rawRequest({ url: WEBHOOK_URL, headers: { token: SECRETS.secret }, body: '{}' });

      // Act & Assess
      expect(marquizConnector.verify(req, SECRETS, { now: TEST_NOW }).ok).toBe(false);
    });

    it('fails closed when no secret is configured, even without a token', () => {
      // Act & Assess
      expect(marquizConnector.verify(withQuery(''), {}, { now: TEST_NOW }).ok).toBe(false);
      expect(marquizConnector.verify(withQuery('?token='), { secret: '' }, { now: TEST_NOW }).ok).toBe(false);
    });
  });

  describe('identities', () => {
    it('reads a national phone number in the default country (050 111 22 33 → +380501112233)', () => {
      // Act
      const event = only(lead({ contacts: { name: 'Ivan', phone: '050 111 22 33' } }));

      // Assess
      expect(event.customer.identities.map(identityKey)).toEqual(['phone:+380501112233']);
    });

    it('lowercases the email and keeps the name as a trait', () => {
      // Act
      const event = only(lead());

      // Assess
      expect(event.customer.identities.map(identityKey)).toEqual(['phone:+380501234567', 'email:ivan@example.com']);
      expect(event.customer.traits).toEqual({ name: 'Ivan' });
    });

    it('tolerates null contact fields', () => {
      // Act
      const event = only(
        lead({
          contacts: { name: null, phone: null, email: 'ivan@example.com' },
          quiz: null,
          extra: null,
          result: null,
        }),
      );

      // Assess
      expect(event.customer.identities.map(identityKey)).toEqual(['email:ivan@example.com']);
      expect(event.summary).toBe('Quiz completed');
    });

    it('acknowledges and lists a lead without a usable phone or email', () => {
      // Act
      const result = normalize(lead({ contacts: { name: 'Ivan', phone: '12', email: 'not-an-email' } }));

      // Assess
      expect(result).toEqual({ events: [], ignored: ['lead without a usable phone or email'] });
    });
  });

  describe('lead data', () => {
    it('maps quiz, answers, result, UTM (name → campaign), page and referrer', () => {
      // Prepare
      const payload = lead({
        answers: [
          { q: 'Layout?', a: 'Corner' },
          { q: 'Appliances?', a: ['Oven', 'Hob', 'Dishwasher'] },
          { q: 'Area, m²', a: 12 },
          { q: 'Comment', a: null },
        ],
        result: { title: 'Corner kitchen', cost: null },
        extra: {
          utm: { source: 'facebook', medium: 'cpc', name: 'spring_sale', content: 'ad1', term: '' },
          referrer: 'https://www.facebook.com/',
          href: 'https://example.com/quiz?utm_source=facebook',
          ip: '203.0.113.7',
        },
      });

      // Act
      const event = only(payload);

      // Assess
      expect(event.summary).toBe('Quiz «Kitchen finder» completed');
      expect(event.data).toEqual({
        formId: '5f1a2b3c4d5e6f7a8b9c0d1e',
        formName: 'Kitchen finder',
        answers: [
          { question: 'Layout?', answer: 'Corner' },
          { question: 'Appliances?', answer: 'Oven, Hob, Dishwasher' },
          { question: 'Area, m²', answer: '12' },
          { question: 'Comment', answer: '' },
        ],
        result: 'Corner kitchen',
        utm: { source: 'facebook', medium: 'cpc', campaign: 'spring_sale', content: 'ad1' },
        pageUrl: 'https://example.com/quiz?utm_source=facebook',
        referrer: 'https://www.facebook.com/',
      });
    });

    it('omits utm when every tag is empty', () => {
      // Act
      const event = only(lead({ extra: { utm: { source: '', medium: '', name: '', content: '', term: '' } } }));

      // Assess
      expect(event.data.utm).toBeUndefined();
    });

    it.each([
      ['an ISO time with Z', '2024-05-01T10:15:00.000Z', '2024-05-01T10:15:00.000Z'],
      ['an ISO time with an offset', '2024-05-01T13:15:00+03:00', '2024-05-01T10:15:00.000Z'],
      ['unix seconds', 1714558500, '2024-05-01T10:15:00.000Z'],
      ['unix milliseconds as a string', '1714558500000', '2024-05-01T10:15:00.000Z'],
      ['a time without a zone', '2024-05-01 10:15:00', CTX.receivedAt],
      ['garbage', 'yesterday', CTX.receivedAt],
    ])('takes occurredAt from created given %s', (_, created, occurredAt) => {
      // Act
      const event = only(lead({ created }));

      // Assess
      expect(event.occurredAt).toBe(occurredAt);
    });
  });

  describe('dedup key', () => {
    it('is a sha256 hex that survives a redelivery with reordered keys', () => {
      // Prepare
      const first = lead();
      const reordered = {
        created: first.created,
        answers: first.answers,
        contacts: { email: 'Ivan@Example.com', phone: '+380501234567', name: 'Ivan' },
        quiz: first.quiz,
      };

      // Act
      const a = only(first);
      const b = only(reordered);

      // Assess
      expect(a.providerEventId).toMatch(/^[0-9a-f]{64}$/);
      expect(b.providerEventId).toBe(a.providerEventId);
      expect(b.id).toBe(a.id);
    });

    it('differs for another submission of the same person (another created)', () => {
      // Act
      const a = only(lead());
      const b = only(lead({ created: '2024-05-02T09:00:00.000Z' }));

      // Assess
      expect(b.id).not.toBe(a.id);
    });

    it('differs for another quiz', () => {
      // Act
      const a = only(lead());
      const b = only(lead({ quiz: { id: 'other', name: 'Kitchen finder' } }));

      // Assess
      expect(b.id).not.toBe(a.id);
    });
  });

  describe('parse', () => {
    it.each([
      ['contacts is missing', { answers: [] }, /contacts/],
      ['contacts is not an object', { contacts: 'Ivan', answers: [] }, /contacts/],
      ['answers is missing', { contacts: {} }, /answers/],
      ['answers is not an array', { contacts: {}, answers: { q: 'x' } }, /answers/],
      ['an answer has no question', { contacts: {}, answers: [{ a: 'x' }] }, /answers\.0\.q/],
    ])('throws ValidationError naming the field when %s', (_, payload, field) => {
      // Act & Assess
      expect(() => marquizConnector.parse(post(payload))).toThrow(ValidationError);
      expect(() => marquizConnector.parse(post(payload))).toThrow(field);
    });

    it('keeps fields Marquiz may add', () => {
      // Act
      const parsed = marquizConnector.parse(post(lead({ raw: [{ q: { id: 'q1' } }], form: { id: 7 } })));

      // Assess
      expect(parsed).toMatchObject({ raw: [{ q: { id: 'q1' } }], form: { id: 7 } });
    });
  });
});

describe('Connector: marquiz known-answer authenticity (independent of signSample)', () => {
  // The webhook URL exactly as the README tells operators to paste it, with a token holding characters a URL must
  // escape: the vendor calls the URL as configured, so the hub must percent-decode the parameter before comparing.
  const TOKEN = 'ma+Zq/7w=Hk2';
  const PASTED_URL = 'https://hooks.example.test/webhooks/marquiz?token=ma%2BZq%2F7w%3DHk2';
  const body = () => readFileSync('functions/connectors/marquiz/fixtures/lead.json');
  const verify = (url: string) =>
    marquizConnector.verify(
      rawRequest({ url, body: body(), headers: { 'content-type': 'application/json' } }),
      { secret: TOKEN },
      { now: TEST_NOW },
    );

  it('accepts the fixture posted to the pasted URL', () => {
    // Act & Assess
    expect(verify(PASTED_URL)).toEqual({ ok: true });
  });

  it.each([
    ['the token unescaped (+ decodes to a space)', 'https://hooks.example.test/webhooks/marquiz?token=ma+Zq/7w=Hk2'],
    ['the parameter under another name', 'https://hooks.example.test/webhooks/marquiz?Token=ma%2BZq%2F7w%3DHk2'],
    ['the last character changed', 'https://hooks.example.test/webhooks/marquiz?token=ma%2BZq%2F7w%3DHk3'],
  ])('refuses %s', (_, url) => {
    // Act & Assess
    expect(verify(url).ok).toBe(false);
  });

  it('signs samples the way the pasted URL looks', () => {
    // Act
    const signed = marquizConnector.signSample(
      {
        url: 'https://hooks.example.test/webhooks/marquiz',
        method: 'POST',
        body: body(),
        contentType: 'application/json',
        now: TEST_NOW,
      },
      { secret: TOKEN },
    );

    // Assess
    expect(signed).toEqual({ url: PASTED_URL, headers: {} });
  });
});
