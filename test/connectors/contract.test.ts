/**
 * The connector contract, checked for every fixture of every registered
 * connector: authenticity (signed passes, tampered or unsigned fails, missing
 * secret fails closed), parsing, normalization to the manifest's expectation,
 * schema validity of every event and idempotent ids. A new connector is
 * covered by adding its folder, its fixtures and its registry line.
 */
import { describe, expect, it } from 'vitest';
import { CONNECTORS, loadConnector, secretEnvName } from '../../functions/connectors/index.js';
import { LOADED_CONNECTORS, listLoadedConnectors } from '../../functions/connectors/loaded.js';
import { findSender } from '../../functions/connectors/senders.js';
import type { Connector, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema, type HubEvent } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import type { RawRequest } from '../../functions/shared/http.js';
import {
  fixtureConnectors,
  loadFixtures,
  signedRequest,
  TEST_BASE_URL,
  TEST_NOW,
  TEST_SECRETS,
  unlistedFixtureFiles,
  type LoadedFixture,
} from '../helpers/fixtures.js';

const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const VERIFY_CTX = { now: TEST_NOW };

/** The fixture secrets, or the case's own (public-key vendors sign with a test key pair). */
const secretsOf = (fixture: LoadedFixture) => ({ ...TEST_SECRETS, ...fixture.case.secrets });

/** Where `signSample` put the credentials: headers it added and query parameters it appended. */
interface AuthCarriers {
  readonly headers: string[];
  readonly params: string[];
}

/** Computed while collecting tests; a throwing `signSample` yields none and fails in 'verify accepts' instead. */
const authCarriers = (connector: Connector<unknown>, fixture: LoadedFixture): AuthCarriers => {
  const url = `${TEST_BASE_URL}/webhooks/${connector.name}`;
  const { method, contentType } = fixture.case;
  let signed;
  try {
    signed = connector.signSample({ url, method, body: fixture.body, contentType, now: TEST_NOW }, secretsOf(fixture));
  } catch {
    return { headers: [], params: [] };
  }
  const before = new URL(url).searchParams;
  return {
    headers: Object.keys(signed.headers)
      .map((h) => h.toLowerCase())
      .filter((h) => h !== 'content-type'),
    params: [...new URL(signed.url).searchParams.keys()].filter((k) => !before.has(k)),
  };
};

/** Same length, different last character: defeats a comparison but not a format check. */
const alter = (value: string): string => `${value.slice(0, -1)}${value.endsWith('a') ? 'b' : 'a'}`;

const withQuery = (req: RawRequest, change: (params: URLSearchParams) => void): RawRequest => {
  const url = new URL(req.url);
  change(url.searchParams);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  return { ...req, url: url.toString(), query };
};

const withoutCarriers = (req: RawRequest, carriers: AuthCarriers): RawRequest => {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !carriers.headers.includes(k)));
  return withQuery({ ...req, headers }, (p) => carriers.params.forEach((k) => p.delete(k)));
};

const withAlteredCarriers = (req: RawRequest, carriers: AuthCarriers): RawRequest => {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, carriers.headers.includes(k) ? alter(v) : v]),
  );
  return withQuery({ ...req, headers }, (p) => carriers.params.forEach((k) => p.set(k, alter(p.get(k) ?? ''))));
};

const flipByte = (body: Buffer, index: number): Buffer => {
  const copy = Buffer.from(body);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
};

const normalizeFixture = (connector: Connector<unknown>, fixture: LoadedFixture, ctx = CTX) =>
  connector.normalize(connector.parse(signedRequest(connector, fixture, secretsOf(fixture))), ctx);

/** The fields of `event` the manifest states, in the manifest's shape. */
const project = (event: HubEvent, keys: readonly string[]): Record<string, unknown> => {
  const full: Record<string, unknown> = {
    type: event.type,
    channel: event.channel,
    identities: event.customer.identities.map(identityKey),
    providerEventId: event.providerEventId,
    summary: event.summary,
    occurredAt: event.occurredAt,
  };
  return Object.fromEntries(keys.map((k) => [k, full[k]]));
};

