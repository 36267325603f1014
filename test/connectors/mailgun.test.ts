/**
 * Mailgun edge cases the fixtures can't express: a known-answer HMAC
 * (computed with openssl), the signature in each body kind (urlencoded,
 * multipart, JSON, parent-signature), the replay window, multipart parsing,
 * and the mapping of inbound mail and every event kind. The contract test
 * can't tamper with Mailgun's signature (it lives in the body), so the
 * authenticity checks are here.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mailgunConnector } from '../../functions/connectors/mailgun/index.js';
import { readFormFields, splitFormParts } from '../../functions/connectors/mailgun/form.js';
import {
  MAILGUN_MAX_AGE_SECONDS,
  MAILGUN_MAX_FUTURE_SKEW_SECONDS,
  mailgunSignature,
} from '../../functions/connectors/mailgun/signature.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const KEY = 'key-omnihub-mailgun-signing';
const SECRETS = { secret: KEY };
const URL_MG = `${TEST_BASE_URL}/webhooks/mailgun`;
const NOW = new Date('2024-05-01T12:00:00.000Z');
const NOW_SEC = String(NOW.getTime() / 1000);
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const FORM = 'application/x-www-form-urlencoded';
const TOKEN = '06c96bafc3f42a66b9edd546347a2fe18dc23461fe80dc52f0';

/** Independent of the connector: node:crypto over timestamp + token. */
const sign = (timestamp: string, token: string, key = KEY): string =>
  createHmac('sha256', key)
    .update(timestamp + token)
    .digest('hex');

const form = (fields: Record<string, string>, contentType = FORM) =>
  rawRequest({ url: URL_MG, headers: { 'content-type': contentType }, body: new URLSearchParams(fields).toString() });

