/**
 * Connector fixtures for tests, the CLI and benchmarks: discovers every
 * `functions/connectors/<name>/fixtures/fixtures.json`, validates the
 * manifest and returns each case with its body bytes. A new connector folder
 * is picked up with no edit here (rudder `test/integrations/testUtils.ts`).
 *
 * `signedRequest` turns a case into the `RawRequest` a connector would see in
 * production: signed by the connector's own `signSample`, then passed through
 * the same `toRawRequest` the Lambda and local edges use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { ChannelSchema, HUB_EVENT_TYPES, type HubEventType } from '../../functions/events/hub-event.js';
import type { Connector, ConnectorSecrets } from '../../functions/connectors/types.js';
import { toRawRequest, type RawRequest } from '../../functions/shared/http.js';

/** `functions/connectors`, resolved from this file so tests run from any cwd. */
export const CONNECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../functions/connectors');

export const MANIFEST_FILE = 'fixtures.json';

/** Signing secret of every connector in tests: 24+ bytes, the hub's minimum for operator-chosen secrets. */
export const TEST_SECRET = 'test-secret-of-24-bytes-or-more';
/** Verify token of the Meta connectors in tests (24+ bytes too). */
export const TEST_VERIFY_TOKEN = 'test-verify-token-of-24-bytes';

/** Secrets every fixture is signed with in tests. */
export const TEST_SECRETS: ConnectorSecrets = { secret: TEST_SECRET, verifyToken: TEST_VERIFY_TOKEN };

/** Public base URL the tests pretend vendors were given. */
export const TEST_BASE_URL = 'https://hooks.example.test';

/** Fixed "now" for signing and verifying, so replay windows are deterministic. */
export const TEST_NOW = new Date('2024-05-01T12:00:00.000Z');

const ExpectedEventSchema = z.object({
  type: z.enum(HUB_EVENT_TYPES as [HubEventType, ...HubEventType[]]),
  channel: ChannelSchema,
  /** `type:value` of every identity, in order, after normalization. */
  identities: z.array(z.string().regex(/^[a-z0-9_]+:.+$/, 'identity as type:value')),
  /** Checked when present. */
  providerEventId: z.string().optional(),
  summary: z.string().optional(),
  occurredAt: z.string().optional(),
});

export const FixtureCaseSchema = z
  .object({
    /** File beside the manifest, sent byte for byte as the body. */
    file: z.string().regex(/^[^/\\]+$/, 'a file name in the fixtures folder'),
    description: z.string().min(1),
    /** Where the payload comes from: vendor doc page or SDK test file URL. */
    source: z.string().min(1),
    /** True when copied byte for byte from `source`; false for reconstructed/assembled payloads (say how in `note`). */
    verbatim: z.boolean(),
    note: z.string().optional(),
    contentType: z.string().min(1),
    method: z.string().default('POST'),
    /**
     * Whether the vendor authenticates the body bytes (HMAC over the body).
     * False for shared-token vendors (Telegram header, Marquiz `?token=`) and
     * for signatures over other fields only (Mailgun): the contract test then
     * skips the flipped-body check and relies on the token checks.
     * @default true
     */
    bodySigned: z.boolean().default(true),
    /**
     * For vendors that sign a timestamp: the allowed skew in seconds. The
     * contract test then checks a delivery verified that long after signing
     * (plus a minute) is refused as stale.
     */
    replayWindowSeconds: z.number().int().positive().optional(),
    /**
     * For public-key vendors (SendGrid's ECDSA): the secrets this case is
     * signed and verified with (a test key pair), over `TEST_SECRETS`.
     */
    secrets: z.record(z.string(), z.string()).optional(),
    expect: z.object({
      events: z.array(ExpectedEventSchema),
      /** Number of entries in `ignored`. */
      ignored: z.number().int().nonnegative(),
      /** Number of thin-webhook fetches (`hydrations`) the normalizer asks for. @default 0 */
      hydrations: z.number().int().nonnegative().default(0),
    }),
  })
  .refine((c) => c.verbatim || (c.note ?? '').length > 0, {
    message: 'a non-verbatim fixture needs a note saying how it was built',
    path: ['note'],
  });
export type FixtureCase = z.infer<typeof FixtureCaseSchema>;

export const FixtureManifestSchema = z.array(FixtureCaseSchema).min(1);

export interface LoadedFixture {
  /** Connector folder name (= registry key). */
  readonly connector: string;
  readonly case: FixtureCase;
  readonly path: string;
  readonly body: Buffer;
}

