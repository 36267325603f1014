/**
 * Starts, supervises and stops the official DynamoDB Local (the jar shipped
 * by the `amplify-dynamodb-simulator` package; needs Java 17+), so `npm
 * start` and the integration tests run the production store code against a
 * real DynamoDB engine instead of an in-memory imitation.
 *
 * - Its own process group (`detached`): Ctrl-C in the terminal reaches the
 *   hub, which drains its queues against a running store and stops the store
 *   last, instead of both dying at once.
 * - It still dies with the hub, however the hub dies: a small shell wrapper
 *   holds the hub's end of a pipe and stops Java when the pipe closes (the
 *   kernel closes it even on SIGKILL). A pid file in the data folder lets the
 *   next start clean up a leftover instance on the same data.
 * - Supervised (with a data folder): if Java exits on its own it is started
 *   again on the same port and data, with a backoff (0.5 s doubling to 10 s);
 *   until then store calls fail fast and the queues wait (see `LocalQueue`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { logger } from '../../shared/logger.js';
import { LOCAL_STORE_TIMEOUTS, storeClientConfig } from '../aws/dynamodb-client.js';
import { writePrivateFileAtomic } from './private-files.js';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client configured for this instance (dummy credentials, local region). */
  client(): DynamoDBClient;
  stop(): Promise<void>;
  /** Process id of the running Java (what a fault test pauses or kills); undefined between restarts. */
  readonly pid?: number | undefined;
  /** Called after every supervised restart, once the new instance answers, with when the old one died. */
  onRestart?(listener: (restart: { readonly exitedAt: number }) => Promise<void> | void): void;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omitted → in memory (tests). */
  readonly dbPath?: string;
  /** Port; omitted → a free one. */
  readonly port?: number;
  readonly startTimeoutMs?: number;
  /** Restart Java when it exits on its own. @default true with a dbPath (in memory a restart would be empty) */
  readonly supervise?: boolean;
  /** First restart delay; doubles per failed restart. @default 500 */
  readonly restartBackoffMs?: number;
  /** Longest restart delay. @default 10000 */
  readonly maxRestartBackoffMs?: number;
}

/** The pid file in the database folder: who runs on this data (for cleanup after a hub was killed). */
export const DYNAMODB_PID_FILE = 'omnihub-dynamodb-local.json';

export interface DynamoDbPidFile {
  /** Process group of the wrapper and Java (negative kill target). */
  readonly group: number;
  readonly java?: number;
  readonly port: number;
}

const require = createRequire(import.meta.url);

/** Folder holding DynamoDBLocal.jar and its native libraries. */
const dynamoDbLocalHome = (): string =>
  join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/**
 * DynamoDB Local reads the access key and region out of the Authorization
 * header (they name its database without -sharedDb) but never checks the
 * signature, so local requests carry the header a `local`/`local` signature
 * would have, without computing it: SigV4's canonical request and HMAC chain
 * were 17 % of the SDK's CPU per call measured here (0.82 → 0.68 ms), paid on
 * the hub's main thread for every store call.
 */
const LOCAL_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
const localSigner = {
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    request.headers.authorization = LOCAL_AUTHORIZATION;
    return request;
  },
};

/** A client for DynamoDB Local: dummy credentials, and timeouts so that a stalled instance fails calls fast. */
export const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient(
    storeClientConfig(LOCAL_STORE_TIMEOUTS, {
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      signer: localSigner,
    }),
  );

/**
 * Runs Java in the background, prints its pid, and stops it when stdin (the
 * hub's pipe) closes; exits with Java's status. `$@` are Java's arguments.
 */
const WRAPPER = [
  'exec 3<&0',
  'java "$@" </dev/null &',
  'pid=$!',
  'echo "omnihub-dynamodb-local-pid $pid"',
  '{ cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null; } &',
  'wait "$pid"',
].join('\n');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const isDynamoDbLocal = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false; // no /proc (macOS): the wrapper already stopped it with its hub
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a DynamoDB Local left running on this data by a hub that was killed before its wrapper noticed. */
const stopLeftover = async (pidFile: string): Promise<void> => {
  if (!existsSync(pidFile)) return;
  let previous: DynamoDbPidFile;
  try {
    previous = JSON.parse(readFileSync(pidFile, 'utf8')) as DynamoDbPidFile;
  } catch {
    return;
  }
  const java = previous.java;
  if (java === undefined || !alive(java) || !isDynamoDbLocal(java)) return;
  logger.warn('stopping a DynamoDB Local left running on this data', { pid: java });
  process.kill(java, 'SIGTERM');
  for (let i = 0; i < 50 && alive(java); i++) await sleep(100);
  if (alive(java)) process.kill(java, 'SIGKILL');
  for (let i = 0; i < 20 && alive(java); i++) await sleep(50);
};

const waitUntilReady = async (
  endpoint: string,
  client: DynamoDBClient,
  proc: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${proc.exitCode}: ${output()}`);
    try {
      // A bare HTTP probe first: the SDK's own retries would back off for seconds while the JVM boots.
      await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(1_000) });
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms: ${output()}`);
      await sleep(100);
    }
  }
};