const json = (payload: unknown) =>
  rawRequest({ url: URL_MG, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

const inboundFields = (overrides: Record<string, string> = {}): Record<string, string> => ({
  recipient: 'sales@shop.example.com',
  sender: 'bounce+x@esp.example.net',
  from: 'Олена Коваль <olena.koval@example.com.ua>',
  subject: 'Питання',
  'Message-Id': '<m1@mail.example.com.ua>',
  'stripped-text': 'Добрий день!',
  timestamp: NOW_SEC,
  token: TOKEN,
  signature: sign(NOW_SEC, TOKEN),
  ...overrides,
});

const multipart = (boundary: string, parts: Array<[string, string, string?]>, eol = '\r\n'): Buffer =>
  Buffer.from(
    parts
      .map(([name, value, filename]) =>
        [
          `--${boundary}`,
          `Content-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`,
          ...(filename ? ['Content-Type: application/octet-stream'] : []),
          '',
          value,
        ].join(eol),
      )
      .join(eol) + `${eol}--${boundary}--${eol}`,
  );

const eventWebhook = (eventData: Record<string, unknown>, token = 'a'.repeat(50)) => ({
  signature: { timestamp: NOW_SEC, token, signature: sign(NOW_SEC, token) },
  'event-data': {
    timestamp: 1714564800.5,
    recipient: 'customer@example.com',
    message: { headers: { 'message-id': '20240501.1.ABC@shop.example.com', subject: 'Your order' } },
    ...eventData,
  },
});

const normalize = (req: ReturnType<typeof rawRequest>) => mailgunConnector.normalize(mailgunConnector.parse(req), CTX);

describe('Connector: mailgun', () => {
  describe('signature', () => {
    it('matches a known answer computed with openssl', () => {
      // Prepare: printf '%s' "1461261330<token>" | openssl dgst -sha256 -hmac TEST_WEBHOOK_SIGNING_KEY
      const expected = '3e24f71c7e802be94c5abca2fd6ca6957cca2e1e2396d26716b87e1ca8c56634';

      // Act
      const actual = mailgunSignature('TEST_WEBHOOK_SIGNING_KEY', '1461261330', TOKEN);

      // Assess
      expect(actual).toBe(expected);
      expect(sign('1461261330', TOKEN, 'TEST_WEBHOOK_SIGNING_KEY')).toBe(expected);
    });

    it('accepts a form signed with the signing key', () => {
      // Act & Assess
      expect(mailgunConnector.verify(form(inboundFields()), SECRETS, { now: NOW })).toEqual({ ok: true });
    });

    it('accepts an upper-case hex signature', () => {
      // Act & Assess
      expect(
        mailgunConnector.verify(form(inboundFields({ signature: sign(NOW_SEC, TOKEN).toUpperCase() })), SECRETS, {
          now: NOW,
        }).ok,
      ).toBe(true);
    });

    it.each([
      ['signed with another key (e.g. the API key)', { signature: sign(NOW_SEC, TOKEN, 'key-api') }, /does not match/],
      ['with an altered signature', { signature: `${sign(NOW_SEC, TOKEN).slice(0, -1)}0` }, /does not match/],
      ['with the token changed', { token: `${TOKEN.slice(0, -1)}1` }, /does not match/],
      ['with the timestamp changed', { timestamp: String(Number(NOW_SEC) + 1) }, /does not match/],
      ['without a signature', { signature: '' }, /missing/],
      ['without a token', { token: '' }, /missing/],
      ['with a timestamp that is not unix seconds', { timestamp: '2024-05-01' }, /unix seconds/],
    ])('refuses a form %s', (_, overrides, reason) => {
      // Act
      const result = mailgunConnector.verify(form(inboundFields(overrides)), SECRETS, { now: NOW });

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    });

    it('fails closed without a signing key', () => {
      // Act & Assess
      expect(mailgunConnector.verify(form(inboundFields()), {}, { now: NOW })).toMatchObject({ ok: false });
      expect(mailgunConnector.verify(form(inboundFields()), { secret: '' }, { now: NOW })).toMatchObject({ ok: false });
    });

    it.each([
      ['just inside the age limit', -(MAILGUN_MAX_AGE_SECONDS - 1), true],
      ['just past the age limit', -(MAILGUN_MAX_AGE_SECONDS + 1), false],
      ['slightly in the future', MAILGUN_MAX_FUTURE_SKEW_SECONDS - 1, true],
      ['too far in the future', MAILGUN_MAX_FUTURE_SKEW_SECONDS + 1, false],
    ])('judges a timestamp %s', (_, offsetSec, fresh) => {
      // Prepare
      const timestamp = String(Number(NOW_SEC) + offsetSec);

      // Act
      const result = mailgunConnector.verify(
        form(inboundFields({ timestamp, signature: sign(timestamp, TOKEN) })),
        SECRETS,
        { now: NOW },
      );

      // Assess
      expect(result).toEqual(fresh ? { ok: true } : expect.objectContaining({ ok: false, stale: true }));
    });

    it('reports a stale timestamp only for a genuine signature', () => {
      // Prepare
      const old = String(Number(NOW_SEC) - MAILGUN_MAX_AGE_SECONDS - 60);

      // Act
      const forged = mailgunConnector.verify(
        form(inboundFields({ timestamp: old, signature: sign(old, TOKEN, 'wrong') })),
        SECRETS,
        { now: NOW },
      );

      // Assess
      expect(forged).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
      expect(forged).not.toHaveProperty('stale');
    });

    it('accepts a JSON event webhook and, for subaccounts, the parent-signature', () => {
      // Prepare
      const own = eventWebhook({ event: 'delivered' });
      const sub = eventWebhook({ event: 'delivered' });
      sub.signature = {
        ...sub.signature,
        signature: sign(NOW_SEC, sub.signature.token, 'key-subaccount'),
        'parent-signature': sign(NOW_SEC, sub.signature.token),
      } as typeof sub.signature;

      // Act & Assess
      expect(mailgunConnector.verify(json(own), SECRETS, { now: NOW })).toEqual({ ok: true });
      expect(mailgunConnector.verify(json(sub), SECRETS, { now: NOW })).toEqual({ ok: true });
    });

    it.each([
      ['no signature object', { 'event-data': { event: 'delivered' } }],
      ['a signature object that is a string', { signature: 'abc', 'event-data': { event: 'delivered' } }],
      ['not JSON at all', '{'],
    ])('refuses a JSON body with %s without throwing', (_, payload) => {
      // Prepare
      const req =
        typeof payload === 'string'
          ? rawRequest({ url: URL_MG, headers: { 'content-type': 'application/json' }, body: payload })
          : json(payload);

      // Act & Assess
      expect(mailgunConnector.verify(req, SECRETS, { now: NOW }).ok).toBe(false);
    });

    it('refuses a multipart body without its closing boundary without throwing', () => {
      // Prepare
      const req = rawRequest({
        url: URL_MG,
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        body: '--xyz\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc',
      });

      // Act & Assess
      expect(mailgunConnector.verify(req, SECRETS, { now: NOW })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/could not be decoded/),
      });
      expect(() => mailgunConnector.parse(req)).toThrow(ValidationError);
    });
  });

  describe('multipart inbound', () => {
    const fields = inboundFields();
    const parts: Array<[string, string, string?]> = [
      ...Object.entries(fields).map(([k, v]) => [k, v] as [string, string]),
      ['attachment-count', '2'],
      ['attachment-1', 'binary\r\n--not-a-boundary\r\nbytes', 'photo.jpg'],
      ['attachment-2', '%PDF-1.4', 'invoice.pdf'],
    ];

    it.each([
      ['CRLF line breaks and a quoted boundary', '\r\n', 'multipart/form-data; boundary="----mg 7f"', '----mg 7f'],
      ['bare LF line breaks', '\n', 'multipart/form-data; boundary=mgb', 'mgb'],
    ])('verifies and parses text fields with %s, skipping the attachments', (_, eol, contentType, boundary) => {
      // Prepare
      const req = rawRequest({
        url: URL_MG,
        headers: { 'content-type': contentType },
        body: multipart(boundary, parts, eol),
      });

      // Act
      const verdict = mailgunConnector.verify(req, SECRETS, { now: NOW });
      const payload = mailgunConnector.parse(req);
      const { events } = mailgunConnector.normalize(payload, CTX);

      // Assess
      expect(verdict).toEqual({ ok: true });
      expect(payload).toMatchObject({
        kind: 'inbound',
        attachments: 2,
        fields: { from: fields.from, 'stripped-text': 'Добрий день!' },
      });
      expect(events[0]?.customer.identities.map(identityKey)).toEqual(['email:olena.koval@example.com.ua']);
    });

    it('keeps the first value of a repeated field and reads a filename-less part as text', () => {
      // Prepare
      const body = multipart('b', [
        ['recipient', 'a@shop.example.com'],
        ['recipient', 'b@shop.example.com'],
      ]);

      // Act
      const { fields: read, files } = readFormFields(body, 'multipart/form-data; boundary=b');

      // Assess
      expect(read).toEqual({ recipient: 'a@shop.example.com' });
      expect(files).toBe(0);
    });

    it.each([
      ['a body without the boundary', 'multipart/form-data; boundary=zzz', 'hello'],
      ['a content type without a boundary', 'multipart/form-data', '--x\r\n\r\n--x--'],
      [
        'a part without a header separator',
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n--x--',
      ],
    ])('refuses %s as malformed', (_, contentType, body) => {
      // Prepare
      const req = rawRequest({ url: URL_MG, headers: { 'content-type': contentType }, body });

      // Act & Assess
      expect(() => mailgunConnector.parse(req)).toThrow(ValidationError);
    });

    it('refuses a body with more parts than the limit', () => {
      // Prepare
      const body = multipart(
        'b',
        Array.from({ length: 501 }, (_, i) => [`f${i}`, 'x'] as [string, string]),
      );

      // Act & Assess
      expect(() => splitFormParts(body, 'b')).toThrow(/more than 500 parts/);
    });

    it('re-signs a multipart fixture without touching the attachment bytes', () => {
      // Prepare
      const body = fixture('mailgun', 'route-forward-multipart.txt');
      const contentType = 'multipart/form-data; boundary=omnihub-mailgun-sample-7b3f2c';

      // Act
      const req = signedRequest(mailgunConnector, { case: { method: 'POST', contentType }, body }, SECRETS, {
        now: NOW,
      });
      const before = splitFormParts(body, 'omnihub-mailgun-sample-7b3f2c').find((p) => p.filename === 'box.png');
      const after = splitFormParts(req.body, 'omnihub-mailgun-sample-7b3f2c').find((p) => p.filename === 'box.png');

      // Assess
      expect(mailgunConnector.verify(req, SECRETS, { now: NOW })).toEqual({ ok: true });
      expect(after?.content.equals(before?.content ?? Buffer.alloc(1))).toBe(true);
    });
  });

  describe('inbound mail', () => {
    it('maps a route forward to email.received from the From header', () => {
      // Act
      const { events, ignored } = normalize(form(inboundFields()));

      // Assess
      expect(ignored).toEqual([]);
      const event = HubEventSchema.parse(events[0]);
      expect(event).toMatchObject({
        type: 'email.received',
        channel: 'email',
        providerEventId: 'm1@mail.example.com.ua',
        occurredAt: NOW.toISOString(),
        summary: 'Питання — Добрий день!',
        customer: {
          identities: [{ type: 'email', value: 'olena.koval@example.com.ua' }],
          traits: { name: 'Олена Коваль' },
        },
        data: {
          messageId: 'm1@mail.example.com.ua',
          from: 'olena.koval@example.com.ua',
          to: ['sales@shop.example.com'],
          subject: 'Питання',
          snippet: 'Добрий день!',
        },
      });
    });

    it('falls back to message-headers, then to the envelope sender', () => {
      // Prepare
      const headers = JSON.stringify([
        ['From', 'not an address'],
        ['Subject', 'From headers'],
        ['Message-Id', '<h1@mail.example.org>'],
      ]);

      // Act
      const { events } = normalize(
        form(inboundFields({ from: '', subject: '', 'Message-Id': '', 'message-headers': headers })),
      );

      // Assess
      expect(events[0]).toMatchObject({
        providerEventId: 'h1@mail.example.org',
        customer: { identities: [{ type: 'email', value: 'bounce+x@esp.example.net' }] },
        data: { subject: 'From headers' },
      });
    });

    it('deduplicates on the token when the mail has no Message-Id', () => {
      // Act
      const { events } = normalize(form(inboundFields({ 'Message-Id': '' })));

      // Assess
      expect(events[0]?.providerEventId).toBe(TOKEN);
    });

    it('prefers stripped-text over body-plain for the snippet', () => {
      // Act
      const withStripped = normalize(form(inboundFields({ 'body-plain': 'Full body\n> quoted reply' })));
      const withoutStripped = normalize(form(inboundFields({ 'stripped-text': '', 'body-plain': 'Full body' })));

      // Assess
      expect(withStripped.events[0]?.data).toMatchObject({ snippet: 'Добрий день!' });
      expect(withoutStripped.events[0]?.data).toMatchObject({ snippet: 'Full body' });
    });

    it('ignores a mail Mailgun flagged as spam', () => {
      // Act
      const { events, ignored } = normalize(
        form(inboundFields({ 'message-headers': JSON.stringify([['X-Mailgun-Sflag', 'Yes']]) })),
      );

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(/spam/)]);
    });

    it('ignores a legacy form-encoded event webhook', () => {
      // Act
      const { events, ignored } = normalize(
        form({
          event: 'delivered',
          recipient: 'x@example.com',
          timestamp: NOW_SEC,
          token: TOKEN,
          signature: sign(NOW_SEC, TOKEN),
        }),
      );

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(/legacy Mailgun webhook \(delivered\)/)]);
    });

    it('refuses a form without recipient or sender as malformed', () => {
      // Act & Assess
      expect(() => mailgunConnector.parse(form({ recipient: 'x@shop.example.com', token: TOKEN }))).toThrow(
        ValidationError,
      );
      expect(() => mailgunConnector.parse(form({ from: 'x@example.com' }))).toThrow(ValidationError);
    });
  });

  describe('event webhooks', () => {
    it.each([
      ['delivered', {}, 'message.delivered', 'Email delivered: Your order'],
      ['opened', {}, 'message.read', 'Email opened: Your order'],
      [
        'failed',
        { severity: 'permanent', 'delivery-status': { code: 550, message: 'No such user' } },
        'message.failed',
        'Email failed (550 No such user)',
      ],
    ])('maps %s to a status of the outbound email', (event, extra, type, summary) => {
      // Act
      const { events } = normalize(json(eventWebhook({ event, ...extra })));

      // Assess
      expect(HubEventSchema.parse(events[0])).toMatchObject({
        type,
        channel: 'email',
        summary,
        customer: { identities: [{ type: 'email', value: 'customer@example.com' }] },
        data: { messageId: '20240501.1.ABC@shop.example.com', direction: 'outbound', contentType: 'other' },
      });
    });

    it('carries the SMTP error of a permanent failure', () => {
      // Act
      const { events } = normalize(
        json(
          eventWebhook({
            event: 'failed',
            severity: 'permanent',
            reason: 'bounce',
            'delivery-status': { code: 550, message: '', description: 'Mailbox unavailable' },
          }),
        ),
      );

      // Assess
      expect(events[0]?.data).toMatchObject({ error: { code: '550', message: 'Mailbox unavailable' } });
    });

    it.each([
      ['unsubscribed', 'marketing', 'unsubscribed', 'Unsubscribed from emails'],
      ['complained', 'all', 'spam complaint', 'Marked an email as spam'],
    ])('maps %s to consent.revoked on email (%s)', (event, purpose, reason, summary) => {
      // Act
      const { events } = normalize(json(eventWebhook({ event })));

      // Assess
      expect(HubEventSchema.parse(events[0])).toMatchObject({
        type: 'consent.revoked',
        channel: 'email',
        summary,
        data: { channel: 'email', purpose, reason },
      });
    });

    it.each([
      ['a temporary failure (Mailgun retries)', { event: 'failed', severity: 'temporary' }, /temporary failure/],
      ['clicked', { event: 'clicked' }, /unsupported Mailgun event: clicked/],
      ['accepted', { event: 'accepted' }, /unsupported Mailgun event: accepted/],
      ['an event without recipient', { event: 'delivered', recipient: undefined }, /no recipient/],
    ])('acknowledges and ignores %s', (_, eventData, reason) => {
      // Act
      const { events, ignored } = normalize(json(eventWebhook(eventData)));

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(reason)]);
    });

    it('keys events on the token, so a captured signature block replayed with other data collapses into the original event', () => {
      // Prepare
      const token = 'r'.repeat(50);
      const original = normalize(json(eventWebhook({ event: 'delivered' }, token)));
      const forged = normalize(json(eventWebhook({ event: 'unsubscribed', recipient: 'victim@example.com' }, token)));

      // Act & Assess
      expect(forged.events[0]?.id).toBe(original.events[0]?.id);
    });

    it('refuses an event webhook without event-data as malformed', () => {
      // Act & Assess
      expect(() =>
        mailgunConnector.parse(json({ signature: { timestamp: NOW_SEC, token: TOKEN, signature: 'x' } })),
      ).toThrow(ValidationError);
    });
  });

  describe('through the local hub', () => {
    it('puts the sender of a multipart route forward into the profile, with the display name', async () => {
      // Prepare
      const hub = await startTestHub();

      try {
        // Act
        const res = await postWebhook(hub, 'mailgun', fixture('mailgun', 'route-forward-multipart.txt'), {
          contentType: 'multipart/form-data; boundary=omnihub-mailgun-sample-7b3f2c',
        });
        await hub.idle();
        const profile = await api(
          hub,
          `/v1/customers?identity=${encodeURIComponent('email:olena.koval@example.com.ua')}`,
        );

        // Assess
        expect(res.status, res.text).toBe(200);
        expect(profile.status).toBe(200);
        expect(profile.body.traits).toMatchObject({ name: 'Олена Коваль' });
        expect(Object.keys(profile.body.channels)).toEqual(['email']);
      } finally {
        await hub.stop();
      }
    });

    it('accepts a (timestamp, token) once and refuses its reuse with other fields with 406, on DynamoDB Local', async () => {
      // Prepare: one signing time, so both requests carry the same signature block.
      const hub = await startTestHub();
      const now = new Date();

      try {
        // Act
        const genuine = await postWebhook(hub, 'mailgun', fixture('mailgun', 'route-forward.txt'), {
          contentType: FORM,
          now,
        });
        const forged = await postWebhook(hub, 'mailgun', fixture('mailgun', 'route-forward.txt'), {
          contentType: FORM,
          now,
          tamper: (req) => {
            const params = new URLSearchParams(req.body.toString());
            // Another sender and Message-Id: without the guard this would be a new mail from a new customer.
            params.set('from', 'Mallory <mallory@example.net>');
            params.set('sender', 'mallory@example.net');
            params.set('Message-Id', '<forged-1@example.net>');
            req.body = Buffer.from(params.toString());
          },
        });
        await hub.idle();
        const mallory = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:mallory@example.net')}`);

        // Assess
        expect(genuine.status, genuine.text).toBe(200);
        expect(forged.status, forged.text).toBe(406);
        expect(forged.body?.error?.code).toBe('replayed_request');
        expect(mallory.status).toBe(404);
      } finally {
        await hub.stop();
      }
    });

    it('refuses a route forward whose signature fields were removed from the body', async () => {
      // Prepare
      const hub = await startTestHub();

      try {
        // Act
        const res = await postWebhook(hub, 'mailgun', fixture('mailgun', 'route-forward.txt'), {
          contentType: FORM,
          tamper: (req) => {
            const params = new URLSearchParams(req.body.toString());
            params.delete('signature');
            req.body = Buffer.from(params.toString());
          },
        });

        // Assess
        expect(res.status).toBe(401);
        expect(res.body?.error?.code).toBe('invalid_signature');
      } finally {
        await hub.stop();
      }
    });
  });
});
