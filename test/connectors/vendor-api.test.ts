/**
 * The bearer-token JSON read shared by the CRM hydrators (HubSpot, Kommo):
 * gone statuses, failures that must retry, and error messages that never
 * carry the token or the query. The vendors' own tests run it against fake
 * APIs on 127.0.0.1; this one uses a stub `fetch`.
 */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { getWithBearer } from '../../functions/connectors/shared/vendor-api.js';

// Prepare (shared)
const TOKEN = 'pat-secret-token';
const Schema = z.object({ id: z.string() });

interface Call {
  readonly url: string;
  readonly init: RequestInit | undefined;
}

const stub = (response: () => Response) => {
  const calls: Call[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    return response();
  }) as typeof fetch;
  return { calls, fetchFn };
};

const get = (fetchFn: typeof fetch, goneStatuses?: readonly number[]) =>
  getWithBearer(fetchFn, {
    vendor: 'Acme',
    baseUrl: 'https://api.example.test',
    path: '/v1/things/7?secret=q',
    token: TOKEN,
    schema: Schema,
    goneStatuses,
  });

describe('Connector vendor API (shared)', () => {
  it('sends the bearer token and returns the validated body', async () => {
    // Prepare
    const { calls, fetchFn } = stub(() => Response.json({ id: '7', extra: true }));

    // Act
    const thing = await get(fetchFn);

    // Assess
    expect(thing).toEqual({ id: '7' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('https://api.example.test/v1/things/7?secret=q');
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(calls[0]?.init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('reads 404 as gone by default, and the vendor’s own gone statuses when given', async () => {
    // Act & Assess
    expect(await get(stub(() => new Response(null, { status: 404 })).fetchFn)).toBeUndefined();
    await expect(get(stub(() => new Response(null, { status: 204 })).fetchFn)).rejects.toThrow(/not JSON/);
    expect(await get(stub(() => new Response(null, { status: 204 })).fetchFn, [204, 404])).toBeUndefined();
  });

  it.each([
    ['a 5xx', () => new Response('oops', { status: 503 }), /^Acme GET \/v1\/things\/7 failed with HTTP 503$/],
    ['a rejected token', () => new Response('{}', { status: 401 }), /^Acme GET \/v1\/things\/7 failed with HTTP 401$/],
    [
      'a body that is not JSON',
      () => new Response('<html>', { status: 200 }),
      /^Acme GET \/v1\/things\/7 returned a body that is not JSON$/,
    ],
    [
      'an unexpected body',
      () => Response.json({ id: 7 }),
      /^Acme GET \/v1\/things\/7 returned an unexpected body: id: /,
    ],
  ])('throws on %s without the token or the query in the message', async (_, response, message) => {
    // Act
    const error = await get(stub(response).fetchFn).then(
      () => undefined,
      (err: unknown) => err as Error,
    );

    // Assess
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(TOKEN);
    expect(error?.message).not.toContain('secret=q');
  });
});
