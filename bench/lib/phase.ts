/**
 * Plumbing shared by the phase scripts (`bench/<phase>.ts`). `bench/run.ts`
 * runs each phase in its own Node process (a crash or a hang costs one
 * phase, not the run; no phase inherits another's JIT or heap state) and
 * reads back the JSON the phase wrote to `--out`. Progress goes to stderr;
 * stdout is left to the code under test (the hub's logs).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localClient, startDynamoDbLocal, type DynamoDbLocal } from '../../functions/adapters/local/dynamodb-local.js';

/** Environment variable through which run.ts shares one DynamoDB Local with the phases. */
export const DYNAMO_ENDPOINT_ENV = 'BENCH_DYNAMO_ENDPOINT';
/** Process id of that DynamoDB Local's Java, when known (its CPU is read from /proc). */
export const DYNAMO_PID_ENV = 'BENCH_DYNAMO_PID';
/** `1` → smaller counts (a smoke run of the whole harness in about a minute). */
export const QUICK_ENV = 'BENCH_QUICK';

export const isQuick = (): boolean => process.env[QUICK_ENV] === '1';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export const progress = (phase: string, message: string): void => {
  process.stderr.write(`[${phase}] ${message}\n`);
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The DynamoDB Local run.ts started, or a new one owned by this phase (standalone runs). */
export const benchDynamo = async (): Promise<DynamoDbLocal> => {
  const endpoint = process.env[DYNAMO_ENDPOINT_ENV];
  if (endpoint)
    return {
      endpoint,
      ...(process.env[DYNAMO_PID_ENV] ? { pid: Number(process.env[DYNAMO_PID_ENV]) } : {}),
      port: Number(new URL(endpoint).port),
      client: () => localClient(endpoint),
      stop: async () => undefined,
    };
  return startDynamoDbLocal();
};

/** True when the module at `moduleUrl` is the script Node was started with. */
export const isEntry = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && fileURLToPath(moduleUrl) === resolve(process.argv[1]);

const outPath = (): string | undefined => {
  const i = process.argv.indexOf('--out');
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/**
 * Runs a phase as a script: writes `{ ok: true, result }` or
 * `{ ok: false, error }` to `--out` (or prints it) and exits, so a dangling
 * handle can never keep a phase alive past its result.
 */
export const runPhase = (name: string, body: () => Promise<unknown>): void => {
  const started = Date.now();
  const finish = (payload: Record<string, unknown>, code: number) => {
    const json = JSON.stringify({ phase: name, durationMs: Date.now() - started, ...payload }, null, 2);
    const out = outPath();
    if (out) {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, json);
    } else process.stderr.write(`${json}\n`);
    process.exit(code);
  };
  body().then(
    (result) => finish({ ok: true, result }, 0),
    (err: unknown) => {
      progress(name, `failed: ${(err as Error)?.stack ?? String(err)}`);
      finish({ ok: false, error: (err as Error)?.message ?? String(err) }, 1);
    },
  );
};

/** CPU time (user + system, ms) a process has used so far, from /proc; undefined where that cannot be read. */
export const processCpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, after the parenthesised command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
};

/** Linux's USER_HZ (`getconf CLK_TCK`), the unit of /proc/<pid>/stat times. */
const CLOCK_TICKS = 100;
