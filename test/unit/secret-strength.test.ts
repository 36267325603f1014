/**
 * Weak secrets: which secrets have a 24-byte minimum (the
 * ones the operator chooses, and vendor secrets whose format guarantees it),
 * how the ingest handler fails closed on AWS where secrets are only known at
 * request time (503, a WARN log naming the connector and never the value),
 * what `GET /v1/connectors` says, and `npm start` refusing to start, naming
 * the variable.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECTORS, listConnectors } from '../../functions/connectors/index.js';
import { EnvSecretStore } from '../../functions/adapters/local/env-secret-store.js';
import { MemorySecretProblemLog } from '../../functions/adapters/memory/memory-secret-problems.js';
import { MIN_SECRET_BYTES, weakSecrets } from '../../functions/connectors/shared/secret-strength.js';
import type { ConnectorSecrets } from '../../functions/connectors/types.js';
import { connectorRoutes } from '../../functions/handlers/api/connectors.js';
import type { ApiDeps } from '../../functions/handlers/api/deps.js';
import { createIngestHandler } from '../../functions/handlers/ingest.js';
import { localSecretProblems, WeakSecretsError } from '../../functions/runtime/local/local-secrets.js';
import { startLocalHub } from '../../functions/runtime/local/local-hub.js';
import { logger } from '../../functions/shared/logger.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../functions/shared/http.js';
import { parseSubscriptions } from '../../functions/subscriptions/config.js';
import { buildRequest } from '../../functions/subscriptions/delivery.js';
import { apiGatewayEvent, fixtureConnectors, loadFixtures, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

const CONTEXT = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as Context;
const STRONG = 'a-strong-secret-of-32-bytes-long';
const WEAK = 'hunter2-but-23-bytes-ok';

/** The connectors whose signing secret has the minimum, and why (README per connector says the same). */
const MINIMUM: Record<string, 'operator' | 'vendor guarantees ≥ 24' | 'none'> = {
  aircall: 'none',
  app: 'operator',
  binotel: 'operator',
  bitrix24: 'none',
  freshdesk: 'operator',
  hubspot: 'vendor guarantees ≥ 24',
  instagram: 'vendor guarantees ≥ 24',
  kommo: 'operator',
  mailgun: 'none',
  marquiz: 'operator',
  messenger: 'vendor guarantees ≥ 24',
  poster: 'none',
  ringostat: 'operator',
  sendgrid: 'none',
  'sendgrid-inbound': 'operator',
  ses: 'none',
  shopify: 'vendor guarantees ≥ 24',
  site: 'operator',
  square: 'none',
  telegram: 'operator',
  twilio: 'vendor guarantees ≥ 24',
  typeform: 'operator',
  viber: 'vendor guarantees ≥ 24',
  whatsapp: 'vendor guarantees ≥ 24',
  woocommerce: 'operator',
  zendesk: 'none',
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Secret minimums', () => {
  it('decides for every registered connector whether its signing secret has the 24-byte minimum', () => {
    // Act
    const decided = Object.fromEntries(
      listConnectors().map((c) => [c.name, c.secrets.find((s) => s.name === 'secret')?.minBytes]),
    );

    // Assess
    expect(Object.keys(decided).sort()).toEqual(Object.keys(MINIMUM).sort());
    for (const [name, why] of Object.entries(MINIMUM))
      expect(decided[name], name).toBe(why === 'none' ? undefined : MIN_SECRET_BYTES);
  });

  it('gives every verify token (chosen by the operator) the minimum', () => {
    for (const c of listConnectors())
      for (const s of c.secrets.filter((s) => s.name === 'verifyToken')) expect(s.minBytes, c.name).toBe(24);
  });

  it.each([
    ['telegram', WEAK, 23],
    ['marquiz', 'x', 1],
    ['typeform', 'пароль1234', 16], // bytes, not characters: Cyrillic letters are 2 bytes each
    ['site', 'whsec_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnc=', 23],
    ['site', 'k', 1],
  ])('finds a %s secret of %j too weak (%d bytes)', (name, secret, bytes) => {
    // Act
    const weak = weakSecrets(CONNECTORS[name as keyof typeof CONNECTORS], { secret });

    // Assess
    expect(weak).toEqual([expect.objectContaining({ connector: name, name: 'secret', bytes, minBytes: 24 })]);
  });

  it.each([
    ['telegram', STRONG],
    ['site', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    // Vendor keys the hub takes as issued: Square signature keys are 22 characters.
    ['square', 'Kj6AfBoS9P2tNRkG7xWcYw'],
    ['mailgun', 'key-short'],
  ])('accepts the %s secret %j', (name, secret) => {
    expect(weakSecrets(CONNECTORS[name as keyof typeof CONNECTORS], { secret })).toEqual([]);
  });

  it('flags a short verify token even when the signing secret is strong', () => {
    // Act
    const weak = weakSecrets(CONNECTORS.whatsapp, { secret: STRONG, verifyToken: 'verify' });

    // Assess
    expect(weak.map((w) => w.name)).toEqual(['verifyToken']);
  });
});

