/**
 * SendGrid Event Webhook: ECDSA P-256 verification against two literal
 * vectors computed outside our code (SendGrid's published one, and one made
 * with openssl over the fixture with a key generated for this test), the
 * replay window, the event mapping, and over HTTP a batch reaching the
 * profile as receipts and consent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendgridConnector } from '../../functions/connectors/sendgrid/index.js';
import { sendgridMessageId } from '../../functions/connectors/sendgrid/normalize.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { rawRequest, TEST_BASE_URL } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const URL_ = `${TEST_BASE_URL}/webhooks/sendgrid`;
const request = (body: Buffer, signature: string | undefined, timestamp: string | undefined) =>
  rawRequest({
    url: URL_,
    body,
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'X-Twilio-Email-Event-Webhook-Signature': signature } : {}),
      ...(timestamp ? { 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp } : {}),
    },
  });

// SendGrid's published test vector (getting-started-event-webhook-security-features; the payload is exactly
// JSON.stringify's output, no spaces).
const DOCS = {
  publicKey:
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==',
  timestamp: '1588788367',
  payload: Buffer.from('{"category":"example_payload","event":"test_event","message_id":"message_id"}'),
  signature: 'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=',
  at: { now: new Date(1588788367 * 1000 + 5000) },
};

// A key pair made for this test: openssl ecparam -name prime256v1 -genkey; public key as SendGrid shows one
// (base64 SPKI DER), private key base64 PKCS#8 DER. The signature was made by openssl over the fixture:
// printf '%s' 1714564800 | cat - events-batch.json | openssl dgst -sha256 -sign ec.pem | base64 -w0
const OPENSSL = {
  publicKey:
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYV3MZT7VicEJvbviDK/iUjb48VgUjexWDdjJcQWeN7ryheQdfVi3YTRXaGye0MX4y394Taq1Ls9AUoy9IF8CLA==',
  privateKey:
    'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqfoKsqAQTLWaXuEodl4JmmH/3PMzySC3RhxFwcuyuFGhRANCAARhXcxlPtWJwQm9u+IMr+JSNvjxWBSN7FYN2MlxBZ43uvKF5B19WLdhNFdobJ7QxfjLf3hNqrUuz0BSjL0gXwIs',
  timestamp: '1714564800',
  signature: 'MEQCIEFhEEYTFh7JG8Ufumn01JGD0/kdSEQzglnnDTa/zRv9AiB8/1eh1q7Exxk9oWzgDWKgRPd+CAgkYxi7hDfM+UYgDQ==',
  at: { now: new Date('2024-05-01T12:00:30Z') },
};
const BATCH = () => fixture('sendgrid', 'events-batch.json');

describe('Connector: sendgrid', () => {
  describe('known-answer signatures (independent of signSample)', () => {
    it("verifies SendGrid's published vector, and refuses it for another timestamp or the payload re-serialized", () => {
      // Act
      const good = sendgridConnector.verify(
        request(DOCS.payload, DOCS.signature, DOCS.timestamp),
        { secret: DOCS.publicKey },
        DOCS.at,
      );
      const otherTime = sendgridConnector.verify(
        request(DOCS.payload, DOCS.signature, '1588788368'),
        { secret: DOCS.publicKey },
        DOCS.at,
      );
      const spaced = sendgridConnector.verify(
        request(
          Buffer.from(JSON.stringify(JSON.parse(DOCS.payload.toString()), null, 1)),
          DOCS.signature,
          DOCS.timestamp,
        ),
        { secret: DOCS.publicKey },
        DOCS.at,
      );

      // Assess
      expect(good).toEqual({ ok: true });
      expect(otherTime.ok).toBe(false);
      expect(spaced.ok).toBe(false);
    });

    it('verifies the openssl signature over the fixture, with the key as base64 DER or as PEM', () => {
      // Prepare
      const pem = `-----BEGIN PUBLIC KEY-----\n${OPENSSL.publicKey}\n-----END PUBLIC KEY-----\n`;

      // Act
      const der = sendgridConnector.verify(
        request(BATCH(), OPENSSL.signature, OPENSSL.timestamp),
        { secret: OPENSSL.publicKey },
        OPENSSL.at,
      );
      const asPem = sendgridConnector.verify(
        request(BATCH(), OPENSSL.signature, OPENSSL.timestamp),
        { secret: pem },
        OPENSSL.at,
      );
      const otherKey = sendgridConnector.verify(
        request(BATCH(), OPENSSL.signature, OPENSSL.timestamp),
        { secret: DOCS.publicKey },
        OPENSSL.at,
      );

      // Assess
      expect(der).toEqual({ ok: true });
      expect(asPem).toEqual({ ok: true });
      expect(otherKey.ok).toBe(false);
    });

    it('signs samples that the same key verifies (signSample checked against the literal key)', () => {
      // Act
      const signed = sendgridConnector.signSample(
        { url: URL_, method: 'POST', body: BATCH(), contentType: 'application/json', now: OPENSSL.at.now },
        { secret: OPENSSL.publicKey, signingKey: OPENSSL.privateKey },
      );
      const verdict = sendgridConnector.verify(
        request(
          BATCH(),
          signed.headers['x-twilio-email-event-webhook-signature'],
          signed.headers['x-twilio-email-event-webhook-timestamp'],
        ),
        { secret: OPENSSL.publicKey },
        OPENSSL.at,
      );

      // Assess
      expect(signed.headers['x-twilio-email-event-webhook-timestamp']).toBe('1714564830');
      expect(verdict).toEqual({ ok: true });
    });

    it('refuses a stale timestamp, a non-canonical signature encoding, and a key that is no P-256 public key', () => {
      // Act
      const stale = sendgridConnector.verify(
        request(BATCH(), OPENSSL.signature, OPENSSL.timestamp),
        { secret: OPENSSL.publicKey },
        { now: new Date('2024-05-02T12:01:01Z') },
      );
      const padded = sendgridConnector.verify(
        request(BATCH(), `${OPENSSL.signature}==`, OPENSSL.timestamp),
        { secret: OPENSSL.publicKey },
        OPENSSL.at,
      );
      const hmacKey = sendgridConnector.verify(
        request(BATCH(), OPENSSL.signature, OPENSSL.timestamp),
        { secret: 'test-secret' },
        OPENSSL.at,
      );

      // Assess
      expect(stale).toMatchObject({ ok: false, stale: true });
      expect(padded.ok).toBe(false);
      expect(hmacKey).toMatchObject({ ok: false, reason: expect.stringContaining('P-256') });
    });
  });

  describe('events', () => {
    it('links receipts to the send call by the X-Message-Id part of sg_message_id', () => {
      expect(sendgridMessageId('14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0')).toBe('14c5d75ce93');
      expect(sendgridMessageId(undefined)).toBeUndefined();
    });

    it('keeps a blocked bounce reachable (the server refused this message, the address exists)', () => {
      // Prepare
      const body = Buffer.from(
        JSON.stringify([
          {
            email: 'a@example.com',
            timestamp: 1,
            event: 'bounce',
            type: 'blocked',
            reason: 'spam content',
            sg_event_id: 'x1',
          },
        ]),
      );

      // Act
      const [event] = sendgridConnector.normalize(sendgridConnector.parse(request(body, undefined, undefined)), {
        receivedAt: '2024-05-01T12:00:00.000Z',
        defaultCountry: 'UA',
      }).events;

      // Assess
      expect(event).toMatchObject({ type: 'message.failed', data: { error: { code: 'blocked' } } });
      expect(event?.data).not.toHaveProperty('error.unreachable');
    });

    it('answers a body that is not an event array with a validation error', () => {
      expect(() => sendgridConnector.parse(request(DOCS.payload, undefined, undefined))).toThrow(
        /SendGrid event batch/,
      );
    });
  });

  describe('over HTTP (local hub)', () => {
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub({ extraEnv: { OMNIHUB_SECRET_SENDGRID: OPENSSL.publicKey } });
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('turns a signed batch into receipts and consent once, and refuses a batch signed with another key', async () => {
      // Prepare
      const secrets = { secret: OPENSSL.publicKey, signingKey: OPENSSL.privateKey };
      // The hub knows whom it emails (a receipt starts no profile): she opted in to the group a minute earlier.
      const batch = JSON.parse(BATCH().toString('utf8')) as { event: string; sg_event_id: string; timestamp: number }[];
      const resubscribe = batch.find((e) => e.event === 'group_resubscribe');
      const optIn = { ...resubscribe, sg_event_id: 'opt-in-before-the-batch', timestamp: 1513299509 };
      const known = await postWebhook(hub, 'sendgrid', Buffer.from(JSON.stringify([optIn])), { secrets });
      expect(known.status).toBe(200);
      await hub.idle();

      // Act
      const first = await postWebhook(hub, 'sendgrid', BATCH(), { secrets });
      const again = await postWebhook(hub, 'sendgrid', BATCH(), { secrets });
      const forged = await postWebhook(hub, 'sendgrid', BATCH(), {
        secrets: {
          secret: OPENSSL.publicKey,
          signingKey:
            'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6qbbKHzQXBtCpePCmLejZW4Fz17Xxy3q2a/CKdjFZGyhRANCAASnFzMDk7dKywEn+A/LNBXHRMbkotEdfSPu5daeLADLik7Ksq84byYp+rfBijKiGTdiA+95ktwiVF3PJJm6V/xc',
        },
      });
      await hub.idle();

      // Assess
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(first.body.eventIds).toHaveLength(9);
      expect(again.body.eventIds).toEqual(first.body.eventIds);
      expect(forged.status).toBe(401);
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:example@test.com')}`);
      expect(profile.status).toBe(200);
      // Revoked by the spam report and the unsubscribes; the group resubscribe at the same second does not win
      // over them (same timestamp: revocation is the safe outcome).
      expect(profile.body.consent.email).toMatchObject({ status: 'revoked', source: 'sendgrid' });
      expect(profile.body.unreachable.email).toMatchObject({ source: 'sendgrid' });
      const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
      expect(timeline.body.items.length).toBeGreaterThan(0);
    });
  });
});
