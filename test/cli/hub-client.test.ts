/**
 * The CLI's hub client against a real HTTP server on this machine: every way
 * a call can fail becomes a readable sentence and the exit code scripts rely
 * on (bin/cli.ts `EXIT`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CliError, EXIT, UsageError } from '../../bin/cli.js';
import { HubClient, HubUnreachableError, resolveApiToken, resolveHubUrl } from '../../bin/hub-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let baseUrl: string;
let handler: Handler = (_req, res) => res.end();
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const answer =
  (status: number, body: unknown, contentType = 'application/json'): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

const hubError = (status: number, code: string, message: string) => answer(status, { error: { code, message } });

/** The error a call throws (the test fails if it resolves). */
const failure = async (call: Promise<unknown>): Promise<CliError> => {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CliError)) throw new Error(`expected a CliError, got ${String(err)}`);
  return err;
};

const client = (timeoutMs?: number) =>
  new HubClient({ baseUrl, token: 'tok-123', ...(timeoutMs ? { timeoutMs } : {}) });

describe('CLI: hub client', () => {
  it('sends the bearer token, the JSON body and the query, and returns the validated answer', async () => {
    // Prepare
    handler = answer(202, { replayName: 'r-1', state: 'COMPLETED', extra: true });
    seen.length = 0;

    // Act
    const result = await client().post('/v1/subscriptions/crm/replay', {
      query: { dryRun: 1, skip: undefined },
      body: { from: '2025-01-01T00:00:00Z' },
      schema: z.object({ replayName: z.string(), state: z.string() }),
    });

    // Assess
    expect(result).toEqual({ replayName: 'r-1', state: 'COMPLETED' });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/subscriptions/crm/replay?dryRun=1',
      body: '{"from":"2025-01-01T00:00:00Z"}',
    });
    expect(seen[0]?.headers.authorization).toBe('Bearer tok-123');
    expect(seen[0]?.headers['content-type']).toBe('application/json');
  });

  it('maps a 401 to exit code 4 with what to do about the token', async () => {
    handler = hubError(401, 'unauthorized', 'A valid bearer token is required');
    const err = await failure(client().get('/v1/subscriptions', { schema: z.unknown() }));
    expect(err.exitCode).toBe(EXIT.unauthorized);
    expect(err.message).toContain('GET /v1/subscriptions → HTTP 401 unauthorized: A valid bearer token is required');
    expect(err.message).toContain('pass --token, set OMNIHUB_API_TOKEN');
  });

  it('maps a 403 to exit code 4 naming the access the route needs (from the route table)', async () => {
    handler = hubError(403, 'forbidden', 'not allowed');
    const err = await failure(client().post('/v1/subscriptions/crm/redrive', { schema: z.unknown() }));
    expect(err.exitCode).toBe(EXIT.unauthorized);
    expect(err.message).toContain('the route needs "admin" access');
  });

  it("maps a 4xx to exit code 1 with the hub's own code and message", async () => {
    handler = hubError(404, 'not_found', 'No subscription named "nope"; GET /v1/subscriptions lists them');
    const err = await failure(client().get('/v1/subscriptions/nope/deliveries', { schema: z.unknown() }));
    expect(err.exitCode).toBe(EXIT.failed);
    expect(err.message).toBe(
      'GET /v1/subscriptions/nope/deliveries → HTTP 404 not_found: No subscription named "nope"; GET /v1/subscriptions lists them',
    );
  });

  it('maps a 5xx without a JSON body to exit code 1, quoting the body and saying a retry is safe', async () => {
    handler = answer(502, '<html>Bad Gateway</html>', 'text/html');
    const err = await failure(client().get('/v1/connectors', { schema: z.unknown() }));
    expect(err.exitCode).toBe(EXIT.failed);
    expect(err.message).toContain('HTTP 502 error: <html>Bad Gateway</html>');
    expect(err.message).toContain('safe to retry');
  });

  it('refuses a 2xx that is not JSON, or not the shape the command expects', async () => {
    handler = answer(200, 'OK', 'text/plain');
    const notJson = await failure(client().get('/v1/connectors', { schema: z.unknown() }));
    expect(notJson.message).toContain('the body is not JSON: OK');

    handler = answer(200, { connectors: 'many' });
    const wrongShape = await failure(
      client().get('/v1/connectors', { schema: z.object({ connectors: z.array(z.unknown()) }) }),
    );
    expect(wrongShape.exitCode).toBe(EXIT.failed);
    expect(wrongShape.message).toMatch(/not what this CLI expects \(.*connectors.*\); is the hub the same version/);
  });

  it('maps a refused connection to exit code 3, naming the URL', async () => {
    // A port nothing listens on: bind one, then close it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const err = await failure(
      new HubClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't' }).get('/v1/connectors', { schema: z.unknown() }),
    );
    expect(err).toBeInstanceOf(HubUnreachableError);
    expect(err.exitCode).toBe(EXIT.unreachable);
    expect(err.message).toMatch(new RegExp(`Cannot reach the hub at http://127.0.0.1:${port} \\(.*ECONNREFUSED.*\\)`));
  });

  it('maps a hub that does not answer in time to exit code 3', async () => {
    handler = () => undefined; // never answers
    const err = await failure(client(200).get('/v1/connectors', { schema: z.unknown() }));
    expect(err.exitCode).toBe(EXIT.unreachable);
    expect(err.message).toContain('no answer within 0.2 s');
  });
});

describe('CLI: hub URL and token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes --url, else OMNIHUB_URL, else localhost on PORT or 3000, and refuses a non-http URL', () => {
    expect(resolveHubUrl('http://hub.test:8080/', {})).toBe('http://hub.test:8080');
    expect(resolveHubUrl(undefined, { OMNIHUB_URL: 'https://hub.example.com' })).toBe('https://hub.example.com');
    expect(resolveHubUrl(undefined, { PORT: '4010' })).toBe('http://localhost:4010');
    expect(resolveHubUrl(undefined, {})).toBe('http://localhost:3000');
    expect(() => resolveHubUrl('localhost:3000', {})).toThrow(UsageError);
    expect(() => resolveHubUrl('ftp://x', {})).toThrow(/http\(s\) URL/);
  });

  it('takes --token, else OMNIHUB_API_TOKEN, else the api-token file of the data dir, else a usage error', () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'api-token'), 'from-file\n');
    const env = { OMNIHUB_DATA_DIR: 'data' };

    expect(resolveApiToken('flag', { ...env, OMNIHUB_API_TOKEN: 'env' }, dir)).toBe('flag');
    expect(resolveApiToken(undefined, { ...env, OMNIHUB_API_TOKEN: 'env' }, dir)).toBe('env');
    expect(resolveApiToken(undefined, env, dir)).toBe('from-file');
    const missing = (() => {
      try {
        resolveApiToken(undefined, { OMNIHUB_DATA_DIR: 'elsewhere' }, dir);
      } catch (err) {
        return err;
      }
    })();
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as UsageError).exitCode).toBe(EXIT.usage);
    expect((missing as UsageError).message).toContain(join(dir, 'elsewhere', 'api-token'));
  });
});