describe('Weak secrets at request time (AWS: Secrets Manager values are unknown at synth)', () => {
  const handler = (secrets: ConnectorSecrets) =>
    createIngestHandler({
      publisher: { publish: async () => undefined, putEntries: async () => undefined },
      secrets: { get: async () => secrets },
      replayGuard: { claim: async () => ({ status: 'in-flight' }) },
      defaultCountry: 'UA',
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      publicBaseUrl: TEST_BASE_URL,
      now: () => TEST_NOW,
    });
  const telegram = (): APIGatewayProxyEventV2 => {
    const [first] = loadFixtures('telegram');
    const body = first?.body ?? Buffer.from('{}');
    return apiGatewayEvent({
      url: `${TEST_BASE_URL}/webhooks/telegram`,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEAK },
      body,
    });
  };

  it('refuses a correctly authenticated request with 503 when the secret is too short, and warns naming the connector only', async () => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn');

    // Act
    const res = await handler({ secret: WEAK })(telegram(), CONTEXT);

    // Assess
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body ?? '{}').error.code).toBe('connector_not_configured');
    expect(res.body).not.toContain(WEAK);
    expect(warn).toHaveBeenCalledWith(
      'connector not configured: request refused',
      expect.objectContaining({
        connector: 'telegram',
        problems: [expect.stringMatching(/"secret" \(locally OMNIHUB_SECRET_TELEGRAM\) holds 23 bytes/)],
      }),
    );
    expect(JSON.stringify(warn.mock.calls)).not.toContain(WEAK);
  });

  it('refuses the Meta GET handshake when the verify token is too short', async () => {
    // Prepare
    const event = apiGatewayEvent({
      method: 'GET',
      url: `${TEST_BASE_URL}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42&hub.verify_token=verify`,
    });

    // Act
    const res = await handler({ secret: STRONG, verifyToken: 'verify' })(event, CONTEXT);

    // Assess
    expect(res.statusCode).toBe(503);
  });

  it('reports the problem (at most once a minute) where GET /v1/connectors reads it, and says it', async () => {
    // Prepare: on AWS the api reads secret metadata only, so it learns of a short value from ingest's report.
    const problems = new MemorySecretProblemLog();
    const report = vi.spyOn(problems, 'report');
    const ingest = createIngestHandler({
      publisher: { publish: async () => undefined, putEntries: async () => undefined },
      secrets: { get: async () => ({ secret: WEAK }) },
      replayGuard: { claim: async () => ({ status: 'in-flight' }) },
      secretProblems: problems,
      defaultCountry: 'UA',
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      publicBaseUrl: TEST_BASE_URL,
      now: () => TEST_NOW,
    });
    const routes = connectorRoutes({
      // Secrets Manager metadata: every secret has a value set before the report.
      secretStatus: { status: async () => ({ configured: true, updatedAt: '2024-05-01T11:00:00.000Z' }) },
      secretProblems: problems,
    } as unknown as ApiDeps);

    // Act
    await ingest(telegram(), CONTEXT);
    await ingest(telegram(), CONTEXT);
    const res = await routes['GET /v1/connectors']({} as APIGatewayProxyEventV2);
    const { connectors } = JSON.parse(res.body ?? '{}') as {
      connectors: Array<{ name: string; configured: boolean; reason?: string }>;
    };

    // Assess
    expect(report).toHaveBeenCalledTimes(1);
    const tg = connectors.find((c) => c.name === 'telegram');
    expect(tg?.configured).toBe(false);
    expect(tg?.reason).toMatch(/"secret" \(locally OMNIHUB_SECRET_TELEGRAM\) holds 23 bytes; at least 24 are required/);
    expect(res.body).not.toContain(WEAK);
    expect(connectors.find((c) => c.name === 'marquiz')).toMatchObject({ configured: true });
  });

  it('forgets a report once the secret was changed after it', async () => {
    // Prepare
    const problems = new MemorySecretProblemLog();
    await problems.report('telegram', ['telegram: "secret" … holds 23 bytes'], new Date('2024-05-01T11:00:00.000Z'));
    const routes = connectorRoutes({
      secretStatus: { status: async () => ({ configured: true, updatedAt: '2024-05-01T11:30:00.000Z' }) },
      secretProblems: problems,
    } as unknown as ApiDeps);

    // Act
    const res = await routes['GET /v1/connectors']({} as APIGatewayProxyEventV2);

    // Assess
    const { connectors } = JSON.parse(res.body ?? '{}') as { connectors: Array<{ name: string; configured: boolean }> };
    expect(connectors.find((c) => c.name === 'telegram')?.configured).toBe(true);
  });

  it('says it locally too, where the environment store sees the value', async () => {
    // Prepare
    const store = new EnvSecretStore({ OMNIHUB_SECRET_TELEGRAM: WEAK, OMNIHUB_SECRET_MARQUIZ: STRONG });
    const routes = connectorRoutes({ secretStatus: store } as unknown as ApiDeps);

    // Act
    const res = await routes['GET /v1/connectors']({} as APIGatewayProxyEventV2);
    const { connectors } = JSON.parse(res.body ?? '{}') as {
      connectors: Array<{ name: string; configured: boolean; reason?: string; secrets: Record<string, unknown>[] }>;
    };

    // Assess
    const tg = connectors.find((c) => c.name === 'telegram');
    expect(tg?.configured).toBe(false);
    expect(tg?.secrets).toContainEqual(expect.objectContaining({ name: 'secret', configured: false, minBytes: 24 }));
    expect(tg?.reason).toMatch(/holds 23 bytes/);
    expect(connectors.find((c) => c.name === 'marquiz')).toMatchObject({ configured: true });
    expect(res.body).not.toContain(WEAK);
  });
});

