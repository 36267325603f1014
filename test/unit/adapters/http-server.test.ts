/**
 * The local HTTP front against clients API Gateway would have stopped:
 * requests it cannot route are 400 with a JSON body, a
 * trickled body is cut off with a 408, and connections are capped.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalHttpServer, type LocalHttpLimits } from '../../../functions/adapters/local/http-server.js';
import { jsonResponse } from '../../../functions/shared/http.js';

const servers: Server[] = [];
const sockets: Socket[] = [];

const start = async (limits: Partial<LocalHttpLimits> = {}) => {
  const server = createLocalHttpServer({
    apiToken: 'token',
    maxBodyBytes: 1024,
    limits,
    handlers: {
      ingest: async (event) =>
        jsonResponse(200, {
          path: event.rawPath,
          connector: event.pathParameters?.connector,
          host: event.headers.host,
        }),
      api: async () => jsonResponse(200, {}),
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

/** Sends raw bytes and collects what comes back until the server closes the connection or `waitMs` passes. */
const raw = (port: number, request: string, waitMs = 3_000) =>
  new Promise<{ text: string; closed: boolean; ms: number }>((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false, ms: Date.now() - started }), waitMs);
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - started });
    });
    socket.on('error', () => undefined);
    socket.write(request);
  });

const status = (text: string) => Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
/** The body of a raw HTTP/1.1 response, de-chunked. */
const jsonBody = (text: string) => {
  const split = text.indexOf('\r\n\r\n');
  let body = text.slice(split + 4);
  if (/transfer-encoding: chunked/i.test(text.slice(0, split))) {
    let out = '';
    for (;;) {
      const eol = body.indexOf('\r\n');
      const size = Number.parseInt(body.slice(0, eol), 16);
      if (!size) break;
      out += body.slice(eol + 2, eol + 2 + size);
      body = body.slice(eol + 2 + size + 2);
    }
    body = out;
  }
  return JSON.parse(body);
};

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('local HTTP server: bad requests and slow clients', () => {
  it('answers a path that is not valid percent-encoding with 400 JSON', async () => {
    const port = await start();
    const res = await raw(
      port,
      'POST /webhooks/%E0%A4%A HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(status(res.text)).toBe(400);
    expect(jsonBody(res.text)).toEqual({
      error: { code: 'malformed_request', message: expect.stringContaining('percent') },
    });
  });

  it.each([
    ['a space', 'exa mple.com'],
    ['a path', 'example.com/evil'],
    ['credentials', 'user@example.com'],
    ['a bad port', 'example.com:http'],
  ])('answers a Host header with %s with 400 JSON', async (_what, host) => {
    const port = await start();
    const res = await raw(
      port,
      `POST /webhooks/site HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    expect(status(res.text)).toBe(400);
    expect(jsonBody(res.text).error.code).toBe('malformed_request');
  });

  it('still routes good requests, IPv6 hosts and ports included, and keeps a path starting with // a path', async () => {
    const port = await start();
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:3000', 'hub.example.com']) {
      const res = await raw(
        port,
        `POST /webhooks/site HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      );
      expect(status(res.text)).toBe(200);
      expect(jsonBody(res.text)).toEqual({ path: '/webhooks/site', connector: 'site', host });
    }
    const slashes = await raw(
      port,
      'POST //evil.example/webhooks/site HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(status(slashes.text)).toBe(404);
  });

  it('cuts off a body that trickles in with 408 JSON and closes the connection', async () => {
    // Prepare: a body deadline of 300 ms; the client promises 100 bytes and sends 10.
    const port = await start({ bodyTimeoutMs: 300 });
    // Act
    const res = await raw(
      port,
      'POST /webhooks/site HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789',
    );
    // Assess
    expect(status(res.text)).toBe(408);
    expect(jsonBody(res.text).error.code).toBe('request_timeout');
    expect(res.closed).toBe(true);
    expect(res.ms).toBeLessThan(2_500);
  });

  it('closes a connection whose headers never finish', async () => {
    const port = await start({ headersTimeoutMs: 300 });
    const res = await raw(port, 'POST /webhooks/site HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', 4_000);
    expect(res.closed).toBe(true);
    expect(res.ms).toBeLessThan(3_000);
  });

  it('refuses connections beyond the cap and serves again once they are gone', async () => {
    // Prepare: two idle connections fill a cap of two.
    const port = await start({ maxConnections: 2 });
    const idle = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    sockets.push(...idle);
    await Promise.all(idle.map((s) => new Promise((r) => s.once('connect', r))));
    await new Promise((r) => setTimeout(r, 50));
    // Act: a third is closed without an answer.
    const refused = await raw(port, 'GET /webhooks/site HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    for (const s of idle) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const served = await raw(
      port,
      'POST /webhooks/site HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    // Assess
    expect(refused).toMatchObject({ text: '', closed: true });
    expect(status(served.text)).toBe(200);
  });
});
