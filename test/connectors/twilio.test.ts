/**
 * Twilio edge cases the fixtures can't express: the published signature
 * vectors (recomputed here with node:crypto), the port quirk, repeated keys,
 * decoded values, JSON bodies bound by bodySHA256, the public URL, opt-out
 * keywords, WhatsApp and Messenger through Twilio, every message and call
 * status, and the TwiML acknowledgement.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { EMPTY_TWIML, twilioConnector } from '../../functions/connectors/twilio/index.js';
import { candidateUrls, formParams, twilioSignature } from '../../functions/connectors/twilio/signature.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent, type HubEventOf } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, postWebhook, startTestHub, TEST_SECRET } from '../helpers/hub.js';

// Prepare (shared)
const SECRETS = { secret: 'twilio-auth-token-0123456789abcdef' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const VERIFY = { now: TEST_NOW };
const CUSTOMER = '+380501234567';
const BUSINESS = '+15558675310';

/**
 * Twilio's published vector (twilio-python tests/unit/test_request_validator.py,
 * twilio-php RequestValidatorTest, twilio-csharp RequestValidatorTest).
 */
const VECTOR = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
    Caller: '+14158675309',
  },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
} as const;

/** An independent implementation of the documented algorithm, for known answers. */
const reference = (authToken: string, url: string, pairs: [string, string][]): string => {
  const sorted = [...pairs].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1));
  const data = sorted.reduce((acc, [k, v]) => acc + k + v, url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
};

const form = (params: Record<string, string>): string => new URLSearchParams(params).toString();

/** A request as it reaches the connector at `url` (under its own base URL). */
const requestAt = (url: string, body: string, headers: Record<string, string> = {}) => {
  const u = new URL(url);
  return rawRequest({
    url,
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    baseUrl: `${u.protocol}//${u.host}`,
  });
};

const post = (params: Record<string, string>) =>
  signedRequest(
    twilioConnector,
    { case: { method: 'POST', contentType: 'application/x-www-form-urlencoded' }, body: Buffer.from(form(params)) },
    SECRETS,
  );

const normalize = (params: Record<string, string>) =>
  twilioConnector.normalize(twilioConnector.parse(post(params)), CTX);

const inboundSms = (fields: Record<string, string> = {}) => ({
  MessageSid: 'SM11111111111111111111111111111111',
  SmsSid: 'SM11111111111111111111111111111111',
  SmsStatus: 'received',
  AccountSid: 'AC00000000000000000000000000000000',
  From: CUSTOMER,
  To: BUSINESS,
  Body: 'Hello',
  NumMedia: '0',
  ...fields,
});

const messageStatus = (status: string, fields: Record<string, string> = {}) => ({
  MessageSid: 'SM22222222222222222222222222222222',
  MessageStatus: status,
  SmsStatus: status,
  From: BUSINESS,
  To: CUSTOMER,
  ...fields,
});

const callStatus = (status: string, fields: Record<string, string> = {}) => ({
  CallSid: 'CA33333333333333333333333333333333',
  CallStatus: status,
  Direction: 'inbound',
  From: CUSTOMER,
  To: BUSINESS,
  Timestamp: 'Wed, 01 May 2024 11:59:00 +0000',
  CallbackSource: 'call-progress-events',
  SequenceNumber: '3',
  ...fields,
});

const types = (events: HubEvent[]) => events.map((e) => e.type);
const keys = (event: HubEvent | undefined) => event?.customer.identities.map(identityKey);