describe('Weak secrets at npm start', () => {
  const subscriptions = parseSubscriptions([
    {
      name: 'crm-leads',
      pattern: { 'detail-type': ['lead.submitted'] },
      target: { type: 'webhook', url: 'https://crm.example.com/hooks' },
    },
  ]);

  it('names every weak variable: connector secrets, the API token and webhook subscription secrets', () => {
    // Act
    const problems = localSecretProblems({
      env: {
        OMNIHUB_SECRET_TELEGRAM: WEAK,
        OMNIHUB_SECRET_MARQUIZ: STRONG,
        OMNIHUB_VERIFY_TOKEN_WHATSAPP: 'verify',
        OMNIHUB_SUBSCRIPTION_SECRET_CRM_LEADS: 'whsec_c2hvcnQ=',
      },
      apiToken: { value: 'token', source: 'OMNIHUB_API_TOKEN' },
      subscriptions,
    });

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^telegram: "secret" \(locally OMNIHUB_SECRET_TELEGRAM\) holds 23 bytes/),
      expect.stringMatching(/^whatsapp: "verifyToken" \(locally OMNIHUB_VERIFY_TOKEN_WHATSAPP\) holds 6 bytes/),
      'OMNIHUB_API_TOKEN holds 5 bytes; at least 24 are required',
      expect.stringMatching(
        /^subscription crm-leads \(OMNIHUB_SUBSCRIPTION_SECRET_CRM_LEADS\): the signing secret holds 5 bytes/,
      ),
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|verify'|c2hvcnQ/);
  });

  it('refuses to start the local hub, before starting anything', async () => {
    // Act
    const start = startLocalHub({ env: { OMNIHUB_SECRET_TYPEFORM: 'typeform' }, subscriptions: [], port: 0 });

    // Assess
    await expect(start).rejects.toThrow(WeakSecretsError);
    await expect(start).rejects.toThrow(/OMNIHUB_SECRET_TYPEFORM\) holds 8 bytes; at least 24 are required/);
  });

  it('refuses to sign a subscription webhook with a short secret (the dispatcher fails the attempt, closed)', () => {
    // Act & Assess
    expect(() =>
      buildRequest({
        subscription: subscriptions[0] as (typeof subscriptions)[number],
        rawEnvelope: '{}',
        envelope: {},
        secret: 'c2hvcnQ=',
        attempt: 1,
        now: TEST_NOW,
      }),
    ).toThrow(/crm-leads: the signing secret holds 5 bytes/);
  });

  it('keeps the fixture connectors covered (a new connector must decide too)', () => {
    expect(fixtureConnectors().every((name) => name in MINIMUM)).toBe(true);
  });
});
