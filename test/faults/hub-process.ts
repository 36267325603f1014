/**
 * `npm start` as a process the fault suite can hurt: what `npm start` runs
 * (`node --import tsx bin/local.ts`) in its own process group (so a signal to the group is what a terminal's
 * Ctrl-C or a kill of the whole tree does), on a temporary data folder and a
 * free port, with the store's Java process found through the pid file the
 * hub writes. Everything else the suite learns, it learns over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DYNAMODB_PID_FILE } from '../../functions/adapters/local/dynamodb-local.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const alive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface HubProcess {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string;
  readonly proc: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the hub process tree is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout + stderr so far (the hub's start-up lines and WARN logs), for failure messages. */
  output(): string;
  /** The running DynamoDB Local Java process, from the hub's pid file. */
  javaPid(): number | undefined;
  /** A signal to the hub's whole process group (DynamoDB Local has its own group). */
  signal(signal: NodeJS.Signals): void;
}

export interface StartHubOptions {
  readonly dataDir: string;
  readonly token: string;
  readonly env: Record<string, string>;
  /** @default a free port */
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

/** `npm start`'s command (package.json), without npm in between. */
export const START_COMMAND = ['--import', 'tsx', 'bin/local.ts'];

/** Starts the hub as `npm start` does and resolves once its API answers. */
export const startHub = async (options: StartHubOptions): Promise<HubProcess> => {
  const port = options.port ?? (await freePort());
  const proc = spawn(process.execPath, START_COMMAND, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      OMNIHUB_DATA_DIR: options.dataDir,
      PORT: String(port),
      OMNIHUB_API_TOKEN: options.token,
      ...options.env,
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    proc.once('exit', (code, signal) => done({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const pidFile = join(options.dataDir, 'dynamodb', DYNAMODB_PID_FILE);
  const hub: HubProcess = {
    url,
    port,
    token: options.token,
    dataDir: options.dataDir,
    proc,
    exited,
    output: () => output,
    javaPid: () => {
      if (!existsSync(pidFile)) return undefined;
      try {
        return (JSON.parse(readFileSync(pidFile, 'utf8')) as { java?: number }).java;
      } catch {
        return undefined;
      }
    },
    signal: (signal) => {
      try {
        process.kill(-(proc.pid as number), signal);
      } catch {
        // already gone
      }
    },
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error(`npm start exited during start-up:\n${output}`);
    try {
      const res = await fetch(`${url}/v1/queues`, {
        headers: { authorization: `Bearer ${options.token}` },
        signal: AbortSignal.timeout(2_000),
      });
      if (res.ok) return hub;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      hub.signal('SIGKILL');
      throw new Error(`npm start did not answer within the start timeout:\n${output}`);
    }
    await sleep(250);
  }
};
