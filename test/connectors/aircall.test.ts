/**
 * Aircall: the body token as the only authenticity check (a literal
 * known answer: the docs-sample body verified against its own token, not
 * through signSample), talk time vs ringing, and over HTTP an ended call
 * reaching the caller's profile once, with a wrong token refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aircallConnector } from '../../functions/connectors/aircall/index.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { rawRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const URL_ = `${TEST_BASE_URL}/webhooks/aircall`;
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const AT = { now: TEST_NOW };
const ANSWERED = () => fixture('aircall', 'call-ended-answered.json');
const asRequest = (body: Buffer) => rawRequest({ url: URL_, body, headers: { 'content-type': 'application/json' } });
const normalize = (body: unknown) =>
  aircallConnector.normalize(aircallConnector.parse(asRequest(Buffer.from(JSON.stringify(body)))), CTX);

describe('Connector: aircall', () => {
  describe('known answer: the token inside the body', () => {
    // The fixture carries Aircall's sample token as sent: byte for byte, no signSample involved.
    const SAMPLE_TOKEN = '45XXYYZZa08';

    it("accepts the sample body with its own token and refuses it for another webhook's token", () => {
      // Act
      const own = aircallConnector.verify(asRequest(ANSWERED()), { secret: SAMPLE_TOKEN }, AT);
      const other = aircallConnector.verify(asRequest(ANSWERED()), { secret: '45XXYYZZa09' }, AT);

      // Assess
      expect(own).toEqual({ ok: true });
      expect(other.ok).toBe(false);
    });

    it('refuses a body without a token, a token that is no string, and a body that is no JSON', () => {
      // Prepare
      const call = JSON.parse(ANSWERED().toString('utf8'));
      const { token: _token, ...noToken } = call;

      // Act
      const verdicts = [noToken, { ...call, token: 45 }].map(
        (body) =>
          aircallConnector.verify(asRequest(Buffer.from(JSON.stringify(body))), { secret: SAMPLE_TOKEN }, AT).ok,
      );
      const notJson = aircallConnector.verify(
        asRequest(Buffer.from('token=45XXYYZZa08')),
        { secret: SAMPLE_TOKEN },
        AT,
      );

      // Assess
      expect(verdicts).toEqual([false, false]);
      expect(notJson.ok).toBe(false);
    });
  });

  describe('calls', () => {
    it('counts talk time from answer to end, not the ringing in Aircall duration', () => {
      // Prepare
      const call = JSON.parse(ANSWERED().toString('utf8'));

      // Act
      const [event] = normalize(call).events;

      // Assess
      expect(call.data.duration).toBe(320);
      expect(event?.data).toMatchObject({ durationSec: 315, waitSec: 5 });
    });

    it('takes the voicemail link when a missed call left one', () => {
      // Prepare
      const missed = JSON.parse(fixture('aircall', 'call-ended-missed.json').toString('utf8'));
      missed.data.voicemail = 'https://aircall-voicemails.example/812345690.mp3';

      // Act
      const [event] = normalize(missed).events;

      // Assess
      expect(event).toMatchObject({
        type: 'call.missed',
        data: { durationSec: 0, recordingUrl: 'https://aircall-voicemails.example/812345690.mp3' },
      });
    });

    it('answers a call.ended whose call has no direction with a validation error', () => {
      // Prepare
      const call = JSON.parse(ANSWERED().toString('utf8'));
      delete call.data.direction;

      // Act + Assess
      expect(() => normalize(call)).toThrow(/direction/);
    });
  });

  describe('over HTTP (local hub)', () => {
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub();
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('puts an ended call in the caller profile once and refuses a wrong token with 401', async () => {
      // Act
      const first = await postWebhook(hub, 'aircall', ANSWERED());
      const again = await postWebhook(hub, 'aircall', ANSWERED());
      const wrong = await postWebhook(hub, 'aircall', ANSWERED(), { secrets: { secret: 'not-the-token' } });
      const malformed = await postWebhook(hub, 'aircall', '{"resource":"call","event":"call.ended","data":{"id":1}}');
      await hub.idle();

      // Assess
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(again.body.eventIds).toEqual(first.body.eventIds);
      expect(wrong.status).toBe(401);
      expect(wrong.body?.error?.code).toBe('invalid_signature');
      expect(malformed.status).toBe(400);
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('phone:+33612345678')}`);
      expect(profile.status).toBe(200);
      const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
      expect(timeline.body.items).toHaveLength(1);
      expect(timeline.body.items[0]).toMatchObject({ type: 'call.completed', channel: 'phone' });
    });
  });
});
