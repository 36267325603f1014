/**
 * A real HTTP webhook receiver for the subscription tests: it verifies every
 * request with the off-the-shelf `standardwebhooks` library (as a subscriber
 * would), records it, and answers what the test scripts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: any;
  /** `standardwebhooks` accepted the signature (false for unsigned or bad requests). */
  readonly verified: boolean;
  readonly verifyError?: string;
  /** What the receiver answered. */
  readonly status: number;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** Requests the receiver answered with 2xx. */
  accepted(): Received[];
  /** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** `whsec_…` to verify with; omitted → signatures are not checked. */
  readonly secret?: () => string | undefined;
  /** Answer for the n-th request (1-based). @default 200 */
  readonly reply?: (n: number, request: { headers: IncomingHttpHeaders; body: string }) => Reply;
  /** Listen on this port (reopening a "down" endpoint). @default any free port */
  readonly port?: number;
  readonly path?: string;
}

export const startReceiver = async (options: ReceiverOptions = {}): Promise<Receiver> => {
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = options.secret?.();
      let verified = false;
      let verifyError: string | undefined;
      if (secret) {
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch (err) {
          verifyError = (err as Error).message;
        }
      }
      const reply = options.reply?.(received.length + 1, { headers: req.headers, body }) ?? { status: 200 };
      let json: any;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({
        at: Date.now(),
        headers: req.headers,
        body,
        json,
        verified,
        status: reply.status,
        ...(verifyError ? { verifyError } : {}),
      });
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
      for (const w of waiters.filter((x) => received.length >= x.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/hooks/omnihub'}`,
    port,
    received,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    waitFor: (count, timeoutMs = 10_000) =>
      received.length >= count
        ? Promise.resolve(received)
        : new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`receiver got ${received.length} of ${count} requests in ${timeoutMs} ms`)),
              timeoutMs,
            );
            waiters.push({
              count,
              resolve: () => {
                clearTimeout(timer);
                resolve(received);
              },
            });
          }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

/** A port nothing listens on (an endpoint that is down). */
export const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};
