/** Starts a local hub for integration tests against the shared DynamoDB Local. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { localClient, type DynamoDbLocal } from '../../functions/adapters/local/dynamodb-local.js';
import { startLocalHub, type LocalHub, type LocalHubOptions } from '../../functions/runtime/local/local-hub.js';
import { TEST_SECRET, TEST_VERIFY_TOKEN } from './fixtures.js';

export const sharedDynamo = (): DynamoDbLocal => {
  const endpoint = inject('dynamoEndpoint');
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    client: () => localClient(endpoint),
    stop: async () => undefined,
  };
};

/**
 * Fixture secrets: at least 24 bytes, the minimum the hub accepts for
 * operator-chosen secrets. Shared with the contract tests
 * (`TEST_SECRETS`), which sign every fixture with the connector's own
 * `signSample`; known-answer tests use the vendors' own keys instead.
 */
export { TEST_SECRET, TEST_VERIFY_TOKEN };

/** The read API's bearer token in tests (24+ bytes, like any API token the hub accepts). */
export const TEST_API_TOKEN = 'test-api-token-0123456789';

/**
 * A hub on a fresh table of the shared DynamoDB Local. Every connector's
 * `OMNIHUB_SECRET_*` is `TEST_SECRET` and `OMNIHUB_VERIFY_TOKEN_*` is
 * `TEST_VERIFY_TOKEN`; `extraEnv` adds or overrides variables (vendor API
 * base URLs for hydration tests, …).
 */
export const startTestHub = (
  options: Partial<LocalHubOptions> & { extraEnv?: Record<string, string> } = {},
): Promise<LocalHub> =>
  startLocalHub({
    port: 0,
    dynamo: sharedDynamo(),
    tableName: `test-${randomUUID()}`,
    apiToken: TEST_API_TOKEN,
    retryBaseMs: 50,
    // Every event updates the connectors page at once (the default coalesces to one write a minute).
    connectorActivityIntervalMs: 0,
    // Tests never pick up the developer's subscriptions.config.ts; pass `subscriptions` to test delivery.
    subscriptions: [],
    env: new Proxy({} as NodeJS.ProcessEnv, {
      // Every connector is configured with the same fixture secret.
      get: (_t, name) =>
        typeof name === 'string' && options.extraEnv && name in options.extraEnv
          ? options.extraEnv[name]
          : typeof name === 'string' && name.startsWith('OMNIHUB_SECRET_')
            ? TEST_SECRET
            : typeof name === 'string' && name.startsWith('OMNIHUB_VERIFY_TOKEN_')
              ? TEST_VERIFY_TOKEN
              : undefined,
    }),
    ...options,
  });

export const api = async (hub: LocalHub, path: string): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${hub.apiToken}` } });
  return { status: res.status, body: await res.json() };
};

import { readFileSync } from 'node:fs';
import { findConnector } from '../../functions/connectors/loaded.js';

export interface PostOptions {
  readonly contentType?: string;
  readonly method?: string;
  /** Mutates the signed request before sending (tamper tests). */
  readonly tamper?: (req: { url: string; headers: Record<string, string>; body: Buffer }) => void;
  readonly now?: Date;
  readonly secrets?: Record<string, string>;
}

/** Reads a connector fixture's raw bytes. */
export const fixture = (connector: string, file: string): Buffer =>
  readFileSync(`functions/connectors/${connector}/fixtures/${file}`);

/** Posts a body to the hub signed exactly as the vendor would sign it. */
export const postWebhook = async (
  hub: LocalHub,
  connectorName: string,
  body: Buffer | string,
  opts: PostOptions = {},
) => {
  const connector = findConnector(connectorName);
  if (!connector) throw new Error(`unknown connector ${connectorName}`);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const contentType = opts.contentType ?? 'application/json';
  const signed = connector.signSample(
    {
      url: `${hub.url}/webhooks/${connectorName}`,
      method: opts.method ?? 'POST',
      body: bytes,
      contentType,
      now: opts.now ?? new Date(),
    },
    opts.secrets ?? { secret: TEST_SECRET, verifyToken: TEST_VERIFY_TOKEN },
  );
  const req = {
    url: signed.url,
    headers: { 'content-type': contentType, ...signed.headers },
    body: signed.body ?? bytes,
  };
  opts.tamper?.(req);
  const res = await fetch(req.url, { method: opts.method ?? 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: json };
};