describe('Connector registry', () => {
  it('registers every connector under its own name', () => {
    // Prepare
    const entries = Object.entries(CONNECTORS);

    // Act & Assess
    for (const [key, connector] of entries) expect(connector.name).toBe(key);
  });

  it("describes each connector in its registry line exactly as its module does, plus its sender's keys", () => {
    for (const [key, entry] of Object.entries(CONNECTORS)) {
      // Prepare
      const connector = LOADED_CONNECTORS[key as keyof typeof CONNECTORS];
      // A sending connector's entry adds its sender's keys (the sender's spec wins a shared name).
      const senderSecrets = findSender(key)?.secrets ?? [];
      const expectedSecrets = [
        ...connector.secrets.filter((s) => !senderSecrets.some((x) => x.name === s.name)),
        ...senderSecrets,
      ];

      // Assess
      expect(connector.name, key).toBe(entry.name);
      expect(connector.displayName, key).toBe(entry.displayName);
      expect(connector.channel, key).toBe(entry.channel);
      expect(connector.docsUrl, key).toBe(entry.docsUrl);
      expect(entry.secrets, key).toEqual(expectedSecrets);
      expect(typeof connector.hydrate === 'function', `${key} hydrates`).toBe(entry.hydrates);
    }
  });

  it('loads a connector once and answers undefined, loading nothing, for an unknown name', async () => {
    // Act
    const [a, b] = await Promise.all([loadConnector('telegram'), loadConnector('telegram')]);

    // Assess
    expect(a).toBe(b);
    expect(a).toBe(LOADED_CONNECTORS.telegram);
    for (const name of ['nobody', '__proto__', 'constructor', undefined]) expect(loadConnector(name)).toBeUndefined();
  });

  it('has a registered connector for every fixtures folder', () => {
    // Prepare
    const registered = Object.keys(CONNECTORS);

    // Act
    const orphans = fixtureConnectors().filter((name) => !registered.includes(name));

    // Assess
    expect(orphans).toEqual([]);
  });
});