describe('Connector: twilio', () => {
  describe('signature (known answers)', () => {
    it('reproduces the published vector, also with an independent HMAC-SHA1', () => {
      // Prepare
      const params = formParams(form(VECTOR.params));

      // Act
      const signature = twilioSignature(VECTOR.authToken, VECTOR.url, params);

      // Assess
      expect(signature).toBe(VECTOR.signature);
      expect(reference(VECTOR.authToken, VECTOR.url, Object.entries(VECTOR.params))).toBe(VECTOR.signature);
    });

    it('verifies the published vector as a request with the body in any parameter order', () => {
      // Prepare: Twilio's parameter order differs from the sorted order.
      const body = 'Digits=1234&To=%2B18005551212&From=%2B14158675309&Caller=%2B14158675309&CallSid=CA1234567890ABCDE';
      const req = requestAt(VECTOR.url, body, { 'X-Twilio-Signature': VECTOR.signature });

      // Act & Assess
      expect(twilioConnector.verify(req, { secret: VECTOR.authToken }, VERIFY)).toEqual({ ok: true });
    });

    it.each([
      ['a signature over :443 for a request without a port', VECTOR.url, 'kvajT1Ptam85bY51eRf/AJRuM3w='],
      [
        'a signature without the port for a request on :443',
        'https://mycompany.com:443/myapp.php?foo=1&bar=2',
        VECTOR.signature,
      ],
      [
        'a signature without the port for a request on https :1234',
        'https://mycompany.com:1234/myapp.php?foo=1&bar=2',
        VECTOR.signature,
      ],
      [
        'a signature over :80 for an http request without a port',
        'http://mycompany.com/myapp.php?foo=1&bar=2',
        '0ZXoZLH/DfblKGATFgpif+LLRf4=',
      ],
      [
        'a signature over :1234 for an http request on :1234',
        'http://mycompany.com:1234/myapp.php?foo=1&bar=2',
        'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
      ],
    ])('handles the port quirk: accepts %s (twilio-python vectors)', (_, url, signature) => {
      // Prepare
      const req = requestAt(url, form(VECTOR.params), { 'X-Twilio-Signature': signature });

      // Act & Assess
      expect(twilioConnector.verify(req, { secret: VECTOR.authToken }, VERIFY)).toEqual({ ok: true });
    });

    it('recomputes the port vectors independently', () => {
      // Act & Assess
      const pairs = Object.entries(VECTOR.params);
      expect(reference('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', pairs)).toBe(
        'kvajT1Ptam85bY51eRf/AJRuM3w=',
      );
      expect(reference('12345', 'http://mycompany.com:80/myapp.php?foo=1&bar=2', pairs)).toBe(
        '0ZXoZLH/DfblKGATFgpif+LLRf4=',
      );
      expect(reference('12345', 'http://mycompany.com:1234/myapp.php?foo=1&bar=2', pairs)).toBe(
        'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
      );
    });

    it('tries the URL as received and without/with its port', () => {
      // Act & Assess
      expect(candidateUrls('https://h.test:8443/p?a=1')).toEqual(
        expect.arrayContaining(['https://h.test:8443/p?a=1', 'https://h.test/p?a=1']),
      );
      expect(candidateUrls('https://h.test/p')).toEqual(
        expect.arrayContaining(['https://h.test/p', 'https://h.test:443/p']),
      );
    });

    it.each([
      ['Digits twice', 'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234'],
      ['a value repeated verbatim', 'Digits=1234&Sid=CA123&Digits=5678&SidAccount=AC123&Digits=1234'],
    ])('signs repeated keys with each distinct value, sorted (%s; twilio-python vector)', (_, body) => {
      // Prepare
      const req = requestAt(VECTOR.url, body, { 'X-Twilio-Signature': 'IK+Dwps556ElfBT0I3Rgjkr1wJU=' });

      // Act & Assess
      expect(twilioConnector.verify(req, { secret: '12345' }, VERIFY)).toEqual({ ok: true });
      expect(
        reference('12345', VECTOR.url, [
          ['Sid', 'CA123'],
          ['SidAccount', 'AC123'],
          ['Digits', '5678'],
          ['Digits', '1234'],
        ]),
      ).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
    });

    it('signs decoded values: + and %20 in the body are the same space', () => {
      // Prepare
      const url = `${TEST_BASE_URL}/webhooks/twilio`;
      const signature = reference(SECRETS.secret, url, [
        ['Body', 'Hello World'],
        ['MessageSid', 'SM1'],
      ]);

      // Act
      const plus = twilioConnector.verify(
        requestAt(url, 'Body=Hello+World&MessageSid=SM1', { 'X-Twilio-Signature': signature }),
        SECRETS,
        VERIFY,
      );
      const pct = twilioConnector.verify(
        requestAt(url, 'Body=Hello%20World&MessageSid=SM1', { 'X-Twilio-Signature': signature }),
        SECRETS,
        VERIFY,
      );

      // Assess
      expect(plus).toEqual({ ok: true });
      expect(pct).toEqual({ ok: true });
    });

    it('verifies a JSON body bound by bodySHA256 in the URL (twilio-python vector)', () => {
      // Prepare
      const body = '{"property": "value", "boolean": true}';
      const hash = createHash('sha256').update(body).digest('hex');
      const url = `${VECTOR.url}&bodySHA256=${hash}`;

      // Act
      const genuine = twilioConnector.verify(
        requestAt(url, body, { 'X-Twilio-Signature': 'a9nBmqA0ju/hNViExpshrM61xv4=' }),
        { secret: '12345' },
        VERIFY,
      );
      const tampered = twilioConnector.verify(
        requestAt(url, body.replace('value', 'other'), { 'X-Twilio-Signature': 'a9nBmqA0ju/hNViExpshrM61xv4=' }),
        { secret: '12345' },
        VERIFY,
      );

      // Assess
      expect(hash).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
      expect(genuine).toEqual({ ok: true });
      expect(tampered).toMatchObject({ ok: false, reason: expect.stringMatching(/bodySHA256/) });
    });

    it("accepts a query quote signed in either spelling (twilio-node normalizes ' to %27)", () => {
      // Prepare
      const url = `${TEST_BASE_URL}/webhooks/twilio?tag=it's`;
      const signature = reference(SECRETS.secret, `${TEST_BASE_URL}/webhooks/twilio?tag=it%27s`, [
        ['MessageSid', 'SM1'],
      ]);

      // Act & Assess
      expect(
        twilioConnector.verify(requestAt(url, 'MessageSid=SM1', { 'X-Twilio-Signature': signature }), SECRETS, VERIFY),
      ).toEqual({ ok: true });
    });
  });

  describe('verify (rejections)', () => {
    const url = `${TEST_BASE_URL}/webhooks/twilio`;
    const body = form(inboundSms());
    const genuine = twilioSignature(SECRETS.secret, url, formParams(body));

    it.each([
      ['a changed parameter value', url, body.replace('Hello', 'Hallo'), genuine],
      ['an added parameter', url, `${body}&Extra=1`, genuine],
      ['a removed parameter', url, body.replace('&NumMedia=0', ''), genuine],
      ['another URL (query added)', `${url}?x=1`, body, genuine],
      ['a signature by another token', url, body, twilioSignature('other-token', url, formParams(body))],
      ['a truncated signature', url, body, genuine.slice(0, -2)],
    ])('rejects %s', (_, at, payload, signature) => {
      // Act
      const result = twilioConnector.verify(
        requestAt(at, payload, { 'X-Twilio-Signature': signature }),
        SECRETS,
        VERIFY,
      );

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
    });

    it('rejects a missing header and fails closed without a token', () => {
      // Act
      const missing = twilioConnector.verify(requestAt(url, body), SECRETS, VERIFY);
      const noToken = twilioConnector.verify(requestAt(url, body, { 'X-Twilio-Signature': genuine }), {}, VERIFY);
      const blankToken = twilioConnector.verify(
        requestAt(url, body, { 'X-Twilio-Signature': genuine }),
        { secret: '' },
        VERIFY,
      );

      // Assess
      expect(missing).toMatchObject({ ok: false, reason: expect.stringMatching(/Missing X-Twilio-Signature/) });
      expect(noToken.ok).toBe(false);
      expect(blankToken.ok).toBe(false);
    });

    it('verifies against the public URL (OMNIHUB_PUBLIC_BASE_URL), not the API Gateway host', () => {
      // Prepare: Twilio was given the custom domain with a stage path.
      const publicBase = 'https://hooks.example.com/prod';
      const internal = 'https://abc123.execute-api.eu-central-1.amazonaws.com/prod/webhooks/twilio';
      const publicUrl = `${publicBase}/webhooks/twilio`;
      const req = (signature: string) =>
        rawRequest({
          url: publicUrl,
          body,
          baseUrl: publicBase,
          headers: { 'X-Twilio-Signature': signature, host: 'abc123.execute-api.eu-central-1.amazonaws.com' },
        });

      // Act
      const signedPublic = twilioConnector.verify(
        req(twilioSignature(SECRETS.secret, publicUrl, formParams(body))),
        SECRETS,
        VERIFY,
      );
      const signedInternal = twilioConnector.verify(
        req(twilioSignature(SECRETS.secret, internal, formParams(body))),
        SECRETS,
        VERIFY,
      );

      // Assess
      expect(req('x').url).toBe(publicUrl);
      expect(signedPublic).toEqual({ ok: true });
      expect(signedInternal.ok).toBe(false);
    });
  });

  describe('incoming messages', () => {
    it('maps an SMS to message.received on sms with the sender phone', () => {
      // Act
      const { events, ignored } = normalize(inboundSms());

      // Assess
      expect(ignored).toEqual([]);
      const event = HubEventSchema.parse(events[0]) as HubEventOf<'message.received'>;
      expect(types(events)).toEqual(['message.received']);
      expect(event.channel).toBe('sms');
      expect(keys(event)).toEqual([`phone:${CUSTOMER}`]);
      expect(event.providerEventId).toBe('SM11111111111111111111111111111111:received');
      expect(event.data).toEqual({
        messageId: 'SM11111111111111111111111111111111',
        direction: 'inbound',
        contentType: 'text',
        text: 'Hello',
      });
    });

    it.each(['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit'])(
      'adds consent.revoked on sms for %j',
      (body) => {
        // Act
        const { events } = normalize(inboundSms({ Body: body }));

        // Assess
        expect(types(events)).toEqual(['message.received', 'consent.revoked']);
        const consent = HubEventSchema.parse(events[1]) as HubEventOf<'consent.revoked'>;
        expect(consent.channel).toBe('sms');
        expect(keys(consent)).toEqual([`phone:${CUSTOMER}`]);
        expect(consent.data).toEqual({
          channel: 'sms',
          purpose: 'all',
          reason: `${body.trim().toUpperCase()} keyword`,
        });
        expect(consent.providerEventId).toBe('SM11111111111111111111111111111111:consent.revoked');
      },
    );

    it.each(['START', 'yes', 'Unstop'])('adds consent.granted on sms for %j', (body) => {
      // Act
      const { events } = normalize(inboundSms({ Body: body }));

      // Assess
      expect(types(events)).toEqual(['message.received', 'consent.granted']);
      expect(events[1]?.summary).toBe(`Opted in to SMS (${body.toUpperCase()})`);
    });

    it.each(['stop please', 'please cancel', 'HELP', 'STOP!', ''])(
      'does not treat %j as a keyword (whole body only)',
      (body) => {
        // Act & Assess
        expect(types(normalize(inboundSms({ Body: body })).events)).toEqual(['message.received']);
      },
    );

    it('honours OptOutType (Advanced Opt-Out) for a custom keyword', () => {
      // Act
      const { events } = normalize(inboundSms({ Body: 'arret', OptOutType: 'STOP' }));

      // Assess
      expect(types(events)).toEqual(['message.received', 'consent.revoked']);
      expect(events[1]?.summary).toBe('Opted out of SMS (ARRET)');
    });

    it('maps WhatsApp via Twilio (WaId) to channel whatsapp with whatsapp and phone identities and the profile name', () => {
      // Act
      const { events } = normalize(
        inboundSms({
          From: 'whatsapp:+380501234567',
          To: 'whatsapp:+14155238886',
          WaId: '380501234567',
          ProfileName: 'Olena',
        }),
      );

      // Assess
      const event = events[0];
      expect(event?.channel).toBe('whatsapp');
      expect(keys(event)).toEqual(['whatsapp:380501234567', 'phone:+380501234567']);
      expect(event?.customer.traits).toEqual({ name: 'Olena' });
    });

    it('does not apply SMS keywords to WhatsApp, but honours OptOutType there', () => {
      // Prepare
      const wa = { From: 'whatsapp:+380501234567', WaId: '380501234567' };

      // Act
      const plain = normalize(inboundSms({ ...wa, Body: 'STOP' }));
      const advanced = normalize(inboundSms({ ...wa, Body: 'STOP', OptOutType: 'STOP' }));

      // Assess
      expect(types(plain.events)).toEqual(['message.received']);
      expect(types(advanced.events)).toEqual(['message.received', 'consent.revoked']);
      expect(advanced.events[1]?.channel).toBe('whatsapp');
    });

    it('keeps a WhatsApp business-scoped id that is not a phone as whatsapp only', () => {
      // Act
      const { events } = normalize(inboundSms({ From: 'whatsapp:US.1234' }));

      // Assess
      expect(keys(events[0])).toEqual(['whatsapp:US.1234']);
    });

    it('maps Messenger via Twilio to a messenger identity, never a phone', () => {
      // Act
      const { events } = normalize(inboundSms({ From: 'messenger:5123456789012345', To: 'messenger:100200300' }));

      // Assess
      expect(events[0]?.channel).toBe('messenger');
      expect(keys(events[0])).toEqual(['messenger:5123456789012345']);
    });

    it('maps MMS media and location messages', () => {
      // Act
      const mms = normalize(
        inboundSms({
          Body: '',
          NumMedia: '2',
          MediaUrl0: 'https://api.twilio.com/m/ME1',
          MediaContentType0: 'video/mp4',
        }),
      );
      const location = normalize(
        inboundSms({ Body: '', Latitude: '50.45', Longitude: '30.52', Address: 'Khreshchatyk St, Kyiv' }),
      );

      // Assess
      const video = mms.events[0] as HubEventOf<'message.received'>;
      expect(video.data).toMatchObject({
        contentType: 'video',
        media: { url: 'https://api.twilio.com/m/ME1', mimeType: 'video/mp4' },
      });
      expect(video.summary).toBe('Video (+1 more)');
      expect((location.events[0] as HubEventOf<'message.received'>).data).toMatchObject({
        contentType: 'location',
        text: 'Khreshchatyk St, Kyiv',
      });
    });

    it('ignores a message from an address the hub does not model', () => {
      // Act
      const result = normalize(inboundSms({ From: 'client:alice' }));

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([
        'message SM11111111111111111111111111111111: address client: is not a customer channel the hub models',
      ]);
    });
  });

  describe('message status callbacks', () => {
    it.each([
      ['sent', 'message.sent'],
      ['delivered', 'message.delivered'],
      ['read', 'message.read'],
      ['failed', 'message.failed'],
      ['undelivered', 'message.failed'],
    ])('maps %s to %s for the recipient (To)', (status, type) => {
      // Act
      const { events, ignored } = normalize(messageStatus(status));

      // Assess
      expect(ignored).toEqual([]);
      expect(types(events)).toEqual([type]);
      expect(keys(events[0])).toEqual([`phone:${CUSTOMER}`]);
      expect(events[0]?.providerEventId).toBe(`SM22222222222222222222222222222222:${status}`);
    });

    it.each(['queued', 'accepted', 'sending', 'scheduled'])(
      'ignores the intermediate status %s with a reason',
      (status) => {
        // Act & Assess
        expect(normalize(messageStatus(status))).toEqual({
          events: [],
          ignored: [`message SM22222222222222222222222222222222: intermediate status ${status}`],
        });
      },
    );

    it('carries the error of an undelivered message', () => {
      // Act
      const event = normalize(messageStatus('undelivered', { ErrorCode: '30003' }))
        .events[0] as HubEventOf<'message.failed'>;

      // Assess
      expect(event.data.error).toEqual({ code: '30003', message: 'Unreachable destination handset' });
      expect(event.summary).toBe('Status: undelivered (30003 Unreachable destination handset)');
    });

    it('records an opt-out when Twilio refuses a recipient who replied STOP (21610)', () => {
      // Act
      const { events } = normalize(messageStatus('failed', { ErrorCode: '21610' }));

      // Assess
      expect(types(events)).toEqual(['message.failed', 'consent.revoked']);
      expect(keys(events[1])).toEqual([`phone:${CUSTOMER}`]);
    });
  });

  describe('voice status callbacks', () => {
    it('maps completed inbound calls to call.completed with duration, recording, line and the callback time', () => {
      // Act
      const { events } = normalize(
        callStatus('completed', { CallDuration: '125', RecordingUrl: 'https://api.twilio.com/rec/RE1' }),
      );

      // Assess
      const event = HubEventSchema.parse(events[0]) as HubEventOf<'call.completed'>;
      expect(event.channel).toBe('phone');
      expect(keys(event)).toEqual([`phone:${CUSTOMER}`]);
      expect(event.occurredAt).toBe('2024-05-01T11:59:00.000Z');
      expect(event.summary).toBe('Incoming call, 2m 5s');
      expect(event.providerEventId).toBe('CA33333333333333333333333333333333:completed:3');
      expect(event.data).toEqual({
        callId: 'CA33333333333333333333333333333333',
        direction: 'inbound',
        durationSec: 125,
        disposition: 'completed',
        recordingUrl: 'https://api.twilio.com/rec/RE1',
        line: BUSINESS,
      });
    });

    it.each(['outbound-api', 'outbound-dial'])('takes the customer from To on %s calls', (direction) => {
      // Act
      const { events } = normalize(
        callStatus('completed', { Direction: direction, From: BUSINESS, To: CUSTOMER, CallDuration: '10' }),
      );

      // Assess
      const event = events[0] as HubEventOf<'call.completed'>;
      expect(keys(event)).toEqual([`phone:${CUSTOMER}`]);
      expect(event.data).toMatchObject({ direction: 'outbound', line: BUSINESS });
    });

    it.each(['no-answer', 'busy', 'failed', 'canceled'])('maps %s to call.missed with zero duration', (status) => {
      // Act
      const event = normalize(callStatus(status, { CallDuration: '0' })).events[0] as HubEventOf<'call.missed'>;

      // Assess
      expect(event.type).toBe('call.missed');
      expect(event.data.durationSec).toBe(0);
      expect(event.summary).toBe(`Missed incoming call (${status})`);
    });

    it.each(['initiated', 'ringing', 'in-progress', 'queued'])('ignores the non-final status %s', (status) => {
      // Act & Assess
      expect(normalize(callStatus(status))).toEqual({
        events: [],
        ignored: [`call CA33333333333333333333333333333333: status ${status} is not a final outcome`],
      });
    });

    it('dedups on CallSid, status and SequenceNumber, and on CallSid and status without one', () => {
      // Act
      const withSeq = normalize(callStatus('completed')).events[0];
      const withoutSeq = normalize({ ...callStatus('completed'), SequenceNumber: '' }).events[0];

      // Assess
      expect(withSeq?.providerEventId).toBe('CA33333333333333333333333333333333:completed:3');
      expect(withoutSeq?.providerEventId).toBe('CA33333333333333333333333333333333:completed');
    });
  });

  describe('acknowledge', () => {
    it('answers an incoming message with empty TwiML, so Twilio sends nothing back', () => {
      // Prepare
      const payload = twilioConnector.parse(post(inboundSms()));

      // Act
      const response = twilioConnector.acknowledge?.(twilioConnector.normalize(payload, CTX), payload);

      // Assess
      expect(response).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: EMPTY_TWIML,
      });
      expect(EMPTY_TWIML).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    });

    it.each([
      ['a message status callback', messageStatus('delivered')],
      ['a call status callback', callStatus('completed')],
    ])('answers %s with 204 and no body', (_, params) => {
      // Prepare
      const payload = twilioConnector.parse(post(params));

      // Act
      const response = twilioConnector.acknowledge?.(twilioConnector.normalize(payload, CTX), payload);

      // Assess
      expect(response?.statusCode).toBe(204);
      expect(response?.body).toBe('');
    });
  });

  describe('parse', () => {
    it.each([
      ['no message or call SID', 'From=%2B380501234567&Body=hi'],
      ['a JSON body', '{"MessageSid":"SM1"}'],
    ])('throws ValidationError for %s', (_, body) => {
      // Prepare
      const req = signedRequest(
        twilioConnector,
        { case: { method: 'POST', contentType: 'application/x-www-form-urlencoded' }, body: Buffer.from(body) },
        SECRETS,
      );

      // Act & Assess
      expect(() => twilioConnector.parse(req)).toThrow(ValidationError);
    });

    it('keeps parameters Twilio adds without notice', () => {
      // Act
      const payload = twilioConnector.parse(post(inboundSms({ NewParam: 'x' })));

      // Assess
      expect(payload).toMatchObject({ NewParam: 'x' });
    });
  });

  describe('over HTTP (local hub behind a public URL)', () => {
    const PUBLIC_BASE = 'https://hooks.example.com/prod';
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub({ publicBaseUrl: PUBLIC_BASE });
    });
    afterAll(async () => {
      await hub?.stop();
    });

    /** Posts as Twilio would: signed over the public URL it was given, delivered to the hub. */
    const deliver = (params: Record<string, string>, signedUrl = `${PUBLIC_BASE}/webhooks/twilio`) => {
      const body = form(params);
      return fetch(`${hub.url}/webhooks/twilio`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(TEST_SECRET, signedUrl, formParams(body)),
        },
        body,
      });
    };

    it('answers an incoming SMS with empty TwiML and records the STOP as an SMS opt-out', async () => {
      // Act
      const res = await deliver(inboundSms({ Body: 'STOP', From: '+380671110001' }));
      await hub.idle();

      // Assess
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await res.text()).toBe(EMPTY_TWIML);
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:+380671110001')}`);
      expect(profile.status).toBe(200);
      expect(profile.body.consent.sms).toMatchObject({ status: 'revoked' });
    });

    it('answers a status callback with 204', async () => {
      // Act
      const res = await deliver(messageStatus('delivered', { To: '+380671110002' }));

      // Assess
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
    });

    it('refuses a signature over the address the hub listens on instead of the public URL', async () => {
      // Act: postWebhook signs over http://127.0.0.1:<port>/webhooks/twilio.
      const res = await postWebhook(hub, 'twilio', form(inboundSms()), {
        contentType: 'application/x-www-form-urlencoded',
      });

      // Assess
      expect(res.status).toBe(401);
      expect(res.body?.error?.code).toBe('invalid_signature');
    });
  });
});