/** Connector folders that have a fixture manifest. */
export const fixtureConnectors = (): string[] =>
  readdirSync(CONNECTORS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(CONNECTORS_DIR, d.name, 'fixtures', MANIFEST_FILE)))
    .map((d) => d.name)
    .sort();

/** The cases of one connector; throws with the manifest path when it is invalid or names a missing file. */
export const loadFixtures = (connector: string): LoadedFixture[] => {
  const dir = join(CONNECTORS_DIR, connector, 'fixtures');
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) return [];
  const parsed = FixtureManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (!parsed.success) throw new Error(`${manifestPath}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.map((c) => {
    const path = join(dir, c.file);
    if (!existsSync(path)) throw new Error(`${manifestPath}: ${c.file} does not exist`);
    return { connector, case: c, path, body: readFileSync(path) };
  });
};

/** Every case of every connector folder. */
export const loadAllFixtures = (): LoadedFixture[] => fixtureConnectors().flatMap(loadFixtures);

/** Files in a connector's fixtures folder that its manifest does not list (forgotten cases). */
export const unlistedFixtureFiles = (connector: string): string[] => {
  const dir = join(CONNECTORS_DIR, connector, 'fixtures');
  if (!existsSync(dir)) return [];
  const listed = new Set(loadFixtures(connector).map((f) => f.case.file));
  return readdirSync(dir).filter((f) => f !== MANIFEST_FILE && !listed.has(f));
};

export interface RequestInit {
  readonly method?: string;
  /** Full public URL including the query string. */
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** @default TEST_BASE_URL */
  readonly baseUrl?: string;
}

/** The API Gateway v2 event of a request (base64 body, so the bytes survive untouched), as the Lambda gets it. */
export const apiGatewayEvent = ({
  method = 'POST',
  url,
  headers = {},
  body = Buffer.alloc(0),
  baseUrl = TEST_BASE_URL,
}: RequestInit): APIGatewayProxyEventV2 => {
  const base = baseUrl.replace(/\/+$/, '');
  if (!url.startsWith(base)) throw new Error(`${url} is not under the base URL ${base}`);
  const target = new URL(url);
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  const rawPath = target.pathname.slice(basePath.length) || '/';
  const rawQueryString = target.search.replace(/^\?/, '');
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${method} /webhooks/{connector}`,
    rawPath,
    rawQueryString,
    headers: { host: target.host, ...headers },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: target.host,
      domainPrefix: target.host.split('.')[0] ?? 'test',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'vitest' },
      requestId: 'test-request',
      routeKey: `${method} /webhooks/{connector}`,
      stage: '$default',
      time: '01/May/2024:12:00:00 +0000',
      timeEpoch: 1714564800000,
    },
    pathParameters: { connector: rawPath.split('/')[2] ?? '' },
  };
  return event;
};

/**
 * Builds a `RawRequest` the way the HTTP edge does: the API Gateway v2 event
 * through `toRawRequest`.
 */
export const rawRequest = (init: RequestInit): RawRequest =>
  toRawRequest(apiGatewayEvent(init), { publicBaseUrl: (init.baseUrl ?? TEST_BASE_URL).replace(/\/+$/, '') });

export interface SignOptions {
  /** @default TEST_BASE_URL */
  readonly baseUrl?: string;
  /** @default TEST_NOW */
  readonly now?: Date;
  /** Replaces the fixture body (malformed-body tests); still signed. */
  readonly body?: Buffer;
}

/**
 * The request a genuine vendor delivery of `fixture` would produce, signed
 * with `secrets` by the connector's own `signSample`.
 */
export const signedRequest = (
  connector: Connector<unknown>,
  fixture: { readonly case: Pick<FixtureCase, 'method' | 'contentType'>; readonly body: Buffer },
  secrets: ConnectorSecrets,
  { baseUrl = TEST_BASE_URL, now = TEST_NOW, body = fixture.body }: SignOptions = {},
): RawRequest => {
  const url = `${baseUrl.replace(/\/+$/, '')}/webhooks/${connector.name}`;
  const { method, contentType } = fixture.case;
  const signed = connector.signSample({ url, method, body, contentType, now }, secrets);
  return rawRequest({
    method,
    url: signed.url,
    headers: { 'content-type': contentType, ...signed.headers },
    body: signed.body ?? body,
    baseUrl,
  });
};