for (const connector of listLoadedConnectors()) {
  describe(`Connector: ${connector.name}`, () => {
    // A broken manifest fails this connector's first test, not the whole file's collection.
    let fixtures: LoadedFixture[] = [];
    let manifestError: unknown;
    try {
      fixtures = loadFixtures(connector.name);
    } catch (err) {
      manifestError = err;
    }
    const firstCase = fixtures[0];

    it('ships fixtures, each listed in a valid manifest', () => {
      if (manifestError) throw manifestError;
      expect(fixtures.length).toBeGreaterThan(0);
      expect(unlistedFixtureFiles(connector.name)).toEqual([]);
    });

    it('names its secrets by the env convention', () => {
      // Prepare
      const kinds = { secret: 'SECRET', verifyToken: 'VERIFY_TOKEN' } as const;

      // Act & Assess
      expect(connector.secrets.some((s) => s.name === 'secret' && s.required)).toBe(true);
      for (const spec of connector.secrets) {
        if (spec.name in kinds)
          expect(spec.env).toBe(secretEnvName(kinds[spec.name as keyof typeof kinds], connector.name));
      }
    });

    for (const fixture of fixtures) {
      const { file, description, bodySigned, expect: expected } = fixture.case;
      const carriers = authCarriers(connector, fixture);

      describe(`${file}: ${description}`, () => {
        it('verify accepts the signed request', async () => {
          // Prepare
          const req = signedRequest(connector, fixture, secretsOf(fixture));

          // Act
          const result = await connector.verify(req, secretsOf(fixture), VERIFY_CTX);

          // Assess
          expect(result).toEqual({ ok: true });
        });

        it.skipIf(!bodySigned)('verify rejects the body with one byte flipped', async () => {
          // Prepare
          const req = signedRequest(connector, fixture, secretsOf(fixture));
          const positions = [Math.floor(req.body.length / 2), req.body.length - 1];

          // Act & Assess
          for (const at of positions) {
            const result = await connector.verify(
              { ...req, body: flipByte(req.body, at) },
              secretsOf(fixture),
              VERIFY_CTX,
            );
            expect(result.ok, `byte ${at} flipped`).toBe(false);
          }
        });

        it.skipIf(carriers.headers.length + carriers.params.length === 0)(
          'verify rejects the request with its signature/token removed or altered',
          async () => {
            // Prepare
            const req = signedRequest(connector, fixture, secretsOf(fixture));

            // Act
            const removed = await connector.verify(withoutCarriers(req, carriers), secretsOf(fixture), VERIFY_CTX);
            const altered = await connector.verify(withAlteredCarriers(req, carriers), secretsOf(fixture), VERIFY_CTX);

            // Assess
            expect(removed.ok).toBe(false);
            expect(altered.ok).toBe(false);
            if (!altered.ok) expect(altered.reason).toEqual(expect.any(String));
          },
        );

        it('fails closed when the secret is missing', async () => {
          // Prepare
          const req = signedRequest(connector, fixture, secretsOf(fixture));
          const blank = Object.fromEntries(Object.keys(secretsOf(fixture)).map((k) => [k, '']));

          // Act & Assess
          expect((await connector.verify(req, {}, VERIFY_CTX)).ok).toBe(false);
          expect((await connector.verify(req, blank, VERIFY_CTX)).ok).toBe(false);
        });

        it('normalizes into the expected events', () => {
          // Act
          const result = normalizeFixture(connector, fixture);

          // Assess
          const actual = result.events.map((event, i) => project(event, Object.keys(expected.events[i] ?? {})));
          expect(actual).toEqual(expected.events);
          expect(result.ignored).toHaveLength(expected.ignored);
          expect(result.hydrations ?? []).toHaveLength(expected.hydrations);
          for (const h of result.hydrations ?? []) expect(h.connector).toBe(connector.name);
        });

        it.runIf(fixture.case.replayWindowSeconds !== undefined)(
          'refuses a delivery replayed outside the window as stale',
          async () => {
            // Prepare: signed at TEST_NOW, verified a window and a minute later (and earlier).
            const req = signedRequest(connector, fixture, secretsOf(fixture));
            const skewMs = ((fixture.case.replayWindowSeconds ?? 0) + 60) * 1000;

            // Act
            const late = await connector.verify(req, secretsOf(fixture), {
              now: new Date(TEST_NOW.getTime() + skewMs),
            });
            const early = await connector.verify(req, secretsOf(fixture), {
              now: new Date(TEST_NOW.getTime() - skewMs),
            });

            // Assess
            expect(late).toMatchObject({ ok: false, stale: true });
            expect(early).toMatchObject({ ok: false, stale: true });
          },
        );

        it('produces events that pass HubEventSchema, also after a JSON round trip', () => {
          // Act
          const { events } = normalizeFixture(connector, fixture);

          // Assess
          for (const event of events) {
            const wire = JSON.parse(JSON.stringify(event)) as unknown;
            expect(HubEventSchema.parse(wire)).toEqual(wire);
          }
        });

        it('collapses a redelivery into the same event ids', () => {
          // Act
          const first = normalizeFixture(connector, fixture).events.map((e) => e.id);
          const again = normalizeFixture(connector, fixture, {
            ...CTX,
            receivedAt: '2024-05-02T08:00:00.000Z',
          }).events.map((e) => e.id);

          // Assess
          expect(again).toEqual(first);
          expect(new Set(first).size).toBe(first.length);
        });

        it.skipIf(!connector.acknowledge)('acknowledges with a 2xx', () => {
          // Prepare
          const req = signedRequest(connector, fixture, secretsOf(fixture));
          const payload = connector.parse(req);

          // Act
          const response = connector.acknowledge?.(connector.normalize(payload, CTX), payload);

          // Assess
          expect(response?.statusCode).toBeGreaterThanOrEqual(200);
          expect(response?.statusCode).toBeLessThan(300);
        });
      });
    }

    describe.runIf(firstCase)('malformed bodies', () => {
      it.each(['{', '[]', ''])('parse throws ValidationError for %j', (body) => {
        // Prepare
        const req = signedRequest(connector, firstCase as LoadedFixture, secretsOf(firstCase as LoadedFixture), {
          body: Buffer.from(body),
        });

        // Act & Assess
        expect(() => connector.parse(req)).toThrow(ValidationError);
      });
    });
  });
}