interface Running {
  readonly proc: ChildProcess;
  java?: number;
  readonly exited: Promise<void>;
}

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const port = options.port ?? (await freePort());
  const javaArgs = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-Xmx512m',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
  ];
  const pidFile = options.dbPath ? join(options.dbPath, DYNAMODB_PID_FILE) : undefined;
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    javaArgs.push('-sharedDb', '-dbPath', options.dbPath);
  } else {
    javaArgs.push('-inMemory', '-sharedDb');
  }
  if (pidFile) await stopLeftover(pidFile);
  const endpoint = `http://127.0.0.1:${port}`;
  const supervise = options.supervise ?? Boolean(options.dbPath);
  const restartListeners: ((restart: { readonly exitedAt: number }) => Promise<void> | void)[] = [];
  let current: Running | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  /** A restart under way (stop waits for it, then stops what it started). */
  let relaunching: Promise<unknown> | undefined;
  let backoff = options.restartBackoffMs ?? 500;

  /** Starts the wrapper and Java; resolves once Java answers. */
  const launch = async (timeoutMs: number): Promise<Running> => {
    const proc = spawn('sh', ['-c', WRAPPER, 'dynamodb-local', ...javaArgs], {
      cwd: dynamoDbLocalHome(),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const running: Running = {
      proc,
      exited: new Promise<void>((resolve) => proc.once('exit', () => resolve())),
    };
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      const pid = /omnihub-dynamodb-local-pid (\d+)/.exec(text)?.[1];
      if (pid && running.java === undefined) {
        running.java = Number(pid);
        if (pidFile)
          writePrivateFileAtomic(pidFile, `${JSON.stringify({ group: proc.pid, java: running.java, port })}\n`);
      }
      if (output.length < 8_000) output += text;
    };
    // Both pipes keep being read after start-up, or a chatty JVM would block on a full pipe.
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    // The hub's end of the pipe the wrapper watches; ignore EPIPE once the wrapper is gone.
    proc.stdin?.on('error', () => undefined);
    const spawnError = new Promise<never>((_, reject) =>
      proc.once('error', (err) =>
        reject(new Error(`Could not start DynamoDB Local (needs sh and Java 17+): ${err.message}`)),
      ),
    );
    const probe = localClient(endpoint);
    try {
      await Promise.race([waitUntilReady(endpoint, probe, proc, timeoutMs, () => output), spawnError]);
    } catch (err) {
      killGroup(proc, 'SIGKILL');
      throw err;
    } finally {
      probe.destroy();
    }
    return running;
  };

  const killGroup = (proc: ChildProcess, signal: NodeJS.Signals): void => {
    if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(-proc.pid, signal);
    } catch {
      proc.kill(signal);
    }
  };

  /** Watches a running instance; restarts it with a backoff when it exits on its own. */
  const supervise_ = (running: Running): void => {
    const startedAt = Date.now();
    void running.exited.then(() => {
      const exitedAt = Date.now();
      running.proc.stdin?.destroy(); // lets the wrapper's watcher exit too
      if (stopping || current !== running) return;
      current = undefined;
      if (!supervise) {
        logger.error('DynamoDB Local exited', { code: running.proc.exitCode, signal: running.proc.signalCode });
        return;
      }
      // It ran for a while: this is a new failure, start over with the shortest delay.
      if (Date.now() - startedAt > 30_000) backoff = options.restartBackoffMs ?? 500;
      const restart = (): void => {
        restartTimer = setTimeout(async () => {
          if (stopping) return;
          try {
            const launching = launch(options.startTimeoutMs ?? 60_000);
            relaunching = launching.catch(() => undefined);
            const next = await launching;
            if (stopping) {
              killGroup(next.proc, 'SIGTERM');
              await next.exited;
              return;
            }
            current = next;
            supervise_(next);
            logger.warn('DynamoDB Local restarted', { port });
            for (const listener of restartListeners) await listener({ exitedAt });
          } catch (err) {
            logger.error('DynamoDB Local restart failed; retrying', { error: err as Error, backoffMs: backoff });
            restart();
          }
        }, backoff);
        backoff = Math.min(options.maxRestartBackoffMs ?? 10_000, backoff * 2);
      };
      logger.warn('DynamoDB Local exited; restarting it on the same data', {
        code: running.proc.exitCode,
        signal: running.proc.signalCode,
        inMs: backoff,
      });
      restart();
    });
  };

  current = await launch(options.startTimeoutMs ?? 30_000);
  supervise_(current);

  return {
    endpoint,
    port,
    get pid() {
      return current?.java;
    },
    client: () => localClient(endpoint),
    onRestart: (listener) => {
      restartListeners.push(listener);
    },
    stop: async () => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      await relaunching;
      const running = current;
      current = undefined;
      if (running) {
        const timer = setTimeout(() => killGroup(running.proc, 'SIGKILL'), 5_000);
        killGroup(running.proc, 'SIGTERM');
        await running.exited;
        clearTimeout(timer);
        running.proc.stdin?.destroy();
        // Java exits on the group's SIGTERM; wait for it (the wrapper may exit first).
        for (let i = 0; running.java !== undefined && alive(running.java) && i < 100; i++) await sleep(50);
        if (running.java !== undefined && alive(running.java)) process.kill(running.java, 'SIGKILL');
      }
      if (pidFile) rmSync(pidFile, { force: true });
    },
  };
};

/**
 * Creates the hub table as the CDK stack defines it (pk/sk, gsi1, TTL on
 * `ttl`) when it does not exist yet.
 */
export const ensureHubTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
};
