/**
 * A fake vendor API on 127.0.0.1 for sender tests: every request is checked
 * against what the vendor documents (method, path, auth header, body
 * shape) by the vendor module's `check`; a request that does not match is
 * answered 400 and kept in `rejected`, so a test can assert the hub never
 * sent one. The fake can be told to answer the next requests with a failure
 * (`failNext`), as the real vendor would.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Set by `check`: the parsed body, for assertions. */
  parsed?: unknown;
}

export interface FakeAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  readonly body?: unknown;
}

export interface FakeVendorSpec<F extends string> {
  readonly name: string;
  /** Says what does not match the vendor's documentation, or returns the parsed body. */
  check(req: FakeRequest): Promise<{ problem: string } | { parsed: unknown }>;
  /** The vendor's success answer for a valid request (n = 1, 2, … per fake). */
  success(req: FakeRequest, n: number): FakeAnswer;
  /** The vendor's documented failures, by a name tests use. */
  readonly failures: Record<F, (req: FakeRequest) => FakeAnswer>;
}

export interface FakeVendor<F extends string> {
  readonly url: string;
  /** Valid requests, in arrival order (answered with success or an injected failure). */
  readonly requests: FakeRequest[];
  /** Requests that did not match the vendor's documentation, with why. */
  readonly rejected: { readonly request: FakeRequest; readonly problem: string }[];
  /** Answers the next `times` valid requests with the named failure. */
  failNext(failure: F, times?: number): void;
  /** Answers every valid request with the named failure until `reset`. */
  failAlways(failure: F): void;
  reset(): void;
  close(): Promise<void>;
}

export const startFakeVendor = async <F extends string>(spec: FakeVendorSpec<F>): Promise<FakeVendor<F>> => {
  const requests: FakeRequest[] = [];
  const rejected: { request: FakeRequest; problem: string }[] = [];
  const queued: F[] = [];
  let always: F | undefined;
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const answer = (a: FakeAnswer) => {
        const json = typeof a.body !== 'string';
        res.writeHead(a.status, { ...(json ? { 'content-type': 'application/json' } : {}), ...a.headers });
        res.end(a.body === undefined ? '' : json ? JSON.stringify(a.body) : a.body);
      };
      try {
        const checked = await spec.check(request);
        if ('problem' in checked) {
          rejected.push({ request, problem: checked.problem });
          return answer({ status: 400, body: { fake: spec.name, problem: checked.problem } });
        }
        request.parsed = checked.parsed;
        requests.push(request);
        const failure = queued.shift() ?? always;
        if (failure) return answer(spec.failures[failure](request));
        n += 1;
        return answer(spec.success(request, n));
      } catch (err) {
        rejected.push({ request, problem: `fake crashed: ${(err as Error).message}` });
        return answer({ status: 500, body: { fake: spec.name, problem: (err as Error).message } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rejected,
    failNext: (failure, times = 1) => {
      for (let i = 0; i < times; i++) queued.push(failure);
    },
    failAlways: (failure) => {
      always = failure;
    },
    reset: () => {
      queued.length = 0;
      always = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

/** Zod-style helper: the body as JSON or a problem. */
export const jsonBody = (req: FakeRequest): { json: unknown } | { problem: string } => {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    return { problem: `content-type must be application/json, got ${req.headers['content-type'] ?? 'none'}` };
  try {
    return { json: JSON.parse(req.body.toString('utf8')) };
  } catch {
    return { problem: 'body is not JSON' };
  }
};
