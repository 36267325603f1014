/**
 * Typeform edge cases the fixtures can't express: the base64 signature
 * (known answer recomputed with node:crypto, hex confusion, re-serialized
 * bodies), lead vs form classification, answer rendering, hidden fields,
 * names asked as ordinary questions or in a contact_info block, event types
 * the hub ignores and the dedup key.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  typeformConnector,
  typeformSignature,
  verifyTypeformSignature,
} from '../../functions/connectors/typeform/index.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { normalizeTitle } from '../../functions/connectors/typeform/normalize.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const SECRETS = { secret: 'tf-whsecret-8c1d2e' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/typeform`;
const DOC_EXAMPLE = readFileSync('functions/connectors/typeform/fixtures/form-response.json');

const response = (overrides: Record<string, unknown> = {}) => ({
  form_id: 'fB7kP2',
  token: 'tok_0001',
  submitted_at: '2024-05-01T10:01:12Z',
  definition: {
    id: 'fB7kP2',
    title: 'Kitchen quote',
    fields: [
      { id: 'f_email', title: 'Your email?', type: 'email', ref: 'email' },
      { id: 'f_phone', title: 'Your phone?', type: 'phone_number', ref: 'phone' },
      { id: 'f_text', title: 'Anything else?', type: 'long_text', ref: 'comment' },
    ],
  },
  answers: [{ type: 'text', text: 'Corner kitchen', field: { id: 'f_text', type: 'long_text' } }],
  ...overrides,
});

const webhook = (form_response: unknown, overrides: Record<string, unknown> = {}) => ({
  event_id: '01HXR6M7Q2ZK9V3T8B4N5C6D7E',
  event_type: 'form_response',
  form_response,
  ...overrides,
});

const post = (payload: unknown) =>
  signedRequest(
    typeformConnector,
    { case: { method: 'POST', contentType: 'application/json' }, body: Buffer.from(JSON.stringify(payload)) },
    SECRETS,
  );

const normalize = (payload: unknown) => typeformConnector.normalize(typeformConnector.parse(post(payload)), CTX);

const only = (payload: unknown): HubEventOf<'lead.submitted' | 'form.submitted'> => {
  const { events, ignored } = normalize(payload);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return HubEventSchema.parse(events[0]) as HubEventOf<'lead.submitted' | 'form.submitted'>;
};

const withSignature = (body: Buffer, signature: string | undefined) =>
  rawRequest({ url: WEBHOOK_URL, body, headers: signature === undefined ? {} : { 'typeform-signature': signature } });

describe('Connector: typeform', () => {
  describe('verify', () => {
    it('accepts sha256=<base64 HMAC-SHA256(secret, raw body)>, recomputed independently with node:crypto', () => {
      // Prepare
      const expected = `sha256=${createHmac('sha256', SECRETS.secret).update(DOC_EXAMPLE).digest('base64')}`;

      // Act
      const result = typeformConnector.verify(withSignature(DOC_EXAMPLE, expected), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: true });
      expect(typeformSignature(DOC_EXAMPLE, SECRETS.secret)).toBe(expected);
      expect(expected).toMatch(/^sha256=[A-Za-z0-9+/]{43}=$/);
    });

    it('rejects the hex digest of the same HMAC (the Meta look-alike), with or without the prefix', () => {
      // Prepare
      const hex = createHmac('sha256', SECRETS.secret).update(DOC_EXAMPLE).digest('hex');

      // Act
      const prefixed = verifyTypeformSignature(DOC_EXAMPLE, `sha256=${hex}`, SECRETS.secret);
      const bare = verifyTypeformSignature(DOC_EXAMPLE, hex, SECRETS.secret);

      // Assess
      expect(prefixed).toEqual({ ok: false, reason: 'Typeform-Signature does not match the body' });
      expect(bare.ok).toBe(false);
    });

    it.each([
      ['the base64 digest without the sha256= prefix', (b64: string) => b64, /sha256=/],
      ['a SHA256= prefix in capitals', (b64: string) => `SHA256=${b64}`, /sha256=/],
      ['the digest with its case changed', (b64: string) => `sha256=${b64.toLowerCase()}`, /does not match/],
      ['an empty header', () => '', /missing/i],
    ])('rejects %s', (_, header, reason) => {
      // Prepare
      const b64 = createHmac('sha256', SECRETS.secret).update(DOC_EXAMPLE).digest('base64');

      // Act
      const result = verifyTypeformSignature(DOC_EXAMPLE, header(b64), SECRETS.secret);

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('rejects a signature over a re-serialized body: only the raw bytes count', () => {
      // Prepare
      const reserialized = Buffer.from(JSON.stringify(JSON.parse(DOC_EXAMPLE.toString('utf8'))));
      const signatureOfReserialized = typeformSignature(reserialized, SECRETS.secret);

      // Act
      const result = typeformConnector.verify(withSignature(DOC_EXAMPLE, signatureOfReserialized), SECRETS, {
        now: TEST_NOW,
      });

      // Assess
      expect(reserialized.equals(DOC_EXAMPLE)).toBe(false);
      expect(result.ok).toBe(false);
    });

    it('rejects a signature made with another secret, and fails closed without a secret', () => {
      // Prepare
      const req = withSignature(DOC_EXAMPLE, typeformSignature(DOC_EXAMPLE, 'another-secret'));
      const genuine = withSignature(DOC_EXAMPLE, typeformSignature(DOC_EXAMPLE, SECRETS.secret));

      // Act & Assess
      expect(typeformConnector.verify(req, SECRETS, { now: TEST_NOW }).ok).toBe(false);
      expect(typeformConnector.verify(genuine, {}, { now: TEST_NOW })).toEqual({
        ok: false,
        reason: 'No webhook secret is configured',
      });
      expect(typeformConnector.verify(withSignature(DOC_EXAMPLE, undefined), SECRETS, { now: TEST_NOW })).toEqual({
        ok: false,
        reason: 'Missing Typeform-Signature header',
      });
    });
  });

  describe('lead or form', () => {
    it('makes a form without email or phone answers a form.submitted, attributed via hidden user_id', () => {
      // Act
      const event = only(webhook(response({ hidden: { user_id: 'v_42' } })));

      // Assess
      expect(event.type).toBe('form.submitted');
      expect(event.customer.identities.map(identityKey)).toEqual(['site:v_42']);
    });

    it('keeps a hidden email as an identity but does not call the form a lead for it', () => {
      // Act
      const event = only(webhook(response({ hidden: { email: 'Olena@Example.com' } })));

      // Assess
      expect(event.type).toBe('form.submitted');
      expect(event.customer.identities.map(identityKey)).toEqual(['email:olena@example.com']);
    });

    it('makes a phone_number answer a lead.submitted with the phone in E.164', () => {
      // Prepare
      const answers = [
        { type: 'phone_number', phone_number: '+380501234567', field: { id: 'f_phone', type: 'phone_number' } },
      ];

      // Act
      const event = only(webhook(response({ answers })));

      // Assess
      expect(event.type).toBe('lead.submitted');
      expect(event.customer.identities.map(identityKey)).toEqual(['phone:+380501234567']);
      expect(event.data.answers).toEqual([{ question: 'Your phone?', answer: '+380501234567' }]);
    });

    it('acknowledges and lists a response nobody can be attributed to', () => {
      // Act
      const result = normalize(webhook(response({ hidden: { utm_source: 'fb' } })));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([
        'response tok_0001 has no usable email or phone answer, nor a hidden email, phone or user_id',
      ]);
    });

    it('still calls an unusable email answer a lead when another identity attributes it', () => {
      // Prepare
      const answers = [{ type: 'email', email: 'not-an-email', field: { id: 'f_email', type: 'email' } }];

      // Act
      const event = only(webhook(response({ answers, hidden: { user_id: 'v_42' } })));

      // Assess
      expect(event.type).toBe('lead.submitted');
      expect(event.customer.identities.map(identityKey)).toEqual(['site:v_42']);
    });
  });

  describe('the documented example payload', () => {
    it('renders every answer type with its question title', () => {
      // Act
      const event = only(JSON.parse(DOC_EXAMPLE.toString('utf8')));

      // Assess
      expect(event.data.formId).toBe('lT4Z3j');
      expect(event.data.formName).toBe('Webhooks example');
      expect(event.data.result).toBe('9');
      expect(event.data.answers.map((a) => a.answer)).toEqual([
        "It's cold right now! I live in an older medium-sized city with a university. Geographically, the area is hilly.",
        'laura@example.com',
        'Laura',
        '2005-10-15',
        'London, Sydney',
        '5',
        'yes',
        'London',
        'no',
        '2',
        '3',
        '4',
        'https://calendly.com/scheduled_events/EVENT_TYPE/invitees/INVITEE',
      ]);
      expect(event.data.answers[4]?.question).toBe('Which pictures do you like? You can choose as many as you like.');
      expect(event.data.answers[12]?.question).toBe('Book a time with me');
    });
  });

  describe('answers, hidden fields and timestamps', () => {
    it.each([
      ['choice with an "other" text', { type: 'choice', choice: { other: 'Kyiv suburbs' } }, 'Kyiv suburbs'],
      [
        'choices plus an "other" text',
        { type: 'choices', choices: { labels: ['Oven', 'Hob'], other: 'Hood' } },
        'Oven, Hob, Hood',
      ],
      [
        'a file upload',
        { type: 'file_url', file_url: 'https://api.typeform.com/responses/files/x/plan.pdf' },
        'https://api.typeform.com/responses/files/x/plan.pdf',
      ],
      [
        'a payment',
        { type: 'payment', payment: { amount: '1200.00', last4: '4242', name: 'Olena K', success: true } },
        '1200.00 Olena K',
      ],
      ['an answer type the hub does not know yet', { type: 'signature', signature: { url: 'x' } }, ''],
    ])('renders %s', (_, answer, text) => {
      // Act
      const event = only(
        webhook(response({ answers: [{ ...answer, field: { id: 'f_text', type: 'x' } }], hidden: { user_id: 'v_1' } })),
      );

      // Assess
      expect(event.data.answers).toEqual([{ question: 'Anything else?', answer: text }]);
    });

    it('finds the question by ref when the id is unknown, and falls back to the ref without a definition', () => {
      // Prepare
      const answers = [{ type: 'text', text: 'Hi', field: { id: 'renamed', type: 'long_text', ref: 'comment' } }];

      // Act
      const withDefinition = only(webhook(response({ answers, hidden: { user_id: 'v_1' } })));
      const withoutDefinition = only(webhook(response({ answers, hidden: { user_id: 'v_1' }, definition: undefined })));

      // Assess
      expect(withDefinition.data.answers[0]?.question).toBe('Anything else?');
      expect(withoutDefinition.data.answers[0]?.question).toBe('comment');
      expect(withoutDefinition.summary).toBe('Typeform submitted');
    });

    it('reads email, phone, user_id, name and utm_* from hidden fields and nothing else', () => {
      // Prepare
      const hidden = {
        email: 'olena@example.com',
        phone: '050 111 22 33',
        user_id: 'u_10482',
        name: 'Olena',
        utm_source: 'google',
        utm_medium: 'cpc',
        utm_campaign: 'may',
        utm_content: '',
        gclid: 'abc',
      };

      // Act
      const event = only(webhook(response({ hidden })));

      // Assess
      expect(event.customer.identities.map(identityKey)).toEqual([
        'email:olena@example.com',
        'phone:+380501112233',
        'site:u_10482',
      ]);
      expect(event.customer.traits).toEqual({ name: 'Olena' });
      expect(event.data.utm).toEqual({ source: 'google', medium: 'cpc', campaign: 'may' });
    });

    it('takes occurredAt from submitted_at, and the receipt time when it is not a date', () => {
      // Act
      const valid = only(webhook(response({ hidden: { user_id: 'v_1' } })));
      const invalid = only(webhook(response({ hidden: { user_id: 'v_1' }, submitted_at: 'soon' })));

      // Assess
      expect(valid.occurredAt).toBe('2024-05-01T10:01:12.000Z');
      expect(invalid.occurredAt).toBe(CTX.receivedAt);
    });
  });

  describe('names asked as questions', () => {
    /** A lead form asking `title` as a short-text question, answered `text`. */
    const asked = (title: string, text: string, ref = 'q_name') =>
      response({
        definition: {
          id: 'fB7kP2',
          title: 'Kitchen quote',
          fields: [
            { id: 'f_email', title: 'Your email?', type: 'email', ref: 'email' },
            { id: 'f_q', title, type: 'short_text', ref },
          ],
        },
        answers: [
          { type: 'email', email: 'olena@example.com.ua', field: { id: 'f_email', type: 'email' } },
          { type: 'text', text, field: { id: 'f_q', type: 'short_text', ref } },
        ],
      });

    it('reads the first name of Typeform\'s documented example ("What is your first name?" → Laura)', () => {
      // Act
      const { events } = typeformConnector.normalize(
        typeformConnector.parse(post(JSON.parse(DOC_EXAMPLE.toString('utf8')))),
        CTX,
      );

      // Assess
      expect(events[0]?.customer.traits).toEqual({ firstName: 'Laura' });
    });

    it('reads first and last name from the contact_info block, and nothing from its company part', () => {
      // Prepare
      const fixture = readFileSync('functions/connectors/typeform/fixtures/form-response-contact-info.json', 'utf8');

      // Act
      const event = only(JSON.parse(fixture));

      // Assess
      expect(event.customer.traits).toEqual({ firstName: 'Олена', lastName: 'Коваль' });
      expect(event.customer.identities.map(identityKey)).toEqual([
        'phone:+380501234567',
        'email:olena.koval@example.com.ua',
      ]);
    });

    it.each([
      ['First name', 'firstName'],
      ['What is your first name?', 'firstName'],
      ["What's your last name?", 'lastName'],
      ['Surname *', 'lastName'],
      ['Name', 'name'],
      ['Your name', 'name'],
      ["What's your name?", 'name'],
      ['Full name:', 'name'],
      ["Ім'я", 'firstName'],
      ['Ім’я', 'firstName'],
      ['Імʼя', 'firstName'],
      ["Ваше ім'я?", 'firstName'],
      ['Прізвище', 'lastName'],
      ["Ім'я та прізвище", 'name'],
      ['ПІБ', 'name'],
      ['Як вас звати?', 'name'],
      ['Имя', 'firstName'],
      ['Ваше имя', 'firstName'],
      ['Фамилия', 'lastName'],
      ['ФИО', 'name'],
      ['Как вас зовут?', 'name'],
      ['{{hidden:greeting}}, what is your first name?', 'firstName'],
    ])('maps a short-text question titled %j to the trait %s', (title, trait) => {
      // Act
      const event = only(webhook(asked(title, '  Олена  ')));

      // Assess
      expect(event.customer.traits).toEqual({ [trait]: 'Олена' });
    });

    it.each([
      'Their first name?',
      "Your friend's name",
      'Company name',
      'Name of your company',
      "Ім'я вашої дитини",
      'Имя питомца',
      'Username',
      'What should we name the project?',
    ])('leaves a question titled %j alone', (title) => {
      // Act
      const event = only(webhook(asked(title, 'Rex')));

      // Assess
      expect(event.customer.traits).toEqual({});
    });

    it('reads a question by its readable ref when the title says nothing (first_name, last_name)', () => {
      // Act
      const first = only(webhook(asked('Як до вас звертатися у листах?', 'Олена', 'first_name')));
      const last = only(webhook(asked('And…?', 'Коваль', 'last_name')));

      // Assess
      expect(first.customer.traits).toEqual({ firstName: 'Олена' });
      expect(last.customer.traits).toEqual({ lastName: 'Коваль' });
    });

    it('ignores a name-titled question that is not short text (a choice titled "Name" is a pick, not a name)', () => {
      // Prepare
      const form = response({
        definition: {
          id: 'fB7kP2',
          fields: [{ id: 'f_pick', title: 'Name', type: 'multiple_choice', ref: 'pick' }],
        },
        answers: [{ type: 'choice', choice: { label: 'Olena' }, field: { id: 'f_pick', type: 'multiple_choice' } }],
        hidden: { user_id: 'v_1' },
      });

      // Act & Assess
      expect(only(webhook(form)).customer.traits).toEqual({});
    });

    it('keeps the first answer for a trait and lets the hidden name field win', () => {
      // Prepare
      const form = asked('First name', 'Olena');
      const withHidden = { ...form, hidden: { name: 'Olena Koval (CRM)' } };

      // Act
      const event = only(webhook(withHidden));

      // Assess
      expect(event.customer.traits).toEqual({ firstName: 'Olena', name: 'Olena Koval (CRM)' });
    });

    it('normalizes titles: case, apostrophes, piping, punctuation and addressing words', () => {
      expect(normalizeTitle(' What’S YOUR First  Name?* ')).toBe('first name');
      expect(normalizeTitle('Ваше імʼя:')).toBe("ім'я");
    });

    it('puts the names into the profile through the local hub', async () => {
      // Prepare
      const hub = await startTestHub();
      const fixture = readFileSync('functions/connectors/typeform/fixtures/form-response-contact-info.json');

      try {
        // Act
        const res = await postWebhook(hub, 'typeform', fixture);
        await hub.idle();
        const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:+380501234567')}`);

        // Assess
        expect(res.status, res.text).toBe(200);
        expect(profile.body.traits).toMatchObject({ firstName: 'Олена', lastName: 'Коваль' });
      } finally {
        await hub.stop();
      }
    });
  });

  describe('event types and dedup', () => {
    it('acknowledges a form_response_partial without validating it', () => {
      // Act
      const result = normalize(webhook({ token: 'partial-1' }, { event_type: 'form_response_partial' }));

      // Assess
      expect(result).toEqual({ events: [], ignored: ['unsupported event_type: form_response_partial'] });
    });

    it('uses the response token as the dedup key, whatever the event_id of the delivery', () => {
      // Prepare
      const form = response({ hidden: { user_id: 'v_1' } });

      // Act
      const first = only(webhook(form));
      const second = only(webhook(form, { event_id: '01HXR6ZZZZZZZZZZZZZZZZZZZZ' }));

      // Assess
      expect(first.providerEventId).toBe('tok_0001');
      expect(second.id).toBe(first.id);
    });
  });

  describe('parse', () => {
    it.each([
      ['event_type is missing', { event_id: 'e', form_response: response() }, /event_type/],
      ['a form_response event has no form_response', { event_id: 'e', event_type: 'form_response' }, /form_response/],
      ['the response has no token', webhook({ ...response(), token: undefined }), /token/],
      [
        'an answer has no field id',
        webhook(response({ answers: [{ type: 'text', text: 'x', field: {} }] })),
        /answers\.0\.field\.id/,
      ],
    ])('throws ValidationError naming the field when %s', (_, payload, field) => {
      // Act & Assess
      expect(() => typeformConnector.parse(post(payload))).toThrow(ValidationError);
      expect(() => typeformConnector.parse(post(payload))).toThrow(field);
    });

    it('accepts a response whose answers are all skipped (no answers key)', () => {
      // Act
      const event = only(webhook(response({ answers: undefined, hidden: { user_id: 'v_1' } })));

      // Assess
      expect(event.type).toBe('form.submitted');
      expect(event.data.answers).toEqual([]);
    });
  });
});
