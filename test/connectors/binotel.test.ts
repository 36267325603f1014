/**
 * Binotel edge cases the fixtures can't express: the `?token=` check and the
 * optional source-IP allowlist, national numbers, every disposition, the
 * customer card versus the agent, PHP empties, the request types that are
 * only acknowledged and the exact `{"status":"success"}` answer.
 */
import qs from 'qs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { BINOTEL_SERVER_IPS, binotelConnector } from '../../functions/connectors/binotel/index.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const SECRETS = { secret: 'bt-6c1f0e9a2d7b' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const VERIFY = { now: TEST_NOW };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/binotel`;

/** PHP-style nested form, the way Binotel encodes it. */
const encode = (payload: Record<string, unknown>): string => qs.stringify(payload);

const completed = (details: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  requestType: 'apiCallCompleted',
  attemptsCounter: '1',
  callDetails: {
    companyID: '12345',
    generalCallID: '2830119237',
    callID: '2830119237',
    startTime: '1714377600',
    callType: '0',
    internalNumber: '901',
    externalNumber: '0971234567',
    waitsec: '7',
    billsec: '245',
    disposition: 'ANSWER',
    customerData: '',
    employeeData: { id: '77', name: 'Operator 1', email: 'operator@example.com' },
    pbxNumberData: { number: '0443334455', name: 'Main line' },
    linkToCallRecordInMyBusiness: 'https://my.binotel.ua/?module=cdrs&action=generateFile&fileName=2830119237.mp3',
    ...details,
  },
  ...extra,
});

const post = (payload: Record<string, unknown>) =>
  signedRequest(
    binotelConnector,
    { case: { method: 'POST', contentType: 'application/x-www-form-urlencoded' }, body: Buffer.from(encode(payload)) },
    SECRETS,
  );

const normalize = (payload: Record<string, unknown>) =>
  binotelConnector.normalize(binotelConnector.parse(post(payload)), CTX);

const only = (payload: Record<string, unknown>): HubEventOf<'call.completed'> | HubEventOf<'call.missed'> => {
  const { events, ignored } = normalize(payload);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return HubEventSchema.parse(events[0]) as HubEventOf<'call.completed'>;
};

const keys = (event: HubEvent) => event.customer.identities.map(identityKey);

describe('Connector: binotel', () => {
  describe('verify', () => {
    const at = (query: string, sourceIp?: string) => {
      const req = rawRequest({ url: `${WEBHOOK_URL}${query}`, body: 'requestType=apiCallCompleted' });
      return sourceIp === undefined ? req : { ...req, sourceIp };
    };

    it('accepts ?token= equal to the secret', () => {
      // Act & Assess
      expect(binotelConnector.verify(at(`?token=${SECRETS.secret}`), SECRETS, VERIFY)).toEqual({ ok: true });
    });

    it.each([
      ['a different token of the same length', '?token=bt-6c1f0e9a2d7c', /does not match/],
      ['a prefix of the token', '?token=bt-6c1f', /does not match/],
      ['an empty token', '?token=', /Missing/],
      ['no token', '', /Missing/],
    ])('rejects %s', (_, query, reason) => {
      // Act
      const result = binotelConnector.verify(at(query), SECRETS, VERIFY);

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    });

    it('fails closed when no secret is configured', () => {
      // Act & Assess
      expect(binotelConnector.verify(at(''), {}, VERIFY).ok).toBe(false);
      expect(binotelConnector.verify(at('?token='), { secret: '' }, VERIFY).ok).toBe(false);
    });

    describe('optional source-IP allowlist (allowedIps)', () => {
      const allowlist = { ...SECRETS, allowedIps: '194.88.218.116, 194.88.219.67,185.100.66.145' };
      const withToken = `?token=${SECRETS.secret}`;

      it.each(['194.88.218.116', '185.100.66.145', '::ffff:194.88.219.67'])('accepts %s from the list', (ip) => {
        // Act & Assess
        expect(binotelConnector.verify(at(withToken, ip), allowlist, VERIFY)).toEqual({ ok: true });
      });

      it('rejects another source even with the right token', () => {
        // Act
        const result = binotelConnector.verify(at(withToken, '203.0.113.10'), allowlist, VERIFY);

        // Assess
        expect(result).toMatchObject({ ok: false, reason: 'Source IP 203.0.113.10 is not in the Binotel allowlist' });
      });

      it('rejects an unknown source when a list is configured', () => {
        // Prepare
        const { sourceIp: _, ...req } = at(withToken);

        // Act & Assess
        expect(binotelConnector.verify(req, allowlist, VERIFY).ok).toBe(false);
      });

      it('checks the token before the source', () => {
        // Act & Assess
        expect(binotelConnector.verify(at('?token=wrong', '194.88.218.116'), allowlist, VERIFY)).toMatchObject({
          ok: false,
          reason: '?token= does not match',
        });
      });

      it('accepts any source when the list is empty', () => {
        // Act & Assess
        expect(binotelConnector.verify(at(withToken, '203.0.113.10'), { ...SECRETS, allowedIps: ' ' }, VERIFY)).toEqual(
          { ok: true },
        );
      });

      it("ships Binotel's documented server list as a starting point", () => {
        // Act & Assess
        expect(BINOTEL_SERVER_IPS).toContain('194.88.218.116');
        expect(new Set(BINOTEL_SERVER_IPS).size).toBe(BINOTEL_SERVER_IPS.length);
      });
    });
  });

  describe('apiCallCompleted', () => {
    it('maps an answered call with the national number read as +380, agent, line, recording and times', () => {
      // Act
      const event = only(completed());

      // Assess
      expect(event.type).toBe('call.completed');
      expect(event.channel).toBe('phone');
      expect(keys(event)).toEqual(['phone:+380971234567']);
      expect(event.occurredAt).toBe('2024-04-29T08:00:00.000Z');
      expect(event.summary).toBe('Incoming call, 4m 5s');
      expect(event.providerEventId).toBe('2830119237');
      expect(event.data).toEqual({
        callId: '2830119237',
        direction: 'inbound',
        durationSec: 245,
        waitSec: 7,
        disposition: 'ANSWER',
        recordingUrl: 'https://my.binotel.ua/?module=cdrs&action=generateFile&fileName=2830119237.mp3',
        agent: { id: '77', name: 'Operator 1' },
        line: '+380443334455',
      });
    });

    it.each([
      ['0971234567', 'phone:+380971234567'],
      ['380971234567', 'phone:+380971234567'],
      ['+380 97 123 45 67', 'phone:+380971234567'],
    ])('reads externalNumber %s as one customer', (externalNumber, identity) => {
      // Act & Assess
      expect(keys(only(completed({ externalNumber })))).toEqual([identity]);
    });

    it('maps callType 1 to an outgoing call', () => {
      // Act
      const event = only(completed({ callType: '1' }));

      // Assess
      expect(event.data.direction).toBe('outbound');
      expect(event.summary).toBe('Outgoing call, 4m 5s');
    });

    it.each([
      ['ANSWER', 'call.completed'],
      ['TRANSFER', 'call.completed'],
      ['NOANSWER', 'call.missed'],
      ['BUSY', 'call.missed'],
      ['CANCEL', 'call.missed'],
      ['CONGESTION', 'call.missed'],
      ['CHANUNAVAIL', 'call.missed'],
      ['VM', 'call.missed'],
      ['VM-SUCCESS', 'call.missed'],
      ['answer', 'call.completed'],
    ])('maps disposition %s to %s', (disposition, type) => {
      // Act
      const event = only(completed({ disposition }));

      // Assess
      expect(event.type).toBe(type);
      if (type === 'call.missed') {
        expect(event.data.durationSec).toBe(0);
        expect(event.summary).toBe(`Missed incoming call (${disposition})`);
      }
    });

    it.each([
      ['an unknown disposition with talk time', 'SUCCESS', '12', 'call.completed'],
      ['an unknown disposition without talk time', 'SOMETHING', '0', 'call.missed'],
    ])('falls back on billsec for %s', (_, disposition, billsec, type) => {
      // Act & Assess
      expect(only(completed({ disposition, billsec })).type).toBe(type);
    });

    it.each([
      ['SMS-SUCCESS', 'call 2830119237: SMS-SUCCESS is an SMS record, not a call'],
      ['ONLINE', 'call 2830119237: disposition ONLINE is not final'],
    ])('ignores disposition %s with a reason', (disposition, reason) => {
      // Act & Assess
      expect(normalize(completed({ disposition }))).toEqual({ events: [], ignored: [reason] });
    });

    it("takes the customer card (email identity, name) but never the agent's email", () => {
      // Act
      const event = only(completed({ customerData: { id: '4711', name: 'Iryna Koval', email: 'Iryna@Example.com' } }));

      // Assess
      expect(keys(event)).toEqual(['phone:+380971234567', 'email:iryna@example.com']);
      expect(event.customer.traits).toEqual({ name: 'Iryna Koval' });
    });

    it('keeps call-tracking (or website callback) UTM tags as customer traits', () => {
      // Act
      const tracked = only(
        completed({
          callTrackingData: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', utm_term: '' },
        }),
      );
      const callback = only(completed({ getCallData: { utm_source: 'facebook' } }));

      // Assess
      expect(tracked.customer.traits).toEqual({ utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'brand' });
      expect(callback.customer.traits).toEqual({ utmSource: 'facebook' });
    });

    it('reads PHP empties (`employeeData=`, `pbxNumberData=`) as absent', () => {
      // Act
      const event = only(completed({ employeeData: '', pbxNumberData: '', linkToCallRecordInMyBusiness: '' }));

      // Assess
      expect(event.data.agent).toBeUndefined();
      expect(event.data.line).toBeUndefined();
      expect(event.data.recordingUrl).toBeUndefined();
    });

    it('ignores an internal call without a customer number', () => {
      // Act & Assess
      expect(normalize(completed({ externalNumber: '' }))).toEqual({
        events: [],
        ignored: ['call 2830119237: no usable customer number (internal call?)'],
      });
    });

    it('collapses a redelivery (attemptsCounter 2) into the same event id', () => {
      // Act
      const first = only(completed());
      const again = only(completed({}, { attemptsCounter: '2' }));

      // Assess
      expect(again.id).toBe(first.id);
    });
  });

  describe('other request types', () => {
    it.each([
      [
        'apiCallSettings',
        { externalNumber: '0671234567', callType: '0', pbxNumber: '0443334023', companyID: '12345' },
        /apiCallSettings: a lookup, answered with the caller's card/,
      ],
      [
        'receivedTheCall',
        { generalCallID: '1', externalNumber: '0671234567', callType: '0' },
        /receivedTheCall: live progress/,
      ],
      ['answeredTheCall', { generalCallID: '1' }, /answeredTheCall: live progress/],
      ['hangupTheCall', { generalCallID: '1', billsec: '3', disposition: 'ANSWER' }, /hangupTheCall: live progress/],
      ['transferredTheCall', { generalCallID: '1', internalNumber: '801' }, /transferredTheCall: live progress/],
      ['somethingNew', {}, /unsupported requestType: somethingNew/],
    ])('acknowledges %s without an event', (requestType, fields, reason) => {
      // Act
      const result = normalize({ requestType, ...fields });

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([expect.stringMatching(reason)]);
    });
  });

  describe('acknowledge', () => {
    it.each([
      ['apiCallCompleted', completed()],
      ['apiCallSettings', { requestType: 'apiCallSettings', externalNumber: '0671234567' }],
    ])('answers %s with exactly {"status":"success"}', (_, payload) => {
      // Prepare
      const parsed = binotelConnector.parse(post(payload));

      // Act
      const response = binotelConnector.acknowledge?.(binotelConnector.normalize(parsed, CTX), parsed);

      // Assess
      expect(response?.statusCode).toBe(200);
      expect(response?.body).toBe('{"status":"success"}');
    });
  });

  describe('parse', () => {
    it.each([
      ['requestType is missing', { callDetails: { generalCallID: '1' } }, /requestType/],
      ['apiCallCompleted has no callDetails', { requestType: 'apiCallCompleted' }, /callDetails/],
      [
        'apiCallCompleted has no generalCallID',
        { requestType: 'apiCallCompleted', callDetails: { billsec: '3' } },
        /callDetails\.generalCallID/,
      ],
    ])('throws ValidationError naming the field when %s', (_, payload, field) => {
      // Act & Assess
      expect(() => binotelConnector.parse(post(payload))).toThrow(ValidationError);
      expect(() => binotelConnector.parse(post(payload))).toThrow(field);
    });

    it('keeps fields Binotel may add', () => {
      // Act
      const parsed = binotelConnector.parse(post(completed({ newField: 'x' }, { language: 'ru' })));

      // Assess
      expect(parsed).toMatchObject({ language: 'ru', callDetails: { newField: 'x' } });
    });
  });

  describe('over HTTP (local hub)', () => {
    const FORM = { contentType: 'application/x-www-form-urlencoded' };
    let open: LocalHub;
    let restricted: LocalHub;
    beforeAll(async () => {
      [open, restricted] = await Promise.all([
        startTestHub(),
        startTestHub({ extraEnv: { OMNIHUB_ALLOWED_IPS_BINOTEL: BINOTEL_SERVER_IPS.join(',') } }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([open?.stop(), restricted?.stop()]);
    });

    it('answers exactly {"status":"success"} and records the call on the +380 profile', async () => {
      // Act
      const res = await postWebhook(open, 'binotel', encode(completed({ externalNumber: '0671110003' })), FORM);
      await open.idle();

      // Assess
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"status":"success"}');
      const profile = await api(open, `/v1/customers?identity=${encodeURIComponent('phone:+380671110003')}`);
      expect(profile.status).toBe(200);
      expect(Object.keys(profile.body.channels)).toContain('phone');
    });

    it('refuses a genuine token from outside the IP allowlist with 401', async () => {
      // Act: the local hub sees 127.0.0.1, which is not a Binotel server.
      const res = await postWebhook(restricted, 'binotel', encode(completed()), FORM);

      // Assess
      expect(res.status).toBe(401);
      expect(res.body?.error?.message).toMatch(/not in the Binotel allowlist/);
    });
  });
});

describe('Connector: binotel known-answer authenticity (independent of signSample)', () => {
  // The webhook URL exactly as the README tells operators to paste it into Binotel, with a token holding
  // characters a URL must escape: Binotel sends the URL as configured, so the hub must percent-decode it.
  const TOKEN = 'bt+Zq/7w=Hk2';
  const PASTED_URL = 'https://hooks.example.test/webhooks/binotel?token=bt%2BZq%2F7w%3DHk2';
  const BODY = 'requestType=apiCallCompleted&attemptsCounter=1';
  const verify = (url: string, sourceIp?: string, allowedIps?: string) =>
    binotelConnector.verify(
      { ...rawRequest({ url, body: BODY }), ...(sourceIp ? { sourceIp } : {}) },
      { secret: TOKEN, ...(allowedIps ? { allowedIps } : {}) },
      VERIFY,
    );

  it('accepts the pasted URL and the same token from one of Binotel documented servers', () => {
    // Act & Assess
    expect(verify(PASTED_URL)).toEqual({ ok: true });
    expect(verify(PASTED_URL, '194.88.218.114', '194.88.218.114,194.88.219.67')).toEqual({ ok: true });
  });

  it.each([
    ['the token unescaped (+ decodes to a space)', 'https://hooks.example.test/webhooks/binotel?token=bt+Zq/7w=Hk2'],
    ['the parameter under another name', 'https://hooks.example.test/webhooks/binotel?Token=bt%2BZq%2F7w%3DHk2'],
    ['the last character changed', 'https://hooks.example.test/webhooks/binotel?token=bt%2BZq%2F7w%3DHk3'],
  ])('refuses %s', (_, url) => {
    // Act & Assess
    expect(verify(url).ok).toBe(false);
  });

  it('refuses the right token from a source outside the allowlist', () => {
    // Act & Assess
    expect(verify(PASTED_URL, '203.0.113.7', '194.88.218.114').ok).toBe(false);
  });

  it('signs samples the way the pasted URL looks', () => {
    // Act
    const signed = binotelConnector.signSample(
      {
        url: 'https://hooks.example.test/webhooks/binotel',
        method: 'POST',
        body: Buffer.from(BODY),
        contentType: 'application/x-www-form-urlencoded',
        now: TEST_NOW,
      },
      { secret: TOKEN },
    );

    // Assess
    expect(signed).toEqual({ url: PASTED_URL, headers: {} });
  });
});
