/**
 * Every vendor API call of every hydrating connector is
 * made with `redirect: 'error'` and a timeout signal, whatever `fetch` the
 * runtime injects: each fixture's hydration requests are run against a
 * recording fetch that stops the call after the first request.
 */
import { describe, expect, it } from 'vitest';
import { listLoadedConnectors } from '../../functions/connectors/loaded.js';
import type { HydrationRequest } from '../../functions/connectors/types.js';
import { loadAllFixtures, signedRequest, TEST_SECRETS } from '../helpers/fixtures.js';

const SECRETS = {
  ...TEST_SECRETS,
  apiToken: 'vendor-api-token',
  apiBaseUrl: 'https://api.vendor.example/rest/1/key/',
  currency: 'USD',
};

const requests = (): Array<[string, HydrationRequest]> =>
  loadAllFixtures().flatMap((f) => {
    const connector = listLoadedConnectors().find((c) => c.name === f.connector);
    if (!connector?.hydrate) return [];
    const { hydrations = [] } = connector.normalize(connector.parse(signedRequest(connector, f, TEST_SECRETS)), {
      receivedAt: '2024-05-01T12:00:00.000Z',
      defaultCountry: 'UA',
    });
    return hydrations.map((h): [string, HydrationRequest] => [`${f.connector} ${h.kind} (${f.case.file})`, h]);
  });

const STOP = new Error('stopped by the test after recording the request');

describe('Vendor API requests', () => {
  const cases = requests();

  it('covers every connector that hydrates, but SES (its only call is the SNS confirmation, tested in ses.test.ts)', () => {
    const covered = new Set(cases.map(([, h]) => h.connector));
    const hydrating = listLoadedConnectors()
      .filter((c) => c.hydrate && c.name !== 'ses')
      .map((c) => c.name);
    expect([...covered].sort()).toEqual(hydrating.sort());
  });

  it.each(cases)('%s: no redirect is followed and the call has a timeout', async (_, request) => {
    // Prepare
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const recording = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), init });
      throw STOP;
    }) as typeof fetch;
    const connector = listLoadedConnectors().find((c) => c.name === request.connector);

    // Act
    const run = connector?.hydrate?.(request, { secrets: SECRETS, defaultCountry: 'UA', fetch: recording });

    // Assess
    await expect(run).rejects.toBe(STOP);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.init?.redirect).toBe('error');
    expect(seen[0]?.init?.signal).toBeInstanceOf(AbortSignal);
    expect(new URL(seen[0]?.url ?? '').hostname).toBe('api.vendor.example');
  });
});
