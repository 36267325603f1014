/**
 * Runs the local hub's HTTP front in a worker thread.
 *
 * With one thread, every acknowledgement waited behind the consumers' work
 * (JSON, validation, SDK marshalling of the profile writer's store calls):
 * p99 121 ms at half the store floor. With the front in its own thread, a
 * webhook is verified, normalized and journaled there — the `send` record
 * appended to its queue's journal, so it is durable before the 2xx — and
 * then handed to the queue in the main thread, which delivers it. The main
 * thread keeps the queues, consumers, subscriptions and DynamoDB Local; the
 * front calls their operations (`/v1/queues`, `/v1/subscriptions/…`) over the
 * thread's message port. The handlers are the same either way (hub-front.ts).
 */
import { Worker } from 'node:worker_threads';
import type { HandedOffMessage } from '../../adapters/local/journaled-hand-off.js';
import type { AnalyticsSink, HubQueueOperations, MetricsEngine, SubscriptionOperations } from '../../ports.js';
import { isHubError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import type { ErrorData, FrontToMain, FrontWorkerData, MainToFront } from './front-protocol.js';

export interface FrontThreadOptions {
  readonly workerData: FrontWorkerData;
  /** Takes a message the front journaled into a queue (`LocalQueue.adopt`). */
  readonly adopt: (message: HandedOffMessage) => void;
  readonly queues: HubQueueOperations;
  readonly subscriptions: SubscriptionOperations;
  /** The lake lives with the profile writer (one DuckDB owner): the front's privacy routes and metrics call it. */
  readonly lake: AnalyticsSink;
  readonly metrics: MetricsEngine;
}

export interface FrontThread {
  readonly port: number;
  /** Resolves once every hand-off of the requests answered so far has reached the main thread. */
  flush(): Promise<void>;
  /** Writes get 503 from now on. */
  drain(): void;
  /** Closes the server and ends the thread. */
  close(): Promise<void>;
}

/** The worker's entry: TypeScript through tsx (how `npm start` runs), or the compiled file beside this one. */
const workerSource = (): string => {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(ts ? './front-worker.ts' : './front-worker.js', import.meta.url).href;
  return ts
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
};

const errorData = (err: unknown): ErrorData => ({
  name: err instanceof Error ? err.name : 'Error',
  message: err instanceof Error ? err.message : String(err),
  ...(isHubError(err) ? { statusCode: err.statusCode, code: err.code } : {}),
});

export const startFrontThread = (options: FrontThreadOptions): Promise<FrontThread> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(workerSource(), { eval: true, workerData: options.workerData });
    const send = (message: MainToFront) => worker.postMessage(message);
    let nextFlush = 0;
    const flushes = new Map<number, () => void>();
    let closed: (() => void) | undefined;
    let started = false;
    const targets = {
      queues: options.queues,
      subscriptions: options.subscriptions,
      lake: options.lake,
      metrics: options.metrics,
    } as const;

    worker.on('message', (message: FrontToMain) => {
      switch (message.type) {
        case 'hand-off':
          options.adopt(message.message);
          return;
        case 'call': {
          const target = targets[message.target] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
          const method = target[message.method];
          void (method ? method.apply(target, [...message.args]) : Promise.reject(new Error('no such operation')))
            .then((value) => send({ type: 'result', id: message.id, value }))
            .catch((err: unknown) => send({ type: 'error', id: message.id, error: errorData(err) }));
          return;
        }
        case 'flushed':
          flushes.get(message.id)?.();
          flushes.delete(message.id);
          return;
        case 'closed':
          closed?.();
          return;
        case 'listening':
          started = true;
          resolve({
            port: message.port,
            flush: () =>
              new Promise<void>((done) => {
                const id = nextFlush++;
                flushes.set(id, done);
                send({ type: 'flush', id });
              }),
            drain: () => send({ type: 'drain' }),
            close: async () => {
              await new Promise<void>((done) => {
                closed = done;
                send({ type: 'close' });
              });
              await worker.terminate();
            },
          });
          return;
      }
    });
    worker.once('error', (err) => {
      if (!started) reject(err);
      else logger.error('the HTTP front thread failed; webhooks are no longer accepted', { error: err });
    });
    worker.once('exit', (code) => {
      if (!started) reject(new Error(`The HTTP front thread exited with code ${code} before listening`));
      for (const done of flushes.values()) done();
    });
  });
