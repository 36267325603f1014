/**
 * Every fixture of every connector through the real HTTP surface of the
 * local hub: a genuine delivery is acknowledged and its events reach the
 * profile; the same request without its signature or token is refused with
 * 401; a malformed body with 400; a delivery outside the vendor's replay
 * window as stale. New connectors are covered by their fixture manifests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { findConnector } from '../../functions/connectors/loaded.js';
import { fixtureConnectors, loadFixtures } from '../helpers/fixtures.js';
import { api, postWebhook, startTestHub, TEST_SECRET, TEST_VERIFY_TOKEN } from '../helpers/hub.js';

/** Event types a vendor uses for the status of a message the business sent (delivered, read, failed, sent). */
const RECEIPT_KINDS = new Set(['message.delivered', 'message.read', 'message.failed', 'message.sent']);

/** Removes every credential signSample added: headers, URL parameters, and fields it signed into the body. */
const stripCredentials =
  (unsignedUrl: string, unsignedBody: Buffer) =>
  (req: { url: string; headers: Record<string, string>; body: Buffer }) => {
    for (const name of Object.keys(req.headers)) if (name !== 'content-type') delete req.headers[name];
    req.url = unsignedUrl;
    req.body = unsignedBody;
  };

/** Vendors that put the signature inside the body (Poster's `verify`, Mailgun's fields) can't sign a body they can't parse. */
const signsInsideBody = (name: string, body: Buffer, contentType: string): boolean => {
  const connector = findConnector(name);
  try {
    return (
      connector?.signSample(
        { url: 'http://localhost/webhooks/x', method: 'POST', body, contentType, now: new Date() },
        { secret: 'x' },
      ).body !== undefined
    );
  } catch {
    return true;
  }
};

describe('Connectors over HTTP', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    // Public-key vendors' fixtures carry their own test key pair (SendGrid): the hub is configured with it.
    const extraEnv: Record<string, string> = {};
    for (const name of fixtureConnectors())
      for (const { case: c } of loadFixtures(name))
        for (const spec of findConnector(name)?.secrets ?? [])
          if (c.secrets?.[spec.name] !== undefined) extraEnv[spec.env] = c.secrets[spec.name] as string;
    hub = await startTestHub({ extraEnv });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  for (const name of fixtureConnectors()) {
    const connector = findConnector(name);
    describe.runIf(connector)(`Connector: ${name}`, () => {
      for (const fixture of loadFixtures(name)) {
        const { case: c, body } = fixture;
        const post = {
          contentType: c.contentType,
          method: c.method,
          ...(c.secrets ? { secrets: { secret: TEST_SECRET, verifyToken: TEST_VERIFY_TOKEN, ...c.secrets } } : {}),
        };

        it(`${c.file}: a genuine delivery is acknowledged and reaches the profile`, async () => {
          // Act
          const res = await postWebhook(hub, name, body, post);
          await hub.idle();

          // Assess
          expect(res.status, res.text).toBeGreaterThanOrEqual(200);
          expect(res.status, res.text).toBeLessThan(300);
          for (const event of c.expect.events) {
            const identity = event.identities[0] as string;
            const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);
            // A receipt (a status of the business's own message) reaches a profile only when the customer is
            // known already; test/integration/receipts.test.ts pins that. Anything else must have made one.
            if (profile.status === 404 && RECEIPT_KINDS.has(event.type)) continue;
            expect(profile.status, `profile for ${identity}`).toBe(200);
            expect(Object.keys(profile.body.channels)).toContain(event.channel);
          }
        });

        it(`${c.file}: without its signature or token it is refused with 401`, async () => {
          const res = await postWebhook(hub, name, body, {
            ...post,
            tamper: stripCredentials(`${hub.url}/webhooks/${name}`, body),
          });
          expect(res.status, res.text).toBe(401);
          expect(res.body?.error?.code).toMatch(/invalid_signature|stale_request/);
        });

        it.runIf(c.bodySigned)(`${c.file}: with one byte of the body changed it is refused with 401`, async () => {
          const res = await postWebhook(hub, name, body, {
            ...post,
            tamper: (req) => {
              const copy = Buffer.from(req.body);
              const at = Math.floor(copy.length / 2);
              copy[at] = (copy[at] as number) ^ 0x01;
              req.body = copy;
            },
          });
          expect(res.status, res.text).toBe(401);
        });

        it.runIf(c.replayWindowSeconds !== undefined)(
          `${c.file}: a delivery signed outside the replay window is refused as stale`,
          async () => {
            const signedAt = new Date(Date.now() - ((c.replayWindowSeconds ?? 0) + 120) * 1000);
            const res = await postWebhook(hub, name, body, { ...post, now: signedAt });
            expect(res.status, res.text).toBe(401);
            expect(res.body?.error?.code).toBe('stale_request');
          },
        );
      }

      it.runIf(loadFixtures(name).length > 0)(
        'a malformed body is refused (400, or 401 when the signature lives inside the body)',
        async () => {
          const first = loadFixtures(name)[0];
          const contentType = first?.case.contentType ?? 'application/json';
          const secrets = first?.case.secrets;
          const res = await postWebhook(hub, name, '{', {
            contentType,
            ...(secrets ? { secrets: { secret: TEST_SECRET, verifyToken: TEST_VERIFY_TOKEN, ...secrets } } : {}),
          });
          // A vendor whose signature is a field of the body may be unable to sign `{` at all (then 401).
          const allowed = first && signsInsideBody(name, first.body, contentType) ? [400, 401] : [400];
          expect(allowed, res.text).toContain(res.status);
          if (res.status === 400) expect(res.body?.error?.code).toBe('malformed_request');
        },
      );
    });
  }
});
