/**
 * Ringostat edge cases the fixtures can't express: the `?token=` check, the
 * same call sent as JSON or as a form, Content-Type sniffing, dispositions,
 * call direction, date formats, UTM and agent mapping.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ringostatConnector } from '../../functions/connectors/ringostat/index.js';
import { parseCallDate } from '../../functions/connectors/ringostat/normalize.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Prepare (shared)
const SECRETS = { secret: 'rs-9d2e41b7c3a0' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const VERIFY = { now: TEST_NOW };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/ringostat`;

const call = (fields: Record<string, string | number | null> = {}): Record<string, string | number | null> => ({
  uniqueid: '1714558500.2417',
  calldate: '1714558500',
  caller: '380501234567',
  dst: 'sip_office_1021',
  call_type: 'in',
  disposition: 'ANSWERED',
  duration: '185',
  billsec: '172',
  waittime: '13',
  recording: 'https://example.com/rec/1714558500.2417.mp3',
  employee_fio: 'Olena Shevchenko',
  employee_number: '1021',
  pool_name: 'Google Ads',
  ...fields,
});

const send = (body: string, contentType: string) =>
  signedRequest(ringostatConnector, { case: { method: 'POST', contentType }, body: Buffer.from(body) }, SECRETS);

const asJson = (payload: Record<string, unknown>) => send(JSON.stringify(payload), 'application/json');

const asForm = (payload: Record<string, string | number | null>) =>
  send(
    new URLSearchParams(
      Object.entries(payload).map(([k, v]): [string, string] => [k, v === null ? '' : String(v)]),
    ).toString(),
    'application/x-www-form-urlencoded',
  );

const normalize = (payload: Record<string, unknown>) =>
  ringostatConnector.normalize(ringostatConnector.parse(asJson(payload)), CTX);

const only = (payload: Record<string, unknown>): HubEventOf<'call.completed'> => {
  const { events, ignored } = normalize(payload);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return HubEventSchema.parse(events[0]) as HubEventOf<'call.completed'>;
};

const keys = (event: HubEvent | undefined) => event?.customer.identities.map(identityKey);

describe('Connector: ringostat', () => {
  describe('verify', () => {
    const at = (query: string) => rawRequest({ url: `${WEBHOOK_URL}${query}`, body: '{}' });

    it('accepts ?token= equal to the secret', () => {
      // Act & Assess
      expect(ringostatConnector.verify(at(`?token=${SECRETS.secret}`), SECRETS, VERIFY)).toEqual({ ok: true });
    });

    it('accepts the token next to static parameters Ringostat adds to the URL', () => {
      // Act & Assess
      expect(ringostatConnector.verify(at(`?source=ringostat&token=${SECRETS.secret}`), SECRETS, VERIFY)).toEqual({
        ok: true,
      });
    });

    it.each([
      ['another token', '?token=rs-9d2e41b7c3a1', /does not match/],
      ['no token', '', /Missing/],
      ['an empty token', '?token=', /Missing/],
    ])('rejects %s', (_, query, reason) => {
      // Act & Assess
      expect(ringostatConnector.verify(at(query), SECRETS, VERIFY)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(reason),
      });
    });

    it('fails closed when no secret is configured', () => {
      // Act & Assess
      expect(ringostatConnector.verify(at('?token=x'), {}, VERIFY).ok).toBe(false);
      expect(ringostatConnector.verify(at(''), { secret: '' }, VERIFY).ok).toBe(false);
    });
  });

  describe('body formats', () => {
    it('turns the same call sent as JSON and as a form into the same event', () => {
      // Act
      const fromJson = ringostatConnector.normalize(ringostatConnector.parse(asJson(call())), CTX).events;
      const fromForm = ringostatConnector.normalize(ringostatConnector.parse(asForm(call())), CTX).events;

      // Assess
      expect(fromJson).toHaveLength(1);
      expect(fromForm).toEqual(fromJson);
    });

    it('accepts JSON numbers and nulls', () => {
      // Act
      const event = only(call({ billsec: 172, duration: 185, waittime: 13, calldate: 1714558500, utm_source: null }));

      // Assess
      expect(event.data).toMatchObject({ durationSec: 172, waitSec: 13 });
      expect(event.occurredAt).toBe('2024-05-01T10:15:00.000Z');
    });

    it.each([
      ['JSON with a charset', 'application/json; charset=utf-8', JSON.stringify(call())],
      ['JSON without a Content-Type', '', JSON.stringify(call())],
      ['a form without a Content-Type', '', new URLSearchParams(call() as Record<string, string>).toString()],
      ['a form labelled text/plain', 'text/plain', new URLSearchParams(call() as Record<string, string>).toString()],
    ])('decodes %s', (_, contentType, body) => {
      // Prepare
      const req = rawRequest({
        url: `${WEBHOOK_URL}?token=${SECRETS.secret}`,
        body,
        headers: contentType ? { 'content-type': contentType } : {},
      });

      // Act
      const { events } = ringostatConnector.normalize(ringostatConnector.parse(req), CTX);

      // Assess
      expect(events.map((e) => e.providerEventId)).toEqual(['1714558500.2417']);
    });

    it.each([
      ['uniqueid is missing (JSON)', () => asJson({ caller: '380501234567' })],
      ['uniqueid is missing (form)', () => asForm({ caller: '380501234567' })],
      ['the JSON is an array', () => send('[{"uniqueid":"1"}]', 'application/json')],
      ['the JSON is broken', () => send('{"uniqueid":', 'application/json')],
    ])('throws ValidationError when %s', (_, request) => {
      // Act & Assess
      expect(() => ringostatConnector.parse(request())).toThrow(ValidationError);
    });
  });

  describe('calls', () => {
    it('maps an answered incoming call with agent, line, recording and times', () => {
      // Act
      const event = only(call());

      // Assess
      expect(event.type).toBe('call.completed');
      expect(keys(event)).toEqual(['phone:+380501234567']);
      expect(event.summary).toBe('Incoming call, 2m 52s');
      expect(event.data).toEqual({
        callId: '1714558500.2417',
        direction: 'inbound',
        durationSec: 172,
        waitSec: 13,
        disposition: 'ANSWERED',
        recordingUrl: 'https://example.com/rec/1714558500.2417.mp3',
        agent: { id: '1021', name: 'Olena Shevchenko' },
        line: 'Google Ads',
      });
    });

    it.each([
      ['ANSWERED', 'call.completed'],
      ['PROPER', 'call.completed'],
      ['NO ANSWER', 'call.missed'],
      ['NO_ANSWER', 'call.missed'],
      ['no answer', 'call.missed'],
      ['BUSY', 'call.missed'],
      ['FAILED', 'call.missed'],
      ['VOICEMAIL', 'call.missed'],
    ])('maps disposition %s to %s', (disposition, type) => {
      // Act
      const event = only(call({ disposition, billsec: type === 'call.missed' ? '0' : '172' }));

      // Assess
      expect(event.type).toBe(type);
      if (type === 'call.missed') expect(event.summary).toBe(`Missed incoming call (${disposition})`);
    });

    it('falls back on talk time for an unknown disposition', () => {
      // Act & Assess
      expect(only(call({ disposition: 'TRANSFERRED', billsec: '30' })).type).toBe('call.completed');
      expect(only(call({ disposition: 'TRANSFERRED', billsec: '0' })).type).toBe('call.missed');
    });

    it.each([
      ['IN PROGRESS', 'call 1714558500.2417: disposition IN PROGRESS, not a finished call'],
      ['', 'call 1714558500.2417: no disposition, not a finished call'],
    ])('ignores a call that has not ended (disposition %j)', (disposition, reason) => {
      // Act & Assess
      expect(normalize(call({ disposition }))).toEqual({ events: [], ignored: [reason] });
    });

    it('takes the customer from dst on outgoing calls', () => {
      // Act
      const event = only(call({ call_type: 'out', caller: 'sip_office_1021', dst: '0931234567' }));

      // Assess
      expect(keys(event)).toEqual(['phone:+380931234567']);
      expect(event.data.direction).toBe('outbound');
      expect(event.summary).toBe('Outgoing call, 2m 52s');
    });

    it('treats a website callback as an incoming call and prefers caller_number', () => {
      // Act
      const event = only(call({ call_type: 'callback', caller: 'Ivan <380501234567>', caller_number: '380671112233' }));

      // Assess
      expect(keys(event)).toEqual(['phone:+380671112233']);
      expect(event.data.direction).toBe('inbound');
    });

    it('uses duration when billsec is not selected, and recording_wav when recording is not', () => {
      // Act
      const event = only(call({ billsec: null, recording: null, recording_wav: 'https://example.com/rec/1.wav' }));

      // Assess
      expect(event.data.durationSec).toBe(185);
      expect(event.data.recordingUrl).toBe('https://example.com/rec/1.wav');
    });

    it('keeps UTM tags as customer traits, dropping empty ones', () => {
      // Act
      const event = only(
        call({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', utm_content: '', utm_term: 'kitchens' }),
      );

      // Assess
      expect(event.customer.traits).toEqual({
        utmSource: 'google',
        utmMedium: 'cpc',
        utmCampaign: 'brand',
        utmTerm: 'kitchens',
      });
    });

    it('ignores a call without a usable customer number', () => {
      // Act & Assess
      expect(normalize(call({ caller: 'anonymous' }))).toEqual({
        events: [],
        ignored: ['call 1714558500.2417: no usable customer number'],
      });
    });

    it('uses uniqueid as the dedup key, numbers and strings alike', () => {
      // Act
      const asString = only(call({ uniqueid: '1714558500' }));
      const asNumber = only(call({ uniqueid: 1714558500 }));

      // Assess
      expect(asNumber.providerEventId).toBe('1714558500');
      expect(asNumber.id).toBe(asString.id);
    });
  });

  describe('calldate', () => {
    it.each([
      ['Unix seconds', '1714558500', '2024-05-01T10:15:00.000Z'],
      ['Unix milliseconds', 1714558500000, '2024-05-01T10:15:00.000Z'],
      ['ISO with Z', '2024-05-01T10:15:00Z', '2024-05-01T10:15:00.000Z'],
      ['a space and an offset', '2024-05-01 13:15:00+03:00', '2024-05-01T10:15:00.000Z'],
      ['an offset without colon', '2024-05-01T13:15:00+0300', '2024-05-01T10:15:00.000Z'],
      ['no zone (ambiguous)', '2024-05-01 13:15:00', undefined],
      ['garbage', 'yesterday', undefined],
    ])('reads %s', (_, value, iso) => {
      // Act & Assess
      expect(parseCallDate(value)).toBe(iso);
    });

    it('falls back to receivedAt for a zone-less date', () => {
      // Act & Assess
      expect(only(call({ calldate: '2024-05-01 13:15:00' })).occurredAt).toBe(CTX.receivedAt);
    });
  });
});

describe('Connector: ringostat known-answer authenticity (independent of signSample)', () => {
  // The webhook URL exactly as the README tells operators to paste it, with a token holding characters a URL must
  // escape: the vendor calls the URL as configured, so the hub must percent-decode the parameter before comparing.
  const TOKEN = 'ri+Zq/7w=Hk2';
  const PASTED_URL = 'https://hooks.example.test/webhooks/ringostat?token=ri%2BZq%2F7w%3DHk2';
  const body = () => readFileSync('functions/connectors/ringostat/fixtures/call-answered.json');
  const verify = (url: string) =>
    ringostatConnector.verify(
      rawRequest({ url, body: body(), headers: { 'content-type': 'application/json' } }),
      { secret: TOKEN },
      { now: TEST_NOW },
    );

  it('accepts the fixture posted to the pasted URL', () => {
    // Act & Assess
    expect(verify(PASTED_URL)).toEqual({ ok: true });
  });

  it.each([
    ['the token unescaped (+ decodes to a space)', 'https://hooks.example.test/webhooks/ringostat?token=ri+Zq/7w=Hk2'],
    ['the parameter under another name', 'https://hooks.example.test/webhooks/ringostat?Token=ri%2BZq%2F7w%3DHk2'],
    ['the last character changed', 'https://hooks.example.test/webhooks/ringostat?token=ri%2BZq%2F7w%3DHk3'],
  ])('refuses %s', (_, url) => {
    // Act & Assess
    expect(verify(url).ok).toBe(false);
  });

  it('signs samples the way the pasted URL looks', () => {
    // Act
    const signed = ringostatConnector.signSample(
      {
        url: 'https://hooks.example.test/webhooks/ringostat',
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
